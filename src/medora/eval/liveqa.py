"""LiveQA suite: rank MedQuAD answers for the 104 TREC 2017 LiveQA medical questions.

Retrieval only (`engine.search(..., corpus="medquad")`): both retrievers and the fusion see MedQuAD
passages only, whatever else the index holds. Query = the question's SUBJECT + MESSAGE, as in the
data README's baseline.
Scores: judgment 1-Incorrect..4-Excellent -> 0..3; unjudged answers score 0; an answer is relevant
for P@5 and MRR at score >= 2 (see metrics.RELEVANT_SCORE). Averages are over all 104 questions
(one has no judgments and scores 0 everywhere). Judged answers from ADAM, MedlinePlus drugs and
herbs have no text in MedQuAD, so no system can return them: the "ceiling" row ranks the judged
answers that do have text perfectly.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import TYPE_CHECKING

from medora.eval import metrics
from medora.eval.datasets import bench_dir, has_text, load_liveqa
from medora.eval.results import Plot, SuiteResult, Table
from medora.settings import Settings

if TYPE_CHECKING:
    from medora.retrieval import SearchEngine

PREFIX = "medquad:"
DEPTH = 10  # answers ranked per question (nDCG@10)


def ranked_ids(engine: SearchEngine, query: str, depth: int = DEPTH) -> list[str]:
    """MedQuAD answer ids in rank order: the hybrid search restricted to the MedQuAD corpus."""
    hits, _ = engine.search(query, k=depth, corpus="medquad", topic_boost=False)
    return list(dict.fromkeys(h.passage.id.removeprefix(PREFIX) for h in hits))[:depth]


def _scores(gains: list[int], ideal: list[int]) -> dict[str, float]:
    return {
        "first_answer": float(gains[0]) if gains else 0.0,
        "p_at_5": metrics.precision_at(gains, 5),
        "ndcg_at_10": metrics.ndcg(gains, ideal, 10),
        "mrr": metrics.reciprocal_rank(gains),
    }


def run(settings: Settings, *, limit: int | None = None, progress: bool = True) -> SuiteResult:
    from medora.qa import get_engine

    questions, qrels = load_liveqa(bench_dir(settings.shared_dir, "liveqa"))
    questions = questions[:limit] if limit else questions
    engine = get_engine(settings)
    per_q, ceiling, by_type = [], [], defaultdict(list)
    rows = []
    for i, q in enumerate(questions, 1):
        judged = qrels.get(q.qid, {})
        ideal = list(judged.values())
        gains = [judged.get(a, 0) for a in ranked_ids(engine, q.query[: settings.max_question_chars])]
        s = _scores(gains, ideal)
        per_q.append(s)
        by_type[q.qtype].append(s["first_answer"])
        reachable = sorted((v for a, v in judged.items() if has_text(a)), reverse=True)[:DEPTH]
        ceiling.append(_scores(reachable, ideal))
        rows.append(
            [
                q.qid,
                q.qtype,
                q.subject[:50],
                len(judged),
                s["first_answer"],
                round(s["ndcg_at_10"], 3),
                reachable[0] if reachable else 0,
            ]
        )
        if progress and i % 10 == 0:
            print(f"  liveqa {i}/{len(questions)}", file=sys.stderr)
    keys = ("first_answer", "p_at_5", "ndcg_at_10", "mrr")
    figures = {k: round(metrics.mean([s[k] for s in per_q]), 3) for k in keys}
    figures |= {f"ceiling_{k}": round(metrics.mean([s[k] for s in ceiling]), 3) for k in keys}
    judged_ids = [a for j in qrels.values() for a in j]
    figures["judged_answers_without_text"] = round(
        metrics.rate(sum(not has_text(a) for a in judged_ids), len(judged_ids)), 3
    )
    figures["questions"] = len(questions)
    types = sorted(by_type, key=lambda t: -len(by_type[t]))
    return SuiteResult(
        suite="liveqa",
        figures=figures,
        tables=[
            Table(
                "Scores (mean over questions; the ceiling ranks the judged answers that have text perfectly)",
                ["metric", "Medora", "ceiling"],
                [[k, figures[k], figures[f"ceiling_{k}"]] for k in keys],
            ),
            Table(
                "First-answer score by question type",
                ["type", "questions", "mean first-answer score"],
                [[t, len(by_type[t]), round(metrics.mean(by_type[t]), 2)] for t in types],
            ),
            Table(
                "Per question", ["qid", "type", "subject", "judged", "first answer", "nDCG@10", "best reachable"], rows
            ),
        ],
        plots=[
            Plot(
                "score_by_type",
                "LiveQA: mean first-answer score (0-3) by question type",
                "bar",
                {"Medora": [metrics.mean(by_type[t]) for t in types]},
                labels=[f"{t} ({len(by_type[t])})" for t in types],
                ylabel="score (0-3)",
            ),
            Plot(
                "metrics",
                "LiveQA: Medora against the ceiling",
                "bar",
                {"Medora": [figures[k] for k in keys], "ceiling": [figures[f"ceiling_{k}"] for k in keys]},
                labels=["first answer (0-3)", "P@5", "nDCG@10", "MRR"],
            ),
        ],
        notes=[
            "Relevant for P@5/MRR: judgment 3-Incomplete or better (score >= 2); 2-Related answers are on topic "
            "but do not answer the question.",
            "Unjudged answers score 0, so these figures are a lower bound on retrieval quality.",
            "Baseline from the data README: plain BM25 over MedQuAD scores 0.24 first-answer; the ceiling ~1.1.",
        ],
        config={"depth": DEPTH, "index": str(settings.index_dir)},
    )
