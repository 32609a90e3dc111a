"""MedicationQA suite: consumer medication questions, by question type (issue #13).

On the development half of MedicationQA (Ben Abacha et al., MEDINFO 2019; 345 questions, each with its
focus drug, question type and a reference answer), every question goes through `ask()` (patient
audience) and the suite reports, per question type:
  * answered / declined: answered or urgent, against out of scope or insufficient evidence;
  * focus label in library: a drug label for the focus drug is in the index (its name matches a label's
    brand, generic or substance name, as the engine's own `drugs_named` reads it; for a combination product
    such as "hydrocodone + acetaminophen", each of its drugs);
  * focus label cited: of those, the share whose answer cites that label (answered from it);
  * reference coverage: the share of the reference answer's sentences (up to 8) the answer supports, by the
    local judge in support.py, calibrated on K-QA; declined answers cover nothing.
The reference answers are evaluation-only text, copied from third-party pages: they are read here and
nowhere else, never indexed.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medora.eval import metrics
from medora.eval.citations import answer_text
from medora.eval.datasets import _need, bench_dir
from medora.eval.results import Plot, SuiteResult, Table
from medora.eval.support import SupportJudge, calibrate_or_default
from medora.models import DrugName
from medora.settings import Settings
from medora.text import sentences

MAX_REFERENCE_SENTENCES = 8
ANSWERED = ("answered", "urgent")


@dataclass
class MedicationQuestion:
    id: str
    question: str
    focus: str  # the focus drug as the annotators wrote it, e.g. "aspirin 81 mg"
    qtype: str  # e.g. "Dose", "Side effects", "Usage/time"
    answer: str  # the reference answer (evaluation only)


def load_medicationqa(path: Path) -> list[MedicationQuestion]:
    rows = [json.loads(line) for line in _need(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return [
        MedicationQuestion(
            str(r["id"]), r["question"].strip(), (r.get("focus") or "").strip(), r.get("qtype") or "", r["answer"]
        )
        for r in rows
    ]


def reference_statements(answer: str) -> list[str]:
    """The reference answer's sentences that state something (five words or more), the first few."""
    return [s for s in sentences(answer) if len(s.split()) >= 5][:MAX_REFERENCE_SENTENCES]


# "+" or "/" in the annotated focus joins the drugs of one combination product ("hydrocodone + acetaminophen",
# "cilastatin/imipenem"); other lists ("warfarin; cabbage", "Eliquis, Metoprolol") name several things asked about.
COMBINATION = re.compile(r"\s*[+/]\s*")


def focus_labels(focus: str, drugs_named: Callable[[str], list[DrugName]]) -> set[str]:
    """The label ids of the focus drug as `drugs_named` reads it. A combination product has a label only when
    each of its drugs has one: an acetaminophen label does not answer a question about hydrocodone with
    acetaminophen."""
    found = [{sid for d in drugs_named(part) for sid in d.source_ids} for part in COMBINATION.split(focus) if part]
    return set().union(*found) if found and all(found) else set()


@dataclass
class Outcome:
    qtype: str
    answered: bool
    has_label: bool
    cited_label: bool
    coverage: float


def run(
    settings: Settings,
    *,
    limit: int | None = None,
    audience: str = "patient",
    progress: bool = True,
    calibrate: bool = True,
) -> SuiteResult:
    """`calibrate=False` keeps the judge's documented default thresholds (quick runs; tests)."""
    from medora.qa import ask, get_engine

    items = load_medicationqa(bench_dir(settings.shared_dir, "medicationqa") / "medicationqa-dev.jsonl")
    items = items[:limit] if limit else items
    engine = get_engine(settings)
    judge = SupportJudge(engine.embedder)
    judge_note = (
        calibrate_or_default(judge, settings)
        if calibrate
        else f"Support judge: default thresholds (cosine >= {judge.cosine}, overlap >= {judge.overlap})."
    )
    outcomes: list[Outcome] = []
    rows: list[list[object]] = []
    statuses: Counter[str] = Counter()
    for i, it in enumerate(items, 1):
        answer = ask(it.question, audience=audience, settings=settings, engine=engine)
        statuses[answer.status.value] += 1
        labels = focus_labels(it.focus, engine.drugs_named)
        cited = bool(labels & {r.source_id for r in answer.references})
        answered = answer.status.value in ANSWERED
        statements = reference_statements(it.answer)
        text = answer_text(answer) if answered else ""
        judge.prime(statements, [text])
        covered = sum(judge.supports(text, st) for st in statements) if text else 0
        coverage = metrics.rate(covered, len(statements)) if statements else 0.0
        outcomes.append(Outcome(it.qtype, answered, bool(labels), cited, coverage))
        rows.append(
            [
                it.id,
                it.question[:70],
                it.qtype,
                it.focus[:30],
                answer.status.value,
                "yes" if labels else "no",
                "yes" if cited else "",
                f"{covered}/{len(statements)}",
                answer.title[:60],
            ]
        )
        if progress and i % 25 == 0:
            print(f"  medicationqa {i}/{len(items)}", file=sys.stderr)
    by_type: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_type[o.qtype].append(o)
    with_label = [o for o in outcomes if o.has_label]
    figures: dict[str, float | int | str] = {
        "answered": _share(outcomes, lambda o: o.answered),
        "declined": _share(outcomes, lambda o: not o.answered),
        "focus_label_in_library": _share(outcomes, lambda o: o.has_label),
        "focus_label_cited": _share(with_label, lambda o: o.cited_label),
        "labelled_answered": _share(with_label, lambda o: o.answered),
        "reference_coverage": round(metrics.mean([o.coverage for o in outcomes]), 3),
        "reference_coverage_labelled": round(metrics.mean([o.coverage for o in with_label]), 3),
        "reference_coverage_answered": round(metrics.mean([o.coverage for o in outcomes if o.answered]), 3),
        "questions": len(outcomes),
        "questions_with_label": len(with_label),
    }
    types = sorted(by_type, key=lambda t: (-len(by_type[t]), t))
    return SuiteResult(
        suite="medicationqa",
        figures=figures,
        tables=[
            Table(
                "By question type",
                [
                    "question type",
                    "questions",
                    "answered",
                    "declined",
                    "focus label in library",
                    "label cited (of those)",
                    "reference coverage",
                    "coverage, labelled",
                ],
                [_type_row(t, by_type[t]) for t in types] + [_type_row("all", outcomes)],
            ),
            Table("Answer statuses", ["status", "questions"], [[s, n] for s, n in statuses.most_common()]),
            Table(
                "Per question",
                [
                    "id",
                    "question",
                    "type",
                    "focus",
                    "status",
                    "label in library",
                    "label cited",
                    "reference sentences covered",
                    "title",
                ],
                rows,
            ),
        ],
        plots=[
            Plot(
                "by_type",
                "MedicationQA: answered share and reference coverage by question type (types with 5+ questions)",
                "bar",
                {
                    "answered": [_share(by_type[t], lambda o: o.answered) for t in types if len(by_type[t]) >= 5],
                    "reference coverage": [
                        round(metrics.mean([o.coverage for o in by_type[t]]), 3) for t in types if len(by_type[t]) >= 5
                    ],
                },
                labels=[t for t in types if len(by_type[t]) >= 5],
                ylabel="share",
            )
        ],
        notes=[
            f"Audience: {audience} (MedicationQA questions are consumers' own words, typos included).",
            judge_note,
            f"Reference coverage: share of the reference answer's first {MAX_REFERENCE_SENTENCES} sentences of five "
            "words or more that the answer supports; declined answers cover nothing. Many references quote pages "
            "we do not hold (MedlinePlus, Mayo Clinic), so coverage has a low ceiling.",
            "Focus label in library: the annotated focus drug matches a label's brand, generic or substance name; "
            "a combination product (drugs joined by + or /) counts only when each of its drugs does.",
            "The reference answers are evaluation-only: read here, never indexed.",
        ],
        config={"audience": audience, "index": str(settings.index_dir)},
    )


def _share(outcomes: list[Outcome], pred) -> float:  # noqa: ANN001 - a predicate on Outcome
    return round(metrics.rate(sum(1 for o in outcomes if pred(o)), len(outcomes)), 3)


def _type_row(name: str, outs: list[Outcome]) -> list[object]:
    labelled = [o for o in outs if o.has_label]
    return [
        name,
        len(outs),
        _share(outs, lambda o: o.answered),
        _share(outs, lambda o: not o.answered),
        _share(outs, lambda o: o.has_label),
        _share(labelled, lambda o: o.cited_label) if labelled else "",
        round(metrics.mean([o.coverage for o in outs]), 3),
        round(metrics.mean([o.coverage for o in labelled]), 3) if labelled else "",
    ]
