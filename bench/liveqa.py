"""Retrieval quality on TREC 2017 LiveQA medical questions against judged MedQuAD answers.

For each of the 104 questions, rank MedQuAD answers with the hybrid search (query = SUBJECT + MESSAGE)
and score them with the 2,479 judgments: average score of the first answer on the 0-3 scale
(1-Incorrect=0 ... 4-Excellent=3, unjudged=0), P@5 and MRR (relevant = judged 3-Incomplete or better),
nDCG@10 (gain = the 0-3 score).

    MEDORA_DATA_DIR=/path/to/index-data python bench/liveqa.py
"""

from __future__ import annotations

import math
import os
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
from common import settings  # noqa: E402

from medora.qa import get_engine  # noqa: E402

SCORE = {"1-Incorrect": 0, "2-Related": 1, "3-Incomplete": 2, "4-Excellent": 3}
NO_TEXT = ("ADAM_", "MPlusDrugs_", "MPlusHerbsSuppls_")


def load(shared: Path) -> tuple[list[tuple[str, str]], dict[str, dict[str, int]]]:
    root = ET.parse(shared / "bench" / "liveqa" / "TREC-2017-LiveQA-Medical-Test-Questions-w-summaries.xml").getroot()
    questions = []
    for i, q in enumerate(root.iter("NLM-QUESTION"), start=1):
        orig = q.find("Original-Question")
        text = " ".join(filter(None, [(orig.findtext("SUBJECT") or "").strip(), (orig.findtext("MESSAGE") or "").strip()]))
        questions.append((str(i), text))
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    for line in (shared / "bench" / "liveqa" / "qrels-medquad-2479.txt").read_text().splitlines():
        qid, judgment, aid = line.split()
        qrels[qid][aid.removesuffix(".txt")] = SCORE[judgment]
    return questions, qrels


def ndcg(scores: list[int], ideal: list[int], k: int = 10) -> float:
    dcg = sum((2**s - 1) / math.log2(i + 2) for i, s in enumerate(scores[:k]))
    idcg = sum((2**s - 1) / math.log2(i + 2) for i, s in enumerate(sorted(ideal, reverse=True)[:k]))
    return dcg / idcg if idcg else 0.0


def main() -> None:
    s = settings()
    questions, qrels = load(s.shared_dir)  # type: ignore[arg-type]
    engine = get_engine(s)
    first, p5, mrr, nd, ceiling = [], [], [], [], []
    for qid, text in questions:
        hits, _ = engine.search(text[:2000], k=10, corpus="medquad", topic_boost=False)
        ranked = [h.passage.id.removeprefix("medquad:") for h in hits]
        judged = qrels.get(qid, {})
        scores = [judged.get(a, 0) for a in ranked]
        first.append(scores[0] if scores else 0)
        p5.append(sum(1 for x in scores[:5] if x >= 2) / 5)
        rr = next((1 / (i + 1) for i, x in enumerate(scores) if x >= 2), 0.0)
        mrr.append(rr)
        nd.append(ndcg(scores, list(judged.values())))
        with_text = [v for a, v in judged.items() if not a.startswith(NO_TEXT)]
        ceiling.append(max(with_text, default=0))
    n = len(questions)
    print(f"LiveQA 2017 medical, {n} questions, MedQuAD answers ranked by Medora hybrid search")
    print(f"avg score of first answer (0-3): {sum(first) / n:.3f}   "
          f"(anchors: 0.637 best TREC 2017 run; 0.827 MedQuAD IR+RQE, BMC Bioinformatics 2019)")
    print(f"P@5 {sum(p5) / n:.3f}   nDCG@10 {sum(nd) / n:.3f}   MRR@10 {sum(mrr) / n:.3f}")
    print(f"ceiling from judged answers with text: {sum(ceiling) / n:.3f}")


if __name__ == "__main__":
    main()
