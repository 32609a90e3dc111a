"""Retrieval quality on TREC 2017 LiveQA medical questions against judged MedQuAD answers.

A thin front for the evaluation suite (`medora eval liveqa` writes the full report with plots):
for each of the 104 questions, rank MedQuAD answers with the hybrid search (query = SUBJECT +
MESSAGE) and score them with the 2,479 judgments.

    MEDORA_DATA_DIR=/path/to/index-data python bench/liveqa.py
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from common import settings  # noqa: E402

from medora.eval.liveqa import run  # noqa: E402


def main() -> None:
    result = run(settings(), progress=False)
    f = result.figures
    print(f"LiveQA 2017 medical, {f['questions']} questions, MedQuAD answers ranked by Medora hybrid search")
    print(
        f"avg score of first answer (0-3): {f['first_answer']:.3f}   "
        "(anchors: 0.637 best TREC 2017 run; 0.827 MedQuAD IR+RQE, BMC Bioinformatics 2019)"
    )
    print(f"P@5 {f['p_at_5']:.3f}   nDCG@10 {f['ndcg_at_10']:.3f}   MRR {f['mrr']:.3f}")
    print(f"ceiling (judged answers with text, ranked perfectly): first answer {f['ceiling_first_answer']:.3f}")


if __name__ == "__main__":
    main()
