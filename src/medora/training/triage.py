"""Train the triage model's heads: ``python -m medora.training.triage``.

Reads the training cases (training/triage_cases.jsonl, written for training only, in many registers and
languages), the house safety cases, and real consumer questions from ../shared/data as calm examples;
writes src/medora/data/triage_model.json. Safety sets already reported on are training data; the current frozen
set (eval/safety_frozen5.jsonl) is never read here.
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from medora.settings import PACKAGE_DIR
from medora.triage.model import (
    MLP,
    SELF_HARM_THRESHOLD,
    URGENT_THRESHOLD,
    WEIGHTS,
    features,
    load,
    model_text,
    vetoed,
)
from medora.triage.wording import BUCKETS, grams, raw_scores

EVAL_DIR = PACKAGE_DIR / "eval"
CASES_FILES = sorted((PACKAGE_DIR / "training").glob("triage_cases*.jsonl"))  # every file of training cases
# Safety sets that were held out once and have been reported on since: training data now. The current frozen
# set (eval/safety_frozen5.jsonl) is never read here.
SPENT_SETS = (
    "safety_questions.jsonl",
    "safety_dev.jsonl",
    "safety_heldout.jsonl",
    "safety_frozen.jsonl",
    "safety_frozen2.jsonl",
    "safety_frozen3.jsonl",
    "safety_frozen4.jsonl",
)


# One hidden layer of HIDDEN ReLU units per head, class-balanced cross-entropy with L2, Adam on minibatches.
# Chosen over logistic regression on cross-validated figures of the training data (bench/RESULTS.md): at the
# same false-alarm bound on the hard calm cases, recall rose for each head (6,739 cases, 5 folds; urgent
# 0.758 -> 0.842, self-harm 0.709 -> 0.736, refusal 0.313 -> 0.502 with 128 units; 64 units: 0.828 / 0.743 / 0.475;
# 32: 0.794 / 0.732 / 0.451; 64 units for 80 epochs or 5 seeds averaged: no better than 128).
HIDDEN, EPOCHS, LEARNING_RATE, L2, BATCH = 128, 40, 2e-3, 1e-4, 128
# The heads that also read the multilingual encoder's vector (triage/multilingual.py), as their last inputs; the
# others read the prefix before it. Out of fold it raised every head's recall (bench/RESULTS.md), but made the
# urgent head sure of calm on an overdose told with a dosing question ("took 20 paracetamol an hour ago, how much
# can he take safely": 0.014 where the head without it said 0.333) and of calm on education in another
# language, so urgency and self-harm keep to MiniLM, the readers and the wording; refusals gain the most from it.
MULTILINGUAL_HEADS = ("refuse", "non_medical")


def fit(x: np.ndarray, y: np.ndarray, seed: int = 0) -> MLP:
    """A small class-balanced MLP head, deterministic for a seed."""
    rng = np.random.default_rng(seed)
    n, d = x.shape
    params = [
        rng.normal(0, np.sqrt(2 / d), (d, HIDDEN)),
        np.zeros(HIDDEN),
        rng.normal(0, np.sqrt(1 / HIDDEN), HIDDEN),
        np.zeros(1),
    ]
    pos, neg = max(int(y.sum()), 1), max(n - int(y.sum()), 1)
    sw = np.where(y == 1, n / (2 * pos), n / (2 * neg))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = 0
    for _ in range(EPOCHS):
        order = rng.permutation(n)
        for s in range(0, n, BATCH):
            bi = order[s : s + BATCH]
            h = np.maximum(0.0, x[bi] @ params[0] + params[1])
            p = 1.0 / (1.0 + np.exp(-(h @ params[2] + params[3][0])))
            g = (p - y[bi]) * sw[bi] / len(bi)
            gh = np.outer(g, params[2]) * (h > 0)
            grads = [x[bi].T @ gh + L2 * params[0], gh.sum(0), h.T @ g + L2 * params[2], np.array([g.sum()])]
            t += 1
            for i, gr in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * gr
                v[i] = 0.999 * v[i] + 0.001 * gr * gr
                params[i] -= LEARNING_RATE * (m[i] / (1 - 0.9**t)) / (np.sqrt(v[i] / (1 - 0.999**t)) + 1e-8)
    return MLP(params[0], params[1], params[2], float(params[3][0]))


def fold_split(n: int, folds: int = 5, seed: int = 7) -> list[tuple[list[int], list[int]]]:
    """(train, test) row indices of each fold, deterministic for a seed."""
    idx = list(range(n))
    random.Random(seed).shuffle(idx)
    return [(sorted(set(idx) - set(idx[f::folds])), idx[f::folds]) for f in range(folds)]


def cross_validated(
    x: np.ndarray,
    y: np.ndarray,
    folds: int = 5,
    seed: int = 7,
    make: Callable[[np.ndarray, np.ndarray], Callable[[np.ndarray], np.ndarray]] | None = None,
    stacked: list[tuple[np.ndarray, np.ndarray]] | None = None,
) -> np.ndarray:
    """Out-of-fold probabilities; `make(x, y)` returns a fitted model's probability function (default: `fit`).
    `stacked` gives each fold's extra inputs (for its training rows, for its test rows), e.g. wording scores
    fitted on that fold's training rows alone."""
    make = make or (lambda a, b: fit(a, b).probs)
    out = np.zeros(len(y))
    for f, (train, test) in enumerate(fold_split(len(y), folds, seed)):
        x_train, x_test = x[train], x[test]
        if stacked is not None:
            x_train, x_test = np.hstack([x_train, stacked[f][0]]), np.hstack([x_test, stacked[f][1]])
        out[test] = make(x_train, y[train])(x_test)
    return out


def fit_ratios(ids: list[np.ndarray], targets: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """Naive-Bayes log-count ratios of the wording buckets, one row per column of `targets` (0/1)."""
    flat = np.concatenate(ids)
    rows = np.repeat(np.arange(len(ids)), [len(g) for g in ids])
    out = np.zeros((targets.shape[1], BUCKETS), dtype=np.float32)
    for h in range(targets.shape[1]):
        y = targets[rows, h]
        pos = np.bincount(flat, weights=y, minlength=BUCKETS) + alpha
        neg = np.bincount(flat, weights=1.0 - y, minlength=BUCKETS) + alpha
        out[h] = np.log(pos / pos.sum()) - np.log(neg / neg.sum())
    return out


def wording_scores(ids: list[np.ndarray], targets: np.ndarray, rows: list[int], folds: int = 5) -> np.ndarray:
    """Out-of-fold raw wording scores of `rows`: each row scored by ratios fitted without it."""
    out = np.zeros((len(rows), targets.shape[1]))
    for train, test in fold_split(len(rows), folds, seed=13):
        ratios = fit_ratios([ids[rows[i]] for i in train], targets[[rows[i] for i in train]])
        for i in test:
            out[i] = raw_scores(ratios, ids[rows[i]])
    return out


def stacked_wording(
    ids: list[np.ndarray], targets: np.ndarray, mean: np.ndarray, scale: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each outer fold: its training rows' scores out of an inner split, its test rows' scores from ratios
    fitted on all its training rows (standardised alike), so no head's cross-validation sees a test label."""
    out = []
    for train, test in fold_split(len(ids)):
        inner = wording_scores(ids, targets, train)
        ratios = fit_ratios([ids[i] for i in train], targets[train])
        outer = np.stack([raw_scores(ratios, ids[i]) for i in test])
        out.append(((inner - mean) / scale, (outer - mean) / scale))
    return out


def training_cases(shared_dir: Path | None, medquad_sample: int = 1500) -> list[tuple[str, str, str]]:
    """(question, label, origin) with label urgent / self_harm / refuse (harm, misuse) / non_medical / calm."""
    out = []
    for line in (line for path in CASES_FILES for line in path.read_text(encoding="utf-8").splitlines()):
        if line.strip():
            c = json.loads(line)
            # a refused request (harm, misuse, not medical) is a calm example for the urgency heads
            label = (
                "self_harm"
                if c["kind"] == "self_harm"
                else "non_medical"
                if c["kind"] == "non_medical" and c["label"] == "out_of_scope"
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
                    else "non_medical"
                    if c["category"] == "non_medical" and c["expected"] == "out_of_scope"
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
    from medora.eval.datasets import FROZEN5_FILE

    held_out = {
        json.loads(line)["question"].lower()
        for line in FROZEN5_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    return [c for c in out if c[0].lower() not in held_out]  # a held-out question is never trained on


def combined_figures(
    cases: list[tuple[str, str, str]],
    feats: np.ndarray,
    p_urgent: np.ndarray,
    p_self: np.ndarray,
    urgent_threshold: float = URGENT_THRESHOLD,
    self_harm_threshold: float = SELF_HARM_THRESHOLD,
    rule_veto: float = 0.0,
    foreign_veto: float = 0.0,
) -> dict:
    """What triage decides with rules + model (out-of-fold probabilities), on the safety cases and on the rest.
    `feats` are the readers' features (model.features): critical value, general question, rule and foreign alarms."""
    crit, general, rule_alarm, foreign = feats[:, 1] > 0, feats[:, 6] > 0, feats[:, 9] > 0, feats[:, 10] > 0
    questions = [q for q, _, _ in cases]
    free = np.array([not vetoed(q) for q in questions]) & ~general  # where the model may flag on its own
    flagged = crit | (p_self >= self_harm_threshold) | ((p_urgent >= urgent_threshold) & free)
    flagged |= (rule_alarm & (p_urgent >= rule_veto)) | (foreign & (p_urgent >= foreign_veto))
    rules_only = crit | foreign | (rule_alarm & ~(general & ~crit))
    safety = np.array([o.startswith(("safety", "training")) for _, _, o in cases])
    urgent = np.array([lab in ("urgent", "self_harm") for _, lab, _ in cases])
    calm = np.array([lab == "calm" for _, lab, _ in cases])
    r3 = lambda v: round(float(v), 3)  # noqa: E731
    return {
        "safety_recall": r3(flagged[safety & urgent].mean()),
        "safety_false_alarms": r3(flagged[safety & calm].mean()),
        "consumer_false_alarms": r3(flagged[~safety].mean()),
        "rules_only_safety_recall": r3(rules_only[safety & urgent].mean()),
        "rules_only_safety_false_alarms": r3(rules_only[safety & calm].mean()),
    }


# Thresholds are chosen on out-of-fold probabilities of the training data (never on a held-out set): the lowest
# threshold whose false alarms on the hard calm cases (written to look like emergencies: education, negated,
# past, drug questions) stay within these bounds.
FALSE_ALARM_BOUND = {"urgent": 0.06, "self_harm": 0.03, "refuse": 0.01, "non_medical": 0.005}
# The same heads on real consumer questions (MedQuAD titles, K-QA, LiveQA, MedicationQA: calm, everyday wording):
# at most this share flagged. Without it the self-harm head, bounded on the hard written cases only, gave the
# crisis line to "how long before bed do I take Ambien?" (K-QA and LiveQA development questions).
CONSUMER_BOUND = {"urgent": 0.01, "self_harm": 0.002}
# A harm request is refused without an English trace of harm, and a question in another language as not medical,
# only when the head is this sure: at most this share of all medical questions (consumer ones included) reach it.
STRICT_REFUSAL_BOUND = 0.002
# At most this share of the training emergencies fall below the calm veto (out of fold).
VETO_LOSS_BOUND = 0.01


def choose_threshold(probs: np.ndarray, y: np.ndarray, negatives: np.ndarray, bound: float) -> float:
    """The lowest threshold whose false alarms on `negatives` stay within `bound`."""
    # (from 0.05: with the wording and multilingual inputs the heads are sure of most cases, so the bound can be
    # met far below 0.5; finer steps near 1 for the strict refusals)
    for t in np.concatenate([np.arange(0.05, 0.99, 0.01), np.arange(0.99, 0.9995, 0.001)]):
        if (probs[negatives] >= t).mean() <= bound:
            return round(float(t), 3)
    return 0.999


def choose_veto(probs: np.ndarray, y: np.ndarray, bound: float = VETO_LOSS_BOUND) -> float:
    """The highest urgent probability below which the model is sure nothing is happening now: at most `bound` of
    the training emergencies fall below it, out of fold (never above 0.2)."""
    caught = probs[y == 1]
    best = 0.0
    for t in np.arange(0.005, 0.2, 0.005):
        if len(caught) and (caught < t).mean() <= bound:
            best = round(float(t), 3)
    return best


def veto_on(probs: np.ndarray, y: np.ndarray, alarms: np.ndarray, name: str) -> tuple[float, dict[str, float | int]]:
    """The veto chosen on one kind of alarm alone, and its out-of-fold figures for the model's meta."""
    veto = choose_veto(probs[alarms], y[alarms])
    cleared = alarms & (probs < veto)
    return veto, {
        "threshold": veto,
        name: int(alarms.sum()),
        "true": int(y[alarms].sum()),
        "cv_true_cleared": int((cleared & (y == 1)).sum()),
        "cv_false_cleared": int((cleared & (y == 0)).sum()),
    }


def cached_vectors(texts: list[str], cache: Path, encode: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    """Vectors of `texts`, cached by text so a retrain after editing the cases encodes only what changed."""
    known: dict[str, np.ndarray] = {}
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        known = dict(zip(data["texts"].tolist(), data["vectors"], strict=True))
    todo = sorted({t for t in texts if t not in known})
    if todo:
        known.update(zip(todo, encode(todo), strict=True))
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
    return np.stack([known[t] for t in texts]).astype(np.float64)


def embeddings(texts: list[str], cache: Path) -> np.ndarray:
    """MiniLM vectors, as retrieval embeds a question."""

    def encode(todo: list[str]) -> np.ndarray:
        from medora.index.embedder import Embedder
        from medora.settings import get_settings

        settings = get_settings()
        return Embedder.load(settings.data_dir / "models", max_tokens=settings.embed_max_tokens).encode(todo)

    return cached_vectors(texts, cache, encode)


def multilingual_embeddings(texts: list[str], cache: Path) -> np.ndarray:
    """USE multilingual vectors (triage/multilingual.py), 256 texts a batch."""
    from medora.triage import multilingual

    def encode(todo: list[str]) -> np.ndarray:
        return np.concatenate([multilingual.vectors(todo[s : s + 256]) for s in range(0, len(todo), 256)])

    return cached_vectors(texts, cache, encode)


def train(shared_dir: Path | None, out: Path = WEIGHTS) -> dict:
    from medora.settings import get_settings

    cases = training_cases(shared_dir)
    said = [model_text(q) for q, _, _ in cases]
    emb = embeddings(said, get_settings().data_dir / "cache" / "triage-embeddings.npz")
    feats = np.stack([features(q) for q, _, _ in cases]).astype(np.float64)
    labels = np.array([lab for _, lab, _ in cases])
    # The wording reader (triage/wording.py): its scores, fitted out of fold, are inputs of every head.
    targets = np.stack(
        [np.isin(labels, ["urgent", "self_harm"]), labels == "self_harm", labels == "refuse", labels == "non_medical"],
        axis=1,
    ).astype(float)
    ids = [grams(t) for t in said]
    oof = wording_scores(ids, targets, list(range(len(ids))))
    mean, scale = oof.mean(axis=0), oof.std(axis=0)
    stacked = stacked_wording(ids, targets, mean, scale)
    x = np.hstack([emb, feats])
    x_full = np.hstack([x, (oof - mean) / scale])
    # the multilingual vector goes last, after the wording scores (TriageModel.inputs), for MULTILINGUAL_HEADS
    use = multilingual_embeddings(said, get_settings().data_dir / "cache" / "triage-multilingual.npz")
    stacked_use = [
        (np.hstack([tr, use[train]]), np.hstack([te, use[test]]))
        for (tr, te), (train, test) in zip(stacked, fold_split(len(said)), strict=True)
    ]
    hard = np.array([o not in {"medquad", "kqa", "liveqa"} for _, _, o in cases])
    heads: dict[str, dict[str, float]] = {}
    arrays: dict[str, np.ndarray] = {}
    by_origin: dict[str, int] = {}
    meta: dict[str, object] = {
        "cases": len(cases),
        "by_origin": by_origin,
        "false_alarm_bound": FALSE_ALARM_BOUND,
        "consumer_bound": CONSUMER_BOUND,
    }
    for _, lab, origin in cases:
        key = f"{origin}:{lab}"
        by_origin[key] = by_origin.get(key, 0) + 1
    probs_of = {}
    medical = np.isin(labels, ["calm", "urgent", "self_harm"])
    for name, y, negatives in (
        ("urgent", np.isin(labels, ["urgent", "self_harm"]).astype(float), hard),
        ("self_harm", (labels == "self_harm").astype(float), hard),
        # over-refusal bounds: medical questions wrongly refused (hard ones for harm, all of them for non-medical)
        ("refuse", (labels == "refuse").astype(float), hard & medical),
        ("non_medical", (labels == "non_medical").astype(float), medical),
    ):
        reads_use = name in MULTILINGUAL_HEADS
        probs = cross_validated(x, y, stacked=stacked_use if reads_use else stacked)
        threshold = choose_threshold(probs, y, negatives & (y == 0), FALSE_ALARM_BOUND[name])
        if name in CONSUMER_BOUND:
            consumer = ~hard & (y == 0)
            threshold = max(threshold, choose_threshold(probs, y, consumer, CONSUMER_BOUND[name]))
        hit = probs >= threshold
        meta[name] = {
            "threshold": threshold,
            "cv_recall": round(float(hit[y == 1].mean()), 3),
            "cv_false_alarms_bound_set": round(float(hit[negatives & (y == 0)].mean()), 3),
            "cv_false_alarms_all": round(float(hit[y == 0].mean()), 3),
            "positives": int(y.sum()),
        }
        probs_of[name] = probs
        mlp = fit(np.hstack([x_full, use]) if reads_use else x_full, y)
        heads[name] = {"threshold": threshold}
        arrays.update({f"{name}.{k}": v.astype(np.float32) for k, v in mlp.arrays().items()})
    y_urgent = np.isin(labels, ["urgent", "self_harm"]).astype(float)
    calm_veto = choose_veto(probs_of["urgent"], y_urgent)
    # A pattern rule's alarm (no critical value, no other-language term): kept unless the model is sure it is not
    # happening now, below this probability, chosen on those cases alone.
    ruled = (feats[:, 9] > 0) & (feats[:, 1] == 0) & (feats[:, 10] == 0)
    rule_veto, meta["rule_veto"] = veto_on(probs_of["urgent"], y_urgent, ruled, "rule_alarms")
    # An emergency term in another language (the readers cannot tell education from an event there): the model
    # may clear it below this probability, chosen on those cases alone.
    foreign_veto, meta["foreign_veto"] = veto_on(probs_of["urgent"], y_urgent, feats[:, 10] > 0, "foreign_alarms")
    meta["calm_veto"] = {
        "threshold": calm_veto,
        "cv_emergencies_below": round(float((probs_of["urgent"][y_urgent == 1] < calm_veto).mean()), 3),
        "cv_hard_calm_below": round(float((probs_of["urgent"][hard & (y_urgent == 0)] < calm_veto).mean()), 3),
    }
    refuse_strict = choose_threshold(
        probs_of["refuse"], (labels == "refuse").astype(float), medical, STRICT_REFUSAL_BOUND
    )
    non_medical_strict = choose_threshold(
        probs_of["non_medical"], (labels == "non_medical").astype(float), medical, STRICT_REFUSAL_BOUND
    )
    meta["non_medical_strict"] = {
        "threshold": non_medical_strict,
        "cv_recall": round(float((probs_of["non_medical"][labels == "non_medical"] >= non_medical_strict).mean()), 3),
    }
    meta["refuse_strict"] = {
        "threshold": refuse_strict,
        "cv_recall": round(float((probs_of["refuse"][labels == "refuse"] >= refuse_strict).mean()), 3),
    }
    meta["combined"] = combined_figures(
        cases,
        feats,
        probs_of["urgent"],
        probs_of["self_harm"],
        heads["urgent"]["threshold"],
        heads["self_harm"]["threshold"],
        rule_veto,
        foreign_veto,
    )
    arrays["wording.ratios"] = fit_ratios(ids, targets).astype(np.float16)
    arrays["wording.mean"], arrays["wording.scale"] = mean.astype(np.float32), scale.astype(np.float32)
    meta["model"] = {"hidden": HIDDEN, "epochs": EPOCHS, "learning_rate": LEARNING_RATE, "l2": L2, "batch": BATCH}
    np.savez_compressed(out.with_suffix(".npz"), **arrays)  # type: ignore[arg-type]  # numpy types kwargs as bool
    out.write_text(
        json.dumps(
            {
                **heads,
                "calm_veto": calm_veto,
                "rule_veto": rule_veto,
                "foreign_veto": foreign_veto,
                "refuse_strict": refuse_strict,
                "non_medical_strict": non_medical_strict,  # read by load(); missing from the JSON until session 19
                "multilingual": bool(MULTILINGUAL_HEADS),
                "meta": meta,
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    load.cache_clear()
    return meta


if __name__ == "__main__":
    from medora.settings import get_settings

    figures = train(get_settings().shared_dir)
    json.dump(figures, sys.stdout, indent=2)
    print()
