"""Train the triage model's heads: ``python -m medora.training.triage``.

Reads the training cases (training/triage_cases.jsonl, written for training only, in many registers and
languages), the house safety cases, and real consumer questions from ../shared/data as calm examples;
writes src/medora/data/triage_model.json. Safety sets already reported on are training data; the current frozen
set (eval/safety_frozen2.jsonl) is never read here.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path
from typing import TypedDict

import numpy as np

from medora.settings import PACKAGE_DIR
from medora.triage.model import SELF_HARM_THRESHOLD, URGENT_THRESHOLD, WEIGHTS, affirmed, features, load, vetoed

EVAL_DIR = PACKAGE_DIR / "eval"
CASES_FILES = sorted((PACKAGE_DIR / "training").glob("triage_cases*.jsonl"))  # every file of training cases
# Safety sets that were held out once and have been reported on since: training data now. The current frozen
# set (eval/safety_frozen2.jsonl) is never read here.
SPENT_SETS = ("safety_questions.jsonl", "safety_dev.jsonl", "safety_heldout.jsonl", "safety_frozen.jsonl")


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
    """(question, label, origin) with label urgent / self_harm / refuse / calm."""
    out = []
    for line in (line for path in CASES_FILES for line in path.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            c = json.loads(line)
            # a refused request (harm, misuse, not medical) is a calm example for the urgency heads
            label = (
                "self_harm"
                if c["kind"] == "self_harm"
                else {"urgent": "urgent", "out_of_scope": "refuse"}.get(c["label"], "calm")
            )
            out.append((c["question"], label, "training"))
    for name in SPENT_SETS:
        for line in (EVAL_DIR / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                c = json.loads(line)
                label = (
                    "self_harm"
                    if c["category"].startswith(("self_harm", "suicide", "self-harm")) and c["expected"] == "urgent"
                    else {"urgent": "urgent", "out_of_scope": "refuse"}.get(c["expected"], "calm")
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
        medqa = bench_dir(shared_dir, "medicationqa") / "medicationqa-dev.jsonl"
        if medqa.exists():  # real consumer medication questions
            out += [(json.loads(x)["question"], "calm", "medicationqa") for x in medqa.read_text().splitlines() if x]
    from medora.eval.datasets import FROZEN2_FILE

    held_out = {
        json.loads(line)["question"].lower()
        for line in FROZEN2_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    return [c for c in out if c[0].lower() not in held_out]  # a held-out question is never trained on


def combined_figures(
    cases: list[tuple[str, str, str]],
    p_urgent: np.ndarray,
    p_self: np.ndarray,
    urgent_threshold: float = URGENT_THRESHOLD,
    self_harm_threshold: float = SELF_HARM_THRESHOLD,
) -> dict:
    """What triage does with rules + model (out-of-fold probabilities), on the safety cases and on the rest."""
    from medora.triage.rules import apply_rules as triage

    flagged = np.array(
        [
            triage(q).status == "urgent" or (pu >= urgent_threshold and not vetoed(q)) or ps >= self_harm_threshold
            for (q, _, _), pu, ps in zip(cases, p_urgent, p_self, strict=True)
        ]
    )
    self_harm = np.array([lab == "self_harm" for _, lab, _ in cases])
    rules = np.array([triage(q).status == "urgent" for q, _, _ in cases])
    safety = np.array([o.startswith(("safety", "training")) for _, _, o in cases])
    urgent = np.array([lab in ("urgent", "self_harm") for _, lab, _ in cases])
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
                    triage(q).status == "urgent" and "suicide" in triage(q).reasons or ps >= self_harm_threshold
                    for (q, _, _), ps in zip(cases, p_self, strict=True)
                ]
            )[self_harm].mean()
        ),
    }


# Thresholds are chosen on out-of-fold probabilities of the training data (never on a held-out set): the lowest
# threshold whose false alarms on the hard calm cases (written to look like emergencies: education, negated,
# past, drug questions) stay within these bounds.
FALSE_ALARM_BOUND = {"urgent": 0.05, "self_harm": 0.03, "refuse": 0.01}


def choose_threshold(probs: np.ndarray, y: np.ndarray, hard_calm: np.ndarray, bound: float) -> float:
    for t in np.arange(0.20, 0.99, 0.01):
        if (probs[hard_calm] >= t).mean() <= bound:
            return round(float(t), 2)
    return 0.99


def embeddings(texts: list[str], cache: Path) -> np.ndarray:
    """MiniLM vectors, cached by text so a retrain after editing the cases embeds only what changed."""
    from medora.index.embedder import Embedder
    from medora.settings import get_settings

    known: dict[str, np.ndarray] = {}
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    todo = sorted({t for t in texts if t not in known})
    if todo:
        settings = get_settings()
        embedder = Embedder.load(settings.data_dir / "models", max_tokens=settings.embed_max_tokens)
        known.update(zip(todo, embedder.encode(todo), strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts]).astype(np.float64)


class Head(TypedDict):
    """One logistic head as written to the weights file."""

    w: list[float]
    b: float
    threshold: float


def train(shared_dir: Path | None, out: Path = WEIGHTS) -> dict:
    from medora.settings import get_settings

    cases = training_cases(shared_dir)
    emb = embeddings(
        [affirmed(q) or q for q, _, _ in cases], get_settings().data_dir / "cache" / "triage-embeddings.npz"
    )
    x = np.hstack([emb, np.stack([features(q) for q, _, _ in cases]).astype(np.float64)])
    labels = np.array([lab for _, lab, _ in cases])
    hard = np.array([o not in {"medquad", "kqa", "liveqa"} for _, _, o in cases])
    heads: dict[str, Head] = {}
    by_origin: dict[str, int] = {}
    meta: dict[str, object] = {"cases": len(cases), "by_origin": by_origin, "false_alarm_bound": FALSE_ALARM_BOUND}
    for _, lab, origin in cases:
        key = f"{origin}:{lab}"
        by_origin[key] = by_origin.get(key, 0) + 1
    probs_of = {}
    for name, y in (
        ("urgent", np.isin(labels, ["urgent", "self_harm"]).astype(float)),
        ("self_harm", (labels == "self_harm").astype(float)),
        ("refuse", (labels == "refuse").astype(float)),  # over-refusal bound: medical questions wrongly refused
    ):
        probs = cross_validated(x, y)
        threshold = choose_threshold(probs, y, hard & (y == 0), FALSE_ALARM_BOUND[name])
        hit = probs >= threshold
        meta[name] = {
            "threshold": threshold,
            "cv_recall": round(float(hit[y == 1].mean()), 3),
            "cv_false_alarms_hard_calm": round(float(hit[hard & (y == 0)].mean()), 3),
            "cv_false_alarms_all": round(float(hit[y == 0].mean()), 3),
            "positives": int(y.sum()),
        }
        probs_of[name] = probs
        w, b = fit(x, y)
        heads[name] = {"w": [round(float(v), 6) for v in w], "b": round(b, 6), "threshold": threshold}
    meta["combined"] = combined_figures(
        cases, probs_of["urgent"], probs_of["self_harm"], heads["urgent"]["threshold"], heads["self_harm"]["threshold"]
    )
    out.write_text(json.dumps({**heads, "meta": meta}, indent=0) + "\n", encoding="utf-8")
    load.cache_clear()
    return meta


if __name__ == "__main__":
    from medora.settings import get_settings

    figures = train(get_settings().shared_dir)
    json.dump(figures, sys.stdout, indent=2)
    print()
