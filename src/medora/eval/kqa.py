"""K-QA suite: comprehensiveness and a contradiction (hallucination) proxy on the development half.

Each question goes through `ask()`; the answer's text (summary plus every bullet) is judged against the
physician's must-have statements with the local judge in support.py, whose thresholds are first
calibrated on K-QA's own statements (and whose held-out agreement with those labels is reported).
  * comprehensiveness: share of must-have statements the answer supports (K-QA's Comp);
  * contradiction rate: share of must-have and nice-to-have statements the answer contradicts, by the
    negation-polarity proxy (K-QA's Hall counts answers with at least one; both are reported).
Questions the engine declines (out of scope, insufficient evidence) cover nothing and count.
  * off-topic bullets (#13): share of the bullets of answered questions whose subject is not the question's
    focus (as `medora.question` reads it): the bullet does not name the focus and the passage it comes from is
    not about it (its MedQuAD focus, house topic, source or title). Questions whose focus cannot be read are
    left out of this figure and counted.
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import TYPE_CHECKING

from medora.eval import metrics
from medora.eval.citations import answer_text
from medora.eval.datasets import bench_dir, load_kqa
from medora.eval.results import Plot, SuiteResult, Table
from medora.eval.support import SupportJudge, calibrate
from medora.models import Answer, Passage, Source, Status
from medora.question import QuestionFrame, about, passage_about
from medora.settings import Settings

if TYPE_CHECKING:
    from medora.index.store import IndexReader


def _subject(p: Passage, source: Source | None) -> str:
    """What a passage is about: its MedQuAD focus, else its source's title."""
    return p.meta.get("focus") or (source.title if source is not None else "")


def off_topic(answer: Answer, frame: QuestionFrame, reader: IndexReader) -> list[str]:
    """The bullets of an answer whose subject is not the question's focus (none when the focus is unknown)."""
    focus = frame.focus
    if focus is None or answer.status not in (Status.ANSWERED, Status.URGENT):
        return []
    out = []
    for b in [answer.summary, *(b for s in answer.sections for b in s.bullets)]:
        if not b.text.strip() or about(focus, b.text):
            continue
        passages = [p for pid in b.passages if (p := reader.passage(pid)) is not None]
        sources = {p.source_id: reader.source(p.source_id) for p in passages}
        if not any(passage_about(focus, _subject(p, sources[p.source_id]), p.topic, p.source_id) for p in passages):
            out.append(b.text)
    return out


def bullet_count(answer: Answer) -> int:
    return sum(1 for b in [answer.summary, *(b for s in answer.sections for b in s.bullets)] if b.text.strip())


def run(
    settings: Settings, *, limit: int | None = None, audience: str = "patient", progress: bool = True
) -> SuiteResult:
    from medora.qa import ask, get_engine

    items = load_kqa(bench_dir(settings.shared_dir, "kqa") / "kqa-dev.jsonl")
    engine = get_engine(settings)
    judge = SupportJudge(engine.embedder)
    cal = calibrate(judge, items)
    items = items[:limit] if limit else items
    comp, contra_rates, any_contra, rows = [], [], [], []
    statuses: Counter[str] = Counter()
    drift, bullets_seen, no_focus = 0, 0, 0
    for i, it in enumerate(items, 1):
        answer = ask(it.question, audience=audience, settings=settings, engine=engine)
        statuses[answer.status.value] += 1
        text = answer_text(answer)
        judge.prime([], [text])
        covered = [judge.supports(text, st) for st in it.must_have]
        contradicted = [st for st in it.must_have + it.nice_to_have if judge.contradicts(text, st)]
        c = metrics.rate(sum(covered), len(covered))
        comp.append(c)
        contra_rates.append(metrics.rate(len(contradicted), len(it.must_have) + len(it.nice_to_have)))
        any_contra.append(bool(contradicted))
        frame = engine.frame(answer.standalone_question or it.question)
        strays = off_topic(answer, frame, engine.reader)
        no_focus += frame.focus is None
        if frame.focus is not None and answer.status in (Status.ANSWERED, Status.URGENT):
            drift += len(strays)
            bullets_seen += bullet_count(answer)
        rows.append(
            [
                it.question[:70],
                answer.status.value,
                f"{sum(covered)}/{len(covered)}",
                len(contradicted),
                contradicted[0][:80] if contradicted else "",
                frame.focus.name if frame.focus else "",
                len(strays),
                strays[0][:80] if strays else "",
            ]
        )
        if progress and i % 10 == 0:
            print(f"  kqa {i}/{len(items)}", file=sys.stderr)
    figures = {
        "comprehensiveness": round(metrics.mean(comp), 3),
        "contradicted_statements": round(metrics.mean(contra_rates), 3),
        "answers_with_contradiction": round(metrics.rate(sum(any_contra), len(items)), 3),
        "answered": round(metrics.rate(statuses["answered"] + statuses["urgent"], len(items)), 3),
        "off_topic_bullets": round(metrics.rate(drift, bullets_seen), 3),
        "questions_without_focus": no_focus,
        "judge_threshold_cosine": cal.cosine,
        "judge_threshold_overlap": cal.overlap,
        "judge_agreement_accuracy": cal.agreement["accuracy"],
        "judge_agreement_kappa": cal.agreement["kappa"],
        "questions": len(items),
    }
    buckets = ["0", "1-25%", "26-50%", "51-75%", "76-100%"]
    hist = Counter("0" if c == 0 else buckets[min(4, 1 + int((c - 1e-9) * 4))] for c in comp)
    return SuiteResult(
        suite="kqa",
        figures=figures,
        tables=[
            Table(
                "Judge agreement with K-QA's physician-labelled statements (held-out, two folds by question)",
                ["pairs", "positives", "accuracy", "precision", "recall", "F1", "kappa", "balanced accuracy"],
                [
                    [
                        cal.pairs,
                        cal.positives,
                        *(
                            cal.agreement[k]
                            for k in ("accuracy", "precision", "recall", "f1", "kappa", "balanced_accuracy")
                        ),
                    ]
                ],
            ),
            Table(
                "Contradiction proxy on must-have statements against their own answer, as written and negated",
                ["pairs", "accuracy", "precision", "recall", "F1"],
                [
                    [
                        int(cal.contradiction_check["pairs"]),
                        *(cal.contradiction_check[k] for k in ("accuracy", "precision", "recall", "f1")),
                    ]
                ],
            ),
            Table("Answer statuses", ["status", "questions"], [[s, n] for s, n in statuses.most_common()]),
            Table(
                "Per question",
                [
                    "question",
                    "status",
                    "must-haves covered",
                    "contradicted",
                    "first contradicted",
                    "focus",
                    "off-topic bullets",
                    "first off-topic",
                ],
                rows,
            ),
        ],
        plots=[
            Plot(
                "comprehensiveness",
                "K-QA: questions by share of must-have statements covered",
                "bar",
                {"questions": [hist[b] for b in buckets]},
                labels=buckets,
                ylabel="questions",
            )
        ],
        notes=[
            f"Audience: {audience} (K-QA questions are real patient questions).",
            "Positives: a statement with the physician answer it was written from; negatives: the same statement "
            "with the answer to the most similar other question (some of those may truly support it, so the "
            "agreement is a lower bound).",
            "The contradiction check negates statements mechanically (insert or remove 'not'); it shows the proxy "
            "catches explicit negation, nothing more.",
        ],
        config={"audience": audience, "index": str(settings.index_dir)},
    )
