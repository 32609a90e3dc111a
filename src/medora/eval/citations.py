"""Citations suite: is every bullet cited, does every citation resolve, does the cited passage support it?

Over a question set (default: the K-QA development questions, both audiences), for every answered or
urgent answer:
  * cited: share of bullets (summary plus section bullets) carrying at least one citation;
  * resolve: share of citation numbers that name a reference in the answer's reference list;
  * support: share of (bullet, cited reference) pairs where one of the reference's quoted passages
    (or that passage's plain-language version, for patient answers) supports the bullet, by the local
    judge in support.py; and the share of cited bullets that at least one of their citations supports;
  * metadata: share of references with a type, title, source, year and an identifier (URL, DOI or PMID).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field

from medora.compose.citations import PassageLookup, evidence_texts
from medora.compose.support import SupportJudge
from medora.eval import metrics
from medora.eval.results import Plot, SuiteResult, Table
from medora.models import Answer, Bullet
from medora.settings import Settings

METADATA_FIELDS = ("type", "title", "source", "year", "identifier")


def bullets(answer: Answer) -> list[Bullet]:
    out = [answer.summary] if answer.summary.text.strip() else []
    return out + [b for s in answer.sections for b in s.bullets]


def answer_text(answer: Answer) -> str:
    return "\n".join(b.text for b in bullets(answer))


@dataclass
class CitationCounts:
    bullets: int = 0
    cited: int = 0
    citations: int = 0
    resolved: int = 0
    pairs: int = 0
    pairs_supported: int = 0
    bullets_supported: int = 0
    references: int = 0
    metadata: Counter = field(default_factory=Counter)
    uncited: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)

    def add(self, other: CitationCounts) -> None:
        for name in (
            "bullets",
            "cited",
            "citations",
            "resolved",
            "pairs",
            "pairs_supported",
            "bullets_supported",
            "references",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.metadata.update(other.metadata)
        self.uncited += other.uncited
        self.unresolved += other.unresolved
        self.unsupported += other.unsupported


def check_answer(
    answer: Answer, judge: SupportJudge | None = None, reader: PassageLookup | None = None
) -> CitationCounts:
    """Count cited, resolving and (if a judge is given) supported citations in one answer."""
    c = CitationCounts()
    refs = {r.n: r for r in answer.references}
    evidence = {n: evidence_texts(r, reader) for n, r in refs.items()}
    if judge is not None:
        judge.prime([b.text for b in bullets(answer)], [t for ts in evidence.values() for t in ts])
    for b in bullets(answer):
        c.bullets += 1
        c.cited += bool(b.citations)
        if not b.citations:
            c.uncited.append(f"{answer.question[:60]} | {b.text[:100]}")
        supported = False
        for n in b.citations:
            c.citations += 1
            ref = refs.get(n)
            if ref is None:
                c.unresolved.append(f"{answer.question[:60]} | [{n}] {b.text[:80]}")
                continue
            c.resolved += 1
            if judge is not None:
                c.pairs += 1
                ok = any(judge.supports(t, b.text) for t in evidence[n])
                c.pairs_supported += ok
                supported = supported or ok
        c.bullets_supported += supported
        if judge is not None and b.citations and not supported:
            c.unsupported.append(f"{answer.question[:60]} | {b.text[:100]}")
    for r in answer.references:
        c.references += 1
        c.metadata.update(
            {
                "type": bool(r.type),
                "title": bool(r.title.strip()),
                "source": bool(r.source.strip()),
                "year": r.year is not None,
                "identifier": bool(r.url or r.doi or r.pmid),
            }
        )
        c.metadata["complete"] += all(
            (r.type, r.title.strip(), r.source.strip(), r.year is not None, r.url or r.doi or r.pmid)
        )
    return c


def figures_of(c: CitationCounts) -> dict[str, float]:
    out = {
        "bullets_cited": round(metrics.rate(c.cited, c.bullets), 3),
        "citations_resolve": round(metrics.rate(c.resolved, c.citations), 3),
        "cited_pairs_supported": round(metrics.rate(c.pairs_supported, c.pairs), 3),
        "cited_bullets_supported": round(metrics.rate(c.bullets_supported, c.cited), 3),
    }
    out |= {f"ref_{k}": round(metrics.rate(c.metadata[k], c.references), 3) for k in (*METADATA_FIELDS, "complete")}
    return out


def run(
    settings: Settings,
    questions: list[tuple[str, str]] | None = None,
    *,
    limit: int | None = None,
    audiences: tuple[str, ...] = ("clinician", "patient"),
    progress: bool = True,
) -> SuiteResult:
    from medora.eval.datasets import question_set
    from medora.eval.support import calibrate_or_default
    from medora.qa import ask, get_engine

    questions = questions if questions is not None else question_set("kqa", settings.shared_dir)
    questions = questions[:limit] if limit else questions
    engine = get_engine(settings)
    judge = SupportJudge(engine.embedder)
    note = calibrate_or_default(judge, settings)
    total, by_aud = CitationCounts(), {}
    statuses: Counter[str] = Counter()
    for aud in audiences:
        counts = CitationCounts()
        for i, (q, _) in enumerate(questions, 1):
            answer = ask(q, audience=aud, settings=settings, engine=engine)
            statuses[answer.status.value] += 1
            if answer.status.value in ("answered", "urgent") and answer.references:
                counts.add(check_answer(answer, judge, engine.reader))
            if progress and i % 25 == 0:
                print(f"  citations {aud} {i}/{len(questions)}", file=sys.stderr)
        by_aud[aud] = counts
        total.add(counts)
    figures = figures_of(total) | {
        "bullets": total.bullets,
        "references": total.references,
        "questions": len(questions) * len(audiences),
    }
    per_aud = {a: figures_of(c) for a, c in by_aud.items()}
    keys = ["bullets_cited", "citations_resolve", "cited_pairs_supported", "cited_bullets_supported", "ref_complete"]
    return SuiteResult(
        suite="citations",
        figures=figures,
        tables=[
            Table(
                "Scores by audience",
                ["metric", *audiences, "all"],
                [[k, *(per_aud[a][k] for a in audiences), figures[k]] for k in figures_of(total)],
            ),
            Table("Answer statuses", ["status", "answers"], [[s, n] for s, n in statuses.most_common()]),
            Table("Bullets without a citation (first 20)", ["question | bullet"], [[x] for x in total.uncited[:20]]),
            Table(
                "Citations that do not resolve (first 20)", ["question | bullet"], [[x] for x in total.unresolved[:20]]
            ),
            Table(
                "Cited bullets no cited passage supports (first 20)",
                ["question | bullet"],
                [[x] for x in total.unsupported[:20]],
            ),
        ],
        plots=[
            Plot(
                "citations",
                "Citations: share of bullets and references",
                "bar",
                {a: [per_aud[a][k] for k in keys] for a in audiences},
                labels=["cited", "resolve", "pair supported", "bullet supported", "ref complete"],
                ylabel="share",
            )
        ],
        notes=[
            note,
            f"Counted only answers with status answered or urgent that carry references; "
            f"statuses over all asks: {dict(statuses)}.",
        ],
        config={"audiences": list(audiences), "index": str(settings.index_dir)},
    )
