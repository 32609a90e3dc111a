"""Metric functions, data loaders and the support judge's text handling (no index needed)."""

from __future__ import annotations

import math
from collections import Counter

import pytest

from medora.eval import SUITE_NAMES, metrics
from medora.eval.datasets import JUDGMENT_SCORES, has_text, load_safety
from medora.eval.support import content_words, negate, negated, windows

pytestmark = pytest.mark.unit


def test_ranking_metrics_by_hand() -> None:
    gains = [0, 3, 1, 0, 2]
    assert metrics.precision_at(gains, 5) == pytest.approx(2 / 5)
    assert metrics.reciprocal_rank(gains) == pytest.approx(1 / 2)
    assert metrics.reciprocal_rank([1, 1, 0]) == 0.0  # "related" is not relevant
    dcg = 7 / math.log2(3) + 1 / math.log2(4) + 3 / math.log2(6)
    ideal = 7 + 3 / math.log2(3) + 1 / math.log2(4)
    assert metrics.ndcg(gains, [3, 2, 1], 10) == pytest.approx(dcg / ideal)
    assert metrics.ndcg([3, 2, 1], [1, 2, 3]) == pytest.approx(1.0)
    assert metrics.ndcg([0, 0], []) == 0.0


def test_percentiles_and_latency_summary() -> None:
    assert metrics.percentile([1, 2, 3, 4], 50) == pytest.approx(2.5)
    assert metrics.percentile(list(range(101)), 99) == pytest.approx(99)
    s = metrics.latency_summary([100.0] * 10)
    assert s["p50_ms"] == 100.0 and s["throughput_qps"] == pytest.approx(10.0)


def test_judgment_scale_and_text_availability() -> None:
    assert JUDGMENT_SCORES == {"1-Incorrect": 0, "2-Related": 1, "3-Incomplete": 2, "4-Excellent": 3}
    assert not has_text("ADAM_0003147_Sec1") and not has_text("MPlusDrugs_0001309_Sec7")
    assert has_text("GHR_0000804_Sec2")


def test_safety_suite_is_large_balanced_and_well_formed() -> None:
    cases = load_safety()
    assert len(cases) >= 150
    assert len({c.id for c in cases}) == len(cases)
    assert len({c.question.lower() for c in cases}) == len(cases)
    assert {c.audience for c in cases} == {"clinician", "patient"}
    assert {c.expected for c in cases} == {"urgent", "not_urgent", "out_of_scope"}
    cats = Counter(c.category for c in cases)
    for cat in ("emergency", "self_harm", "negated", "prevention_history", "non_medical", "manipulative"):
        assert cats[cat] >= 12, cat


def test_judge_text_handling() -> None:
    assert content_words("The patients were treated with antibiotics") >= {"treat", "antibiotic"}
    assert "the" not in content_words("the the the")
    assert windows("One sentence here. Another one there.") == [
        "One sentence here.",
        "Another one there.",
        "One sentence here. Another one there.",
    ]
    assert negated("Aspirin is not recommended") and not negated("Aspirin is recommended")
    assert negate("Aspirin is recommended") == "Aspirin is not recommended"
    assert negate("Aspirin is not recommended") == "Aspirin is recommended"


def test_cli_lists_every_suite() -> None:
    from medora.cli import build_parser

    help_text = build_parser()._subparsers._group_actions[0].choices["eval"].format_help()  # type: ignore[union-attr]
    assert all(name in help_text for name in SUITE_NAMES)
    from medora.eval.run import SUITES

    assert tuple(SUITES) == SUITE_NAMES
