"""Which model for the triage heads: logistic regression against small MLPs, by 5-fold cross-validation (#12).

    OPENBLAS_NUM_THREADS=1 python bench/triage_models.py [--hidden 32 64 128]

Reads the trainer's own cases (never the frozen set), embeds them as the trainer does (cached), and for each
head prints out-of-fold recall at the threshold the trainer would pick (false alarms on the hard calm cases
within `FALSE_ALARM_BOUND`), for logistic regression and for an MLP of each hidden size.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import medora.training.triage as trainer
from medora.settings import get_settings
from medora.triage.model import features, model_text


def logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-5, epochs: int = 5000, lr: float = 8.0):  # noqa: ANN201
    """Class-balanced, L2-regularised logistic regression by full-batch gradient descent (the model before)."""
    pos, neg = max(int(y.sum()), 1), max(len(y) - int(y.sum()), 1)
    sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(epochs):
        g = (1.0 / (1.0 + np.exp(-(x @ w + b))) - y) * sw
        w -= lr * (x.T @ g / len(y) + l2 * w)
        b -= lr * float(g.mean())
    return lambda z: 1.0 / (1.0 + np.exp(-(z @ w + b)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hidden", type=int, nargs="+", default=[32, 64, 128])
    args = ap.parse_args()
    settings = get_settings()
    cases = trainer.training_cases(settings.shared_dir)
    emb = trainer.embeddings(
        [model_text(q) for q, _, _ in cases], settings.data_dir / "cache" / "triage-embeddings.npz"
    )
    x = np.hstack([emb, np.stack([features(q) for q, _, _ in cases]).astype(np.float64)])
    labels = np.array([lab for _, lab, _ in cases])
    hard = np.array([o not in {"medquad", "kqa", "liveqa", "medicationqa"} for _, _, o in cases])
    print(f"{len(cases)} training cases, 5 folds; recall at the trainer's false-alarm bound on hard calm cases")
    models = [("logistic", logistic)]
    for h in args.hidden:

        def make(a: np.ndarray, b: np.ndarray, h: int = h):  # noqa: ANN202
            saved = trainer.HIDDEN
            trainer.HIDDEN = h
            try:
                return trainer.fit(a, b).probs
            finally:
                trainer.HIDDEN = saved

        models.append((f"MLP {h}", make))
    for head, y in (
        ("urgent", np.isin(labels, ["urgent", "self_harm"]).astype(float)),
        ("self_harm", (labels == "self_harm").astype(float)),
        ("refuse", (labels == "refuse").astype(float)),
    ):
        for name, make in models:
            t = time.perf_counter()
            probs = trainer.cross_validated(x, y, make=make)
            thr = trainer.choose_threshold(probs, y, hard & (y == 0), trainer.FALSE_ALARM_BOUND[head])
            hit = probs >= thr
            print(
                f"{head:9} {name:9} threshold {thr:.2f}  recall {hit[y == 1].mean():.3f}  "
                f"false alarms hard calm {hit[hard & (y == 0)].mean():.3f}  all calm {hit[y == 0].mean():.3f}  "
                f"{time.perf_counter() - t:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
