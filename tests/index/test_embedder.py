"""The ONNX MiniLM graph computes what the model's weights define."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from medora.index.embedder import Embedder, load_weights, model_dir, reference_encode

pytestmark = pytest.mark.unit


def test_onnx_graph_matches_numpy_forward_pass(embedder: Embedder) -> None:
    texts = ["Crushing chest pain radiating to the jaw", "How is gout treated?", "a"]
    ids, mask = embedder.tokenize(texts)
    mdir = model_dir()
    ref = reference_encode(load_weights(mdir), json.loads((mdir / "config.json").read_text()), ids, mask)
    got = embedder.encode(texts)
    assert np.abs(ref - got).max() < 1e-4
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_similar_meanings_are_closer(embedder: Embedder) -> None:
    v = embedder.encode(["heart attack symptoms", "signs of myocardial infarction", "how to repot a cactus"])
    assert v[0] @ v[1] > v[0] @ v[2] + 0.3


def test_padding_does_not_change_vectors(embedder: Embedder) -> None:
    alone = embedder.encode(["fever in a newborn"])
    batched = embedder.encode(
        ["fever in a newborn", "a much longer sentence about chronic kidney disease staging and albuminuria"]
    )
    assert np.abs(alone[0] - batched[0]).max() < 1e-5


def test_graph_is_cached(models_cache: Path) -> None:
    files = list(models_cache.glob("minilm-*.onnx"))  # built once by the session fixture
    assert len(files) == 1
    mtime = files[0].stat().st_mtime
    Embedder.load(models_cache)
    assert list(models_cache.glob("minilm-*.onnx")) == files and files[0].stat().st_mtime == mtime
