"""Generative mode against a real model: what the model proposes and what verification lets through (#15).

Runs a sample of K-QA and MedicationQA dev questions through `ask(..., mode="generative")` and prints,
per benchmark, the bullets proposed, kept, re-cited and dropped, the fallbacks (and why), and latency.
It then re-checks every shown generated bullet independently of the verifier: numbers, doses and drug
names absent from the passages its references quote, and citations that resolve to no reference. The
issue's bar is zero for both.

    python bench/generative.py                     # starts Gemma 3 270M via llama-cpp-python on loopback
    python bench/generative.py --n 40 --base-url http://127.0.0.1:8080/v1 --model gemma-3-270m
    MEDORA_DATA_DIR=/srv/medora python bench/generative.py   # the index to answer from
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import percentile, settings  # noqa: E402

from medora.compose.verify import doses, drugs, numbers  # noqa: E402
from medora.models import Answer  # noqa: E402
from medora.qa import ask, get_engine  # noqa: E402
from medora.settings import GenerationSettings  # noqa: E402


def load(shared: Path, n: int, seed: int) -> dict[str, list[str]]:
    kqa = [json.loads(x)["Question"] for x in (shared / "bench/kqa/kqa-dev.jsonl").read_text().splitlines() if x]
    mqa = [
        json.loads(x)["question"]
        for x in (shared / "bench/medicationqa/medicationqa-dev.jsonl").read_text().splitlines()
        if x
    ]
    rng = random.Random(seed)
    return {"K-QA dev": rng.sample(kqa, min(n, len(kqa))), "MedicationQA dev": rng.sample(mqa, min(n, len(mqa)))}


def recheck(a: Answer, reader: object) -> tuple[int, int, int]:
    """(bullets shown, bullets with a number/dose/drug their quoted passages lack, citations to no reference).

    Evidence is what the bullet's references quote, plus the plain-language wording of its passages.
    """
    refs = {r.n: r for r in a.references}
    shown = [a.summary, *(b for s in a.sections for b in s.bullets)]
    unsupported = outside = 0
    for b in shown:
        outside += sum(1 for n in b.citations if n not in refs)
        texts = [p.text for n in b.citations if n in refs for p in refs[n].passages]
        texts += [p.lay_text for pid in b.passages if (p := reader.passage(pid)) is not None and p.lay_text]  # type: ignore[attr-defined]
        evidence = " ".join(texts)
        words = {w.strip(".,;:()[]").rstrip("s") for w in evidence.lower().replace("-", " ").split()}
        if not numbers(b.text) <= numbers(evidence) or not doses(b.text) <= doses(evidence):
            unsupported += 1
        elif not {d.rstrip("s") for d in drugs(b.text)} <= words:
            unsupported += 1
    return len(shown), unsupported, outside


def run(questions: dict[str, list[str]], gs: GenerationSettings) -> dict[str, dict]:
    base = settings().model_copy(update={"generation": gs})
    report = {}
    for name, qs in questions.items():
        totals: Counter[str] = Counter()
        reasons: Counter[str] = Counter()
        problems: Counter[str] = Counter()
        latency, model_ms = [], []
        for q in qs:
            t0 = time.perf_counter()
            a = ask(q, settings=base, mode="generative")
            latency.append((time.perf_counter() - t0) * 1000)
            v = a.verification
            if v is None:  # answered before composition (refused, not English, a drug label, the library)
                totals["not_composed"] += 1
                continue
            if v.latency_ms:
                model_ms.append(v.latency_ms)
            totals.update(proposed=v.proposed, kept=v.kept, recited=v.recited, dropped=v.dropped)
            problems.update(v.problems)
            if v.fallback:
                totals["fallback"] += 1
                reasons[_reason(v.reason or "")] += 1
            if a.mode == "generative":
                totals["generative"] += 1
                shown, unsupported, outside = recheck(a, get_engine(base).reader)
                totals.update(shown=shown, unsupported_shown=unsupported, outside_citations=outside)
        report[name] = {
            "questions": len(qs),
            **dict(totals),
            "fallback_reasons": dict(reasons),
            "problems": dict(problems),
            "latency_ms": {
                "p50": round(percentile(latency, 50)),
                "p95": round(percentile(latency, 95)),
                "mean": round(statistics.fmean(latency)),
            },
            "model_ms_p50": round(percentile(model_ms, 50)) if model_ms else None,
        }
    return report


def _reason(reason: str) -> str:
    for key in ("urgent", "only", "no reply", "cannot reach", "HTTP", "no answer JSON", "insufficient", "no language"):
        if key in reason:
            return key
    return reason[:40]


def main() -> None:
    p = argparse.ArgumentParser(description="generative mode against a real model")
    p.add_argument("--n", type=int, default=40, help="questions per benchmark (a seeded sample)")
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--base-url", help="an OpenAI-compatible /v1 root; default: start Gemma 3 270M locally")
    p.add_argument("--model", default="gemma-3-270m")
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--max-passages", type=int, default=5, help="passages shown to the model (a small CPU model: few)")
    p.add_argument("--passage-chars", type=int, default=600)
    p.add_argument("--max-tokens", type=int, default=400)
    p.add_argument("--json", help="also write the figures here")
    args = p.parse_args()
    s = settings()
    if s.shared_dir is None:
        sys.exit("error: ../shared/data not found (the benchmarks are read from it)")
    questions = load(s.shared_dir, args.n, args.seed)
    with contextlib.ExitStack() as stack:
        url = args.base_url
        if url is None:
            from medora.compose import local_server

            missing = local_server.available()
            if missing:
                sys.exit(f"error: {missing}; or pass --base-url")
            url = stack.enter_context(local_server.serving())
        gs = GenerationSettings(
            base_url=url,
            model=args.model,
            timeout_s=args.timeout,
            max_passages=args.max_passages,
            passage_chars=args.passage_chars,
            max_tokens=args.max_tokens,
        )
        get_engine(s)  # load the index before timing
        report = run(questions, gs)
    print(f"model {args.model} at {url}; index {s.index_dir}")
    cols = ["questions", "generative", "fallback", "not_composed", "proposed", "kept", "recited", "dropped", "shown"]
    print("| benchmark | " + " | ".join(cols) + " | unsupported shown | outside citations | p50 ms | p95 ms |")
    print("|---" * (len(cols) + 5) + "|")
    for name, r in report.items():
        vals = " | ".join(str(r.get(c, 0)) for c in cols)
        lat = r["latency_ms"]
        print(
            f"| {name} | {vals} | {r.get('unsupported_shown', 0)} | {r.get('outside_citations', 0)} "
            f"| {lat['p50']} | {lat['p95']} |"
        )
    for name, r in report.items():
        print(f"{name}: fallbacks {r['fallback_reasons']}; problems in proposed bullets {r['problems']}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
