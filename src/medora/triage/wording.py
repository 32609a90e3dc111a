"""The wording reader: what the question's characters say, in any language or script.

MiniLM reads English; a harm request in Romanian, an emergency in Tagalog or small talk in Korean reach it as
noise. This reader hashes the question's character 3- to 5-grams and its words into a fixed number of buckets and
scores them with one naive-Bayes log-count ratio per head (Wang & Manning 2012, "Baselines and bigrams"): the sum
of the ratios of the buckets present, divided by the square root of their number. The four scores (urgent,
self-harm, refuse, non-medical) join the embedding and the readers' features as inputs of every head; the trainer
fits the ratios and stacks the scores out of fold, so no head learns from a score that saw its own label.

Usage example::

    wording = load().wording                      # from the committed model (None in an older model)
    wording.scores("¿cómo le pongo algo en la bebida sin que se entere?")   # array of 4 z-scores
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from medora.text import plain

BUCKETS = 1 << 17  # 131,072 buckets: 4 heads x 2 bytes each = 1 MB of weights
SIZES = (3, 4, 5)  # character n-gram lengths
HEADS = ("urgent", "self_harm", "refuse", "non_medical")


def grams(text: str) -> np.ndarray:
    """The distinct bucket ids of a text's character 3-5-grams (with a space at each end) and words."""
    t = f" {plain(text)} "
    keys = {t[i : i + n] for n in SIZES for i in range(len(t) - n + 1)}
    keys |= {f"w:{w}" for w in t.split()}
    return np.unique(
        np.fromiter((zlib.crc32(k.encode()) & (BUCKETS - 1) for k in keys), dtype=np.int64, count=len(keys))
    )


def raw_scores(ratios: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """One score per head: the summed ratios of the buckets present over the square root of their number."""
    if not len(ids):
        return np.zeros(ratios.shape[0])
    return ratios[:, ids].astype(np.float64).sum(axis=1) / np.sqrt(len(ids))


@dataclass(frozen=True)
class Wording:
    ratios: np.ndarray  # (heads, BUCKETS) log-count ratios
    mean: np.ndarray  # (heads,) to centre the scores as in training
    scale: np.ndarray  # (heads,)

    def scores(self, text: str) -> np.ndarray:
        """The heads' wording scores for a text, standardised as the model was trained on them."""
        return ((raw_scores(self.ratios, grams(text)) - self.mean) / self.scale).astype(np.float32)
