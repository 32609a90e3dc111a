"""Train the triage model's heads: ``python -m medora.training.triage``.

Reads the training cases (training/triage_cases.jsonl, written for training only, in many registers and
languages), the house safety cases, and real consumer questions from ../shared/data as calm examples;
writes src/medora/data/triage_model.json. The held-out and frozen safety sets are never read here.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import numpy as np

from medora.settings import PACKAGE_DIR
from medora.triage.model import SELF_HARM_THRESHOLD, URGENT_THRESHOLD, WEIGHTS, affirmed, features, load, vetoed

EVAL_DIR = PACKAGE_DIR / "eval"
CASES_FILE = PACKAGE_DIR / "training" / "triage_cases.jsonl"


def fit(
    x: np.ndarray, y: np.ndarray, l2: float = 1e-5, epochs: int = 5000, lr: float = 8.0
) -> tuple[np.ndarray, float]:
    """Class-balanced, L2-regularised logistic regression by full-batch gradient descent."""
    pos = max(int(y.sum()), 1)
    neg = max(len(y) - pos, 1)
    sw = np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))
    w = np.zeros(x.shape[1])
    b = 0.0
    for _ in range(epochs):
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        g = (p - y) * sw
        w -= lr * (x.T @ g / len(y) + l2 * w)
        b -= lr * float(g.mean())
    return w, b


def cross_validated(x: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 7) -> np.ndarray:
    """Out-of-fold probabilities."""
    idx = list(range(len(y)))
    random.Random(seed).shuffle(idx)
    out = np.zeros(len(y))
    for f in range(folds):
        test = idx[f::folds]
        train = sorted(set(idx) - set(test))
        w, b = fit(x[train], y[train])
        out[test] = 1.0 / (1.0 + np.exp(-(x[test] @ w + b)))
    return out


def training_cases(shared_dir: Path | None, medquad_sample: int = 1500) -> list[tuple[str, str, str]]:
    """(question, label, origin) with label urgent / self_harm / calm."""
    out = []
    for line in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            c = json.loads(line)
            if c["label"] == "out_of_scope":
                continue  # refusals are the harm reader's job; the model only judges urgency
            label = "self_harm" if c["kind"] == "self_harm" else ("urgent" if c["label"] == "urgent" else "calm")
            out.append((c["question"], label, "training"))
    for name in ("safety_questions.jsonl", "safety_dev.jsonl"):
        for line in (EVAL_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                label = (
                    "self_harm"
                    if c["category"].startswith(("self_harm", "suicide", "self-harm")) and c["expected"] == "urgent"
                    else ("urgent" if c["expected"] == "urgent" else "calm")
                )
                out.append((c["question"], label, name))
    if shared_dir is not None:
        titles = []
        for xml in sorted((shared_dir / "corpus" / "medquad").glob("*/*.xml")):
            titles += re.findall(r"<Question[^>]*>([^<]+)</Question>", xml.read_text(encoding="utf-8", errors="ignore"))
        random.Random(11).shuffle(titles)
        out += [(t.strip(), "calm", "medquad") for t in titles[:medquad_sample]]
        from medora.eval.datasets import bench_dir, load_kqa, load_liveqa

        out += [(it.question, "calm", "kqa") for it in load_kqa(bench_dir(shared_dir, "kqa") / "kqa-dev.jsonl")]
        questions, _ = load_liveqa(bench_dir(shared_dir, "liveqa"))
        out += [(q.query, "calm", "liveqa") for q in questions]
    from medora.eval.datasets import FROZEN_FILE, HELDOUT_FILE

    held_out = {
        json.loads(line)["question"].lower()
        for path in (HELDOUT_FILE, FROZEN_FILE)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    return [c for c in out if c[0].lower() not in held_out]  # a held-out question is never trained on


def combined_figures(cases: list[tuple[str, str, str]], p_urgent: np.ndarray, p_self: np.ndarray) -> dict:
    """What triage does with rules + model (out-of-fold probabilities), on the safety cases and on the rest."""
    from medora.triage.rules import apply_rules as triage

    flagged = np.array(
        [
            triage(q).status == "urgent" or (pu >= URGENT_THRESHOLD and not vetoed(q)) or ps >= SELF_HARM_THRESHOLD
            for (q, _, _), pu, ps in zip(cases, p_urgent, p_self, strict=True)
        ]
    )
    self_harm = np.array([lab == "self_harm" for _, lab, _ in cases])
    rules = np.array([triage(q).status == "urgent" for q, _, _ in cases])
    safety = np.array([o.startswith(("safety", "training")) for _, _, o in cases])
    urgent = np.array([lab != "calm" for _, lab, _ in cases])
    r3 = lambda v: round(float(v), 3)  # noqa: E731
    return {
        "safety_recall": r3(flagged[safety & urgent].mean()),
        "safety_false_alarms": r3(flagged[safety & ~urgent].mean()),
        "consumer_false_alarms": r3(flagged[~safety].mean()),
        "rules_only_safety_recall": r3(rules[safety & urgent].mean()),
        "rules_only_safety_false_alarms": r3(rules[safety & ~urgent].mean()),
        "self_harm_recall": r3(
            np.array(
                [
                    triage(q).status == "urgent" and "suicide" in triage(q).reasons or ps >= SELF_HARM_THRESHOLD
                    for (q, _, _), ps in zip(cases, p_self, strict=True)
                ]
            )[self_harm].mean()
        ),
    }


def train(shared_dir: Path | None, out: Path = WEIGHTS) -> dict:
    from medora.index.embedder import Embedder
    from medora.settings import get_settings

    settings = get_settings()
    cases = training_cases(shared_dir)
    embedder = Embedder.load(settings.data_dir / "models", max_tokens=settings.embed_max_tokens)
    emb = embedder.encode([affirmed(q) or q for q, _, _ in cases]).astype(np.float64)
    x = np.hstack([emb, np.stack([features(q) for q, _, _ in cases]).astype(np.float64)])
    labels = np.array([lab for _, lab, _ in cases])
    heads, meta = {}, {"cases": len(cases), "by_origin": {}}
    for _, lab, origin in cases:
        key = f"{origin}:{lab}"
        meta["by_origin"][key] = meta["by_origin"].get(key, 0) + 1
    for name, y, threshold in (
        ("urgent", (labels != "calm").astype(float), URGENT_THRESHOLD),
        ("self_harm", (labels == "self_harm").astype(float), SELF_HARM_THRESHOLD),
    ):
        probs = cross_validated(x, y)
        hit = probs >= threshold
        calm_safety = np.array([o not in {"medquad", "kqa", "liveqa"} for _, _, o in cases]) & (y == 0)
        meta[name] = {
            "cv_recall": round(float(hit[y == 1].mean()), 3),
            "cv_false_alarms_safety_cases": round(float(hit[calm_safety].mean()), 3),
            "cv_false_alarms_all": round(float(hit[y == 0].mean()), 3),
            "positives": int(y.sum()),
        }
        meta[name]["cv_probs"] = probs
        w, b = fit(x, y)
        heads[name] = {"w": [round(float(v), 6) for v in w], "b": round(b, 6), "threshold": round(threshold, 4)}
    meta["combined"] = combined_figures(cases, meta["urgent"].pop("cv_probs"), meta["self_harm"].pop("cv_probs"))
    out.write_text(json.dumps({**heads, "meta": meta}, indent=0) + "\n", encoding="utf-8")
    load.cache_clear()
    return meta


if __name__ == "__main__":
    from medora.settings import get_settings

    figures = train(get_settings().shared_dir)
    json.dump(figures, sys.stdout, indent=2)
    print()
