"""Plain metric functions: graded ranking metrics, latency percentiles, rates.

Ranking metrics follow TREC conventions: unjudged documents score 0; nDCG uses the exponential gain
2^rel - 1 (Jarvelin and Kekalainen 2002, as in trec_eval's ndcg) and its ideal ranking comes from
every judged answer, including those MedQuAD has no text for.

Usage example::

    ndcg([3, 0, 1], ideal=[3, 2, 1], k=10)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

# An answer counts relevant for P@k and MRR at judgment 3-Incomplete or better (score >= 2): a
# "2-Related" answer is on topic but does not answer the question, which a user would not accept.
RELEVANT_SCORE = 2


def dcg(gains: Sequence[float], k: int) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains[:k]))


def ndcg(gains: Sequence[float], ideal: Sequence[float], k: int = 10) -> float:
    best = dcg(sorted(ideal, reverse=True), k)
    return dcg(gains, k) / best if best > 0 else 0.0


def precision_at(gains: Sequence[float], k: int = 5, threshold: float = RELEVANT_SCORE) -> float:
    return sum(1 for g in gains[:k] if g >= threshold) / k


def reciprocal_rank(gains: Sequence[float], threshold: float = RELEVANT_SCORE) -> float:
    for i, g in enumerate(gains):
        if g >= threshold:
            return 1.0 / (i + 1)
    return 0.0


def mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def rate(hits: int, total: int) -> float:
    return hits / total if total else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (numpy's default), q in 0..100."""
    if not values:
        return 0.0
    xs = sorted(values)
    pos = (len(xs) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    total_s = sum(ms) / 1000
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "max_ms": round(max(ms), 1) if ms else 0.0,
        "throughput_qps": round(len(ms) / total_s, 2) if total_s else 0.0,
    }
