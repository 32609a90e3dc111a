"""Readability suite: Flesch-Kincaid grade of patient answers against clinician answers to the same questions.

Uses the grade `ask()` reports (textstat 0.7.8 over the answer's text). Only questions answered for
both audiences count, so the comparison is paired. Grade 8 is the usual ceiling for patient material
(US NIH and AMA advise grade 6-8).
"""

from __future__ import annotations

import statistics
import sys
from collections import defaultdict

from medora.eval import metrics
from medora.eval.results import Plot, SuiteResult, Table
from medora.settings import Settings

PATIENT_TARGET = 8.0


def run(
    settings: Settings,
    questions: list[tuple[str, str]] | None = None,
    *,
    limit: int | None = None,
    progress: bool = True,
) -> SuiteResult:
    from medora.eval.datasets import question_set
    from medora.qa import ask, get_engine

    questions = questions if questions is not None else question_set("kqa", settings.shared_dir)
    questions = questions[:limit] if limit else questions
    engine = get_engine(settings)
    pairs: list[tuple[str, str, float, float]] = []  # question, category, clinician grade, patient grade
    by_cat: defaultdict[str, list[float]] = defaultdict(list)
    for i, (q, cat) in enumerate(questions, 1):
        grades: list[float] = []  # one per audience that got a graded answer
        for aud in ("clinician", "patient"):
            a = ask(q, audience=aud, settings=settings, engine=engine)
            if a.status.value in ("answered", "urgent") and a.readability_grade is not None and a.sections:
                grades.append(a.readability_grade)
        if len(grades) == 2:
            clin_grade, pat_grade = grades
            pairs.append((q, cat, clin_grade, pat_grade))
            by_cat[cat].append(pat_grade - clin_grade)
        if progress and i % 25 == 0:
            print(f"  readability {i}/{len(questions)}", file=sys.stderr)
    clin = [p[2] for p in pairs]
    pat = [p[3] for p in pairs]
    diffs = [p - c for _, _, c, p in pairs]
    figures = {
        "clinician_grade_mean": round(metrics.mean(clin), 2),
        "patient_grade_mean": round(metrics.mean(pat), 2),
        "clinician_grade_median": round(statistics.median(clin), 1) if clin else 0.0,
        "patient_grade_median": round(statistics.median(pat), 1) if pat else 0.0,
        "paired_difference_mean": round(metrics.mean(diffs), 2),
        "patient_simpler_share": round(metrics.rate(sum(d < 0 for d in diffs), len(diffs)), 3),
        "patient_at_or_below_grade_8": round(metrics.rate(sum(g <= PATIENT_TARGET for g in pat), len(pat)), 3),
        "paired_questions": len(pairs),
        "questions": len(questions),
    }
    worst = sorted(pairs, key=lambda p: -p[3])[:10]
    return SuiteResult(
        suite="readability",
        figures=figures,
        tables=[
            Table(
                "By question category (patient minus clinician grade)",
                ["category", "pairs", "mean difference"],
                [[c, len(d), round(metrics.mean(d), 2)] for c, d in sorted(by_cat.items(), key=lambda x: -len(x[1]))],
            ),
            Table(
                "Hardest patient answers",
                ["question", "clinician grade", "patient grade"],
                [[q[:80], c, p] for q, _, c, p in worst],
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
            "for both audiences are compared.",
            f"Patient target: grade {PATIENT_TARGET:g} or below.",
        ],
        config={"index": str(settings.index_dir)},
    )
