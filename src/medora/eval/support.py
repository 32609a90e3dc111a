"""A local, documented judge of "does this text support that statement?" (no LLM, no network).

Method. The candidate text is split into sentences, and into windows of two neighbouring sentences
(a statement often joins two). For each window the judge computes
  * overlap: the share of the statement's content words (lower-cased, light suffix stripping,
    stop words dropped) that occur in the window, and
  * cosine: MiniLM embedding similarity between statement and window (the engine's own embedder).
A statement is supported when some window reaches both thresholds. The thresholds are calibrated on
K-QA's physician-written statements: each statement paired with the physician answer it was drawn
from is a positive, and paired with the answer to the most similar *other* question a negative.
`calibrate` picks the thresholds with the best balanced accuracy; `agreement` reports how often the
judge agrees with those labels on questions it was not calibrated on (two-fold, split by question).

Contradiction proxy (after K-QA's "hallucination" = a statement the answer contradicts): a statement
whose best supporting window matches on topic (both thresholds met) but differs in negation polarity
("X is not recommended" against "X is recommended") counts as contradicted. It is a proxy: it only
sees explicit negation, not wrong numbers or swapped drugs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

# The judge itself lives on the runtime side (generative mode verifies with it); re-exported here.
from medora.compose.support import (  # noqa: E402, F401
    DEFAULT_COSINE,
    DEFAULT_OVERLAP,
    Match,
    SupportJudge,
    content_words,
    negated,
    windows,
)
from medora.eval.datasets import KQAItem
from medora.settings import Settings


@dataclass
class Calibration:
    cosine: float
    overlap: float
    pairs: int
    positives: int
    agreement: dict[str, float]  # held-out: accuracy, precision, recall, f1, kappa, balanced_accuracy
    contradiction_check: dict[str, float] = field(default_factory=dict)


def _scores(labels: list[int], preds: list[int]) -> dict[str, float]:
    tp = sum(1 for y, p in zip(labels, preds, strict=True) if y and p)
    tn = sum(1 for y, p in zip(labels, preds, strict=True) if not y and not p)
    fp = sum(1 for y, p in zip(labels, preds, strict=True) if not y and p)
    fn = sum(1 for y, p in zip(labels, preds, strict=True) if y and not p)
    n = len(labels) or 1
    acc = (tp + tn) / n
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    spec = tn / (tn + fp) if tn + fp else 0.0
    pe = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / (n * n)
    return {
        "accuracy": round(acc, 3),
        "precision": round(prec, 3),
        "recall": round(rec, 3),
        "f1": round(2 * prec * rec / (prec + rec), 3) if prec + rec else 0.0,
        "balanced_accuracy": round((rec + spec) / 2, 3),
        "kappa": round((acc - pe) / (1 - pe), 3) if pe < 1 else 0.0,
    }


COSINE_GRID = [round(float(x), 3) for x in np.arange(0.30, 0.91, 0.025)]
OVERLAP_GRID = [round(float(x), 2) for x in np.arange(0.0, 0.81, 0.05)]


def _max_overlap(ms: list[Match]) -> np.ndarray:
    """For each cosine threshold on the grid, the best overlap among windows that reach it (-1 if none)."""
    cos = np.array([m.cosine for m in ms] or [-1.0])
    ov = np.array([m.overlap for m in ms] or [-1.0])
    return np.array([ov[cos >= c].max(initial=-1.0) for c in COSINE_GRID])


def _fit(cases: list[tuple[np.ndarray, int]]) -> tuple[float, float]:
    """The (cosine, overlap) pair with the best balanced accuracy; ties go to the first (loosest) pair."""
    best_ov = np.stack([b for b, _ in cases])  # cases x cosine grid
    y = np.array([lab for _, lab in cases], dtype=bool)
    preds = best_ov[:, :, None] >= np.array(OVERLAP_GRID)[None, None, :]  # cases x cosine x overlap
    tpr = (preds & y[:, None, None]).sum(0) / max(y.sum(), 1)
    tnr = (~preds & ~y[:, None, None]).sum(0) / max((~y).sum(), 1)
    i, j = np.unravel_index(np.argmax((tpr + tnr) / 2), tpr.shape)
    return float(COSINE_GRID[i]), float(OVERLAP_GRID[j])


def _predict(best_ov: np.ndarray, cosine: float, overlap: float) -> int:
    return int(best_ov[COSINE_GRID.index(cosine)] >= overlap)


def calibrate(judge: SupportJudge, items: Sequence[KQAItem]) -> Calibration:
    """Fit the thresholds on K-QA statements and measure held-out agreement."""
    qv = judge.vectors([it.question for it in items])
    sims = qv @ qv.T
    np.fill_diagonal(sims, -1)
    statements = [st for it in items for st in it.must_have + it.nice_to_have]
    judge.prime([*statements, *filter(None, map(negate, statements))], [it.answer for it in items])
    cases, folds = [], []
    for i, it in enumerate(items):
        other = items[int(np.argmax(sims[i]))]
        for st in it.must_have + it.nice_to_have:
            cases += [
                (_max_overlap(judge.matches(st, it.answer)), 1),
                (_max_overlap(judge.matches(st, other.answer)), 0),
            ]
            folds += [i % 2, i % 2]
    preds_all: dict[int, int] = {}
    for fold in (0, 1):
        c, o = _fit([case for case, f in zip(cases, folds, strict=True) if f != fold])
        for j, (best_ov, _) in enumerate(cases):
            if folds[j] == fold:
                preds_all[j] = _predict(best_ov, c, o)
    agreement = _scores([y for _, y in cases], [preds_all[j] for j in range(len(cases))])
    judge.cosine, judge.overlap = _fit(cases)
    return Calibration(
        judge.cosine,
        judge.overlap,
        len(cases),
        sum(y for _, y in cases),
        agreement,
        _check_contradictions(judge, items),
    )


NEGATABLE = re.compile(r"\b(is|are|can|should|may|does|do|will|has|have|must|was|were)\b")


def negate(statement: str) -> str | None:
    """Insert a 'not' after the first auxiliary verb, or remove an existing one (None if neither applies)."""
    if re.search(r"\bnot\b", statement):
        return re.sub(r"\s*\bnot\b", "", statement, count=1)
    m = NEGATABLE.search(statement)
    return statement[: m.end()] + " not" + statement[m.end() :] if m else None


def _check_contradictions(judge: SupportJudge, items: Sequence[KQAItem]) -> dict[str, float]:
    """How the contradiction proxy does on statements against their own answer, as written and negated."""
    labels, preds = [], []
    for it in items:
        for st in it.must_have:
            flipped = negate(st)
            if flipped is None:
                continue
            labels += [0, 1]
            preds += [int(judge.contradicts(it.answer, st)), int(judge.contradicts(it.answer, flipped))]
    out = _scores(labels, preds)
    out["pairs"] = len(labels)
    return out


def calibrate_or_default(judge: SupportJudge, settings: Settings) -> str:
    """Calibrate on K-QA when the shared data is present; otherwise keep the documented defaults."""
    from medora.eval.datasets import EvalDataMissing, bench_dir, load_kqa

    try:
        items = load_kqa(bench_dir(settings.shared_dir, "kqa") / "kqa-dev.jsonl")
    except EvalDataMissing:
        return (
            f"Support judge: default thresholds (cosine >= {judge.cosine}, overlap >= {judge.overlap}); "
            "K-QA not found for calibration."
        )
    cal = calibrate(judge, items)
    return (
        f"Support judge calibrated on K-QA: cosine >= {cal.cosine}, overlap >= {cal.overlap}; held-out "
        f"agreement with the physician-labelled statements {cal.agreement['accuracy']:.1%} "
        f"(kappa {cal.agreement['kappa']})."
    )
