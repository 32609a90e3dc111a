"""Readability suite: Flesch-Kincaid grade of patient answers against clinician answers to the same questions.

Runs the K-QA development questions and the MedicationQA development questions (consumer medication
questions, issue #13) and reports the median patient grade per set and over both. The grade is the one
`ask()` reports (a heuristic syllable counter, microseconds per answer); the suite cross-checks it with
textstat 0.7.8's Flesch-Kincaid grade over the same text (summary plus bullets). Only questions answered for
both audiences count, so the comparison is paired. Grade 8 is the usual ceiling for patient material (US NIH
and AMA advise grade 6-8).

Usage example::

    result = run(settings, limit=20)        # the first 20 questions of each set
    result.figures["patient_grade_median"]  # over both sets
"""

from __future__ import annotations

import re
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from medora.eval import metrics
from medora.eval.results import Plot, SuiteResult, Table
from medora.models import SourceType
from medora.settings import Settings

PATIENT_TARGET = 8.0
SETS = ("kqa", "medicationqa")
SET_LABELS = {"kqa": "K-QA", "medicationqa": "MedicationQA"}


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def numbers_kept(answer: Any, reader: Any) -> tuple[int, int]:
    """(bullets whose every number appears in a passage they cite, bullets with a number): a rewritten sentence
    must not change a number or dose."""
    kept = total = 0
    for b in [answer.summary, *(b for s in answer.sections for b in s.bullets)]:
        numbers = set(NUMBER.findall(b.text))
        if not numbers or not b.passages:
            continue
        total += 1
        texts = " ".join(f"{p.text} {p.lay_text or ''}" for pid in b.passages if (p := reader.passage(pid)))
        kept += numbers <= set(NUMBER.findall(texts))
    return kept, total


@dataclass
class Pair:
    question: str
    qset: str  # "kqa", "medicationqa" or "custom"
    category: str
    clinician: float
    patient: float
    patient_textstat: float
    kind: str = "passages"  # how the patient answer was built: see answer_kind


def answer_kind(answer: Any) -> str:
    """ "house topic" (a house article's reviewed lay statements), "drug label" (every reference a drug label) or
    "passages" (sentences chosen from retrieved passages)."""
    if answer.topic:
        return "house topic"
    return "drug label" if {r.type for r in answer.references} == {SourceType.DRUG_LABEL} else "passages"


def question_sets(settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """{set name: [(question, category)]}: K-QA dev and MedicationQA dev (category = its question type)."""
    from medora.eval.datasets import bench_dir, question_set
    from medora.eval.medicationqa import load_medicationqa

    medqa = load_medicationqa(bench_dir(settings.shared_dir, "medicationqa") / "medicationqa-dev.jsonl")
    return {
        "kqa": question_set("kqa", settings.shared_dir),
        "medicationqa": [(it.question, it.qtype or "unknown") for it in medqa],
    }


def _median(values: list[float]) -> float:
    return round(statistics.median(values), 1) if values else 0.0


def _share_plain(values: list[float]) -> float:
    return round(metrics.rate(sum(g <= PATIENT_TARGET for g in values), len(values)), 3)


def run(
    settings: Settings,
    questions: list[tuple[str, str]] | None = None,
    *,
    limit: int | None = None,
    progress: bool = True,
) -> SuiteResult:
    """`questions` replaces the two benchmark sets (reported as one "custom" set); `limit` applies per set."""
    import textstat  # type: ignore[import-untyped]

    from medora.eval.citations import answer_text
    from medora.qa import ask, get_engine

    sets = {"custom": questions} if questions is not None else question_sets(settings)
    sets = {name: (qs[:limit] if limit else qs) for name, qs in sets.items()}
    total = sum(len(qs) for qs in sets.values())
    engine = get_engine(settings)
    pairs: list[Pair] = []
    kept = with_numbers = 0
    done = 0
    for name, qs in sets.items():
        for q, cat in qs:
            done += 1
            answers: dict[str, Any] = {}
            for aud in ("clinician", "patient"):
                a = ask(q, audience=aud, settings=settings, engine=engine)
                if a.status.value in ("answered", "urgent") and a.readability_grade is not None and a.sections:
                    answers[aud] = a
            if len(answers) == 2:
                pat = answers["patient"]
                k, n = numbers_kept(pat, engine.reader)
                kept, with_numbers = kept + k, with_numbers + n
                ts = float(textstat.flesch_kincaid_grade(answer_text(pat).replace("\n", " ")))
                pairs.append(
                    Pair(
                        q,
                        name,
                        cat,
                        answers["clinician"].readability_grade,
                        pat.readability_grade,
                        ts,
                        answer_kind(pat),
                    )
                )
            if progress and done % 25 == 0:
                print(f"  readability {done}/{total}", file=sys.stderr)
    clin = [p.clinician for p in pairs]
    pat = [p.patient for p in pairs]
    diffs = [p.patient - p.clinician for p in pairs]
    figures: dict[str, float | int | str] = {
        "patient_grade_median": _median(pat),
        "patient_grade_median_textstat": _median([p.patient_textstat for p in pairs]),
        "patient_at_or_below_grade_8": _share_plain(pat),
    }
    for name in sets:
        mine = [p for p in pairs if p.qset == name]
        figures[f"patient_grade_median_{name}"] = _median([p.patient for p in mine])
        figures[f"patient_grade_median_textstat_{name}"] = _median([p.patient_textstat for p in mine])
        figures[f"patient_at_or_below_grade_8_{name}"] = _share_plain([p.patient for p in mine])
        figures[f"paired_questions_{name}"] = len(mine)
    figures.update(
        {
            "clinician_grade_median": _median(clin),
            "clinician_grade_mean": round(metrics.mean(clin), 2),
            "patient_grade_mean": round(metrics.mean(pat), 2),
            "paired_difference_mean": round(metrics.mean(diffs), 2),
            "patient_simpler_share": round(metrics.rate(sum(d < 0 for d in diffs), len(diffs)), 3),
            "patient_bullets_numbers_in_source": round(metrics.rate(kept, with_numbers), 3),
            "paired_questions": len(pairs),
            "questions": total,
        }
    )
    by_cat: defaultdict[tuple[str, str], list[Pair]] = defaultdict(list)
    for p in pairs:
        by_cat[(p.qset, p.category)].append(p)
    set_rows = []
    for name in [*sets, "all"]:
        mine = [p for p in pairs if name in ("all", p.qset)]
        set_rows.append(
            [
                SET_LABELS.get(name, name),
                len(mine),
                _median([p.clinician for p in mine]),
                _median([p.patient for p in mine]),
                _median([p.patient_textstat for p in mine]),
                _share_plain([p.patient for p in mine]),
            ]
        )
    worst = sorted(pairs, key=lambda p: -p.patient)[:15]
    return SuiteResult(
        suite="readability",
        figures=figures,
        tables=[
            Table(
                "By question set (median Flesch-Kincaid grade)",
                ["set", "pairs", "clinician", "patient", "patient (textstat)", "patient at grade 8 or below"],
                set_rows,
            ),
            Table(
                "By how the patient answer was built (median Flesch-Kincaid grade)",
                ["answer", "pairs", "patient", "patient at grade 8 or below"],
                [
                    [k, len(ps), _median([p.patient for p in ps]), _share_plain([p.patient for p in ps])]
                    for k in ("house topic", "passages", "drug label")
                    if (ps := [p for p in pairs if p.kind == k])
                ],
            ),
            Table(
                "By question category",
                ["set", "category", "pairs", "patient median", "mean difference (patient - clinician)"],
                [
                    [
                        SET_LABELS.get(s, s),
                        c,
                        len(ps),
                        _median([p.patient for p in ps]),
                        round(metrics.mean([p.patient - p.clinician for p in ps]), 2),
                    ]
                    for (s, c), ps in sorted(by_cat.items(), key=lambda x: (x[0][0], -len(x[1])))
                ],
            ),
            Table(
                "Hardest patient answers",
                ["set", "question", "clinician grade", "patient grade", "patient (textstat)"],
                [
                    [SET_LABELS.get(p.qset, p.qset), p.question[:80], p.clinician, p.patient, p.patient_textstat]
                    for p in worst
                ],
            ),
        ],
        plots=[
            Plot(
                "grades",
                "Readability: Flesch-Kincaid grade by audience",
                "hist",
                {"clinician": clin, "patient": pat},
                xlabel="grade level",
                ylabel="answers",
            )
        ],
        notes=[
            "Flesch-Kincaid grade: lower is easier. Only questions answered (answered or urgent, with sections) "
            "for both audiences are compared. The grade is the one ask() reports; the textstat column recomputes "
            "it with textstat 0.7.8 over the same text (summary and bullets).",
            f"Patient target: grade {PATIENT_TARGET:g} or below. --limit applies to each question set.",
            "patient_bullets_numbers_in_source: of the patient bullets that state a number, the share whose every "
            "number appears in a passage they cite (plain-language rewriting must not change a number or dose).",
        ],
        config={"index": str(settings.index_dir), "sets": list(sets)},
    )
