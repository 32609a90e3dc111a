"""A learned second opinion for triage: logistic regression on the MiniLM embedding of the question.

The explicit rules in triage.py are readable but miss emergencies phrased in ways nobody wrote a pattern
for (a held-out set written without sight of them found urgent recall 0.39). This model reads the same
question embedding that retrieval computes and raises two flags: "needs emergency care now" and
"self-harm risk". It only ever adds urgency: it never clears what a rule flagged.

Trained by ``python -m medora.triage_model`` on the house safety cases (safety_questions.jsonl and
safety_dev.jsonl) plus real consumer questions as non-urgent examples (MedQuAD question titles, K-QA and
LiveQA questions, read in place from ../shared/data). The weights (two vectors of 384 numbers) are
committed in data/triage_model.json with the cross-validated figures and the thresholds chosen on them;
safety_heldout.jsonl is never used here, so `medora eval safety-heldout` stays an honest test.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from medora.settings import PACKAGE_DIR

WEIGHTS = PACKAGE_DIR / "data" / "triage_model.json"
EVAL_DIR = PACKAGE_DIR / "eval"
# Thresholds and regularisation chosen on cross-validated probabilities (5 folds) of the rules + model
# combination over the house and dev cases (see bench/RESULTS.md and `python -m medora.triage_model`):
# lower thresholds buy recall with many more false alarms on negated and hypothetical questions.
URGENT_THRESHOLD = 0.9
SELF_HARM_THRESHOLD = 0.3
# Educational, hypothetical and "warning signs" questions read like emergencies to an embedding: the model
# does not flag them (the explicit rules still can).
HYPOTHETICAL = re.compile(
    r"\b(hypothetic\w*|teaching|exam\b|osce|student|curious|in general|generally|"
    r"what (?:are|is) the (?:warning |early )?(?:signs?|symptoms?|features?|criteria)|"
    r"how (?:would|do|can) (?:someone|you|i|one) (?:tell|know|recogni[sz]e|spot)|what does .{0,40} mean|explain)\b"
)


@dataclass(frozen=True)
class Head:
    w: np.ndarray
    b: float
    threshold: float

    def prob(self, vec: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(vec @ self.w + self.b))))


@dataclass(frozen=True)
class TriageModel:
    urgent: Head
    self_harm: Head
    meta: dict

    def flags(self, vec: np.ndarray) -> tuple[bool, bool, float, float]:
        """(urgent, self_harm, p_urgent, p_self_harm) for one L2-normalised question embedding.

        When both heads fire, the likelier one names it: a missed heart attack must not get the crisis line
        instead of the emergency notice, nor a person at risk a generic one."""
        pu, ps = self.urgent.prob(vec), self.self_harm.prob(vec)
        urgent, self_harm = pu >= self.urgent.threshold, ps >= self.self_harm.threshold
        if urgent and self_harm:
            self_harm = ps >= pu
            urgent = not self_harm
        return urgent, self_harm, pu, ps


@lru_cache(maxsize=1)
def load(path: Path = WEIGHTS) -> TriageModel | None:
    if not path.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    heads = {
        k: Head(np.asarray(data[k]["w"], dtype=np.float32), float(data[k]["b"]), float(data[k]["threshold"]))
        for k in ("urgent", "self_harm")
    }
    return TriageModel(heads["urgent"], heads["self_harm"], data.get("meta", {}))


# ---- training ---------------------------------------------------------------------------------------------


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
    return out


def combined_figures(cases: list[tuple[str, str, str]], p_urgent: np.ndarray, p_self: np.ndarray) -> dict:
    """What triage does with rules + model (out-of-fold probabilities), on the safety cases and on the rest."""
    from medora.triage import triage

    flagged = np.array(
        [
            triage(q).status == "urgent" or (pu >= URGENT_THRESHOLD and not vetoed(q)) or ps >= SELF_HARM_THRESHOLD
            for (q, _, _), pu, ps in zip(cases, p_urgent, p_self, strict=True)
        ]
    )
    self_harm = np.array([lab == "self_harm" for _, lab, _ in cases])
    rules = np.array([triage(q).status == "urgent" for q, _, _ in cases])
    safety = np.array([o.startswith("safety") for _, _, o in cases])
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


PIECES = re.compile(r"[.;!?\n,]|\b(?:but|however|although|though|and then)\b")


def affirmed(question: str) -> str:
    """The question without what it negates, in the manner of NegEx: in each clause, everything from a
    negation cue to the clause's end goes ("a cough for a week but no fever, no chest pain" -> "a cough for
    a week"). The model reads this text, so listing the red flags one does not have raises no alarm."""
    from medora.triage import NEGATION

    kept = []
    for piece in PIECES.split(" ".join(question.lower().replace("\u2019", "'").split())):
        m = NEGATION.search(piece)
        piece = piece[: m.start()] if m else piece
        if piece.strip():
            kept.append(piece.strip())
    return ", ".join(kept)


def vetoed(question: str) -> bool:
    from medora.triage import HISTORY_CONTEXT

    q = question.lower()
    return bool(HISTORY_CONTEXT.search(q) or HYPOTHETICAL.search(q))


def train(shared_dir: Path | None, out: Path = WEIGHTS) -> dict:
    from medora.index.embedder import Embedder
    from medora.settings import get_settings

    settings = get_settings()
    cases = training_cases(shared_dir)
    embedder = Embedder.load(settings.data_dir / "models", max_tokens=settings.embed_max_tokens)
    x = embedder.encode([affirmed(q) or q for q, _, _ in cases]).astype(np.float64)
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
        calm_safety = np.array([o != "medquad" and o != "kqa" and o != "liveqa" for _, _, o in cases]) & (y == 0)
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
