"""Triage's cost beyond the question embedding (issue #12: at most 5 ms on a warm answer).

    python bench/triage.py

Times `triage()` over every safety case (house, dev, held-out and frozen sets, so all registers and
languages), warm: language detection, harm reader, rules, clinical values, situation, features and the
learned model's dot products, with the embedding precomputed (retrieval computes it anyway). Prints p50,
p95, p99 and max in milliseconds, and the cold cost of the first call (loading py3langid and the multilingual encoder).
"""

from __future__ import annotations

import json
import statistics
import time

import numpy as np

from medora.eval.datasets import FROZEN2_FILE, FROZEN_FILE, HELDOUT_FILE, SAFETY_FILE
from medora.settings import PACKAGE_DIR


def main() -> None:
    from medora.triage import triage

    questions = []
    for path in (SAFETY_FILE, PACKAGE_DIR / "eval" / "safety_dev.jsonl", HELDOUT_FILE, FROZEN_FILE, FROZEN2_FILE):
        questions += [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line]
    vec = np.random.default_rng(0).normal(size=384).astype(np.float32)
    vec /= np.linalg.norm(vec)

    asked: list[str] = []

    def embed(text: str) -> np.ndarray:
        asked.append(text)
        return vec

    t0 = time.perf_counter()
    triage("¿Qué hago si mi hijo tiene fiebre?", embed=embed)  # loads the language model
    cold = (time.perf_counter() - t0) * 1000
    wall, cpu = [], []
    for _ in range(3):
        for q in questions:
            t, c = time.perf_counter(), time.thread_time()
            triage(q, embed=embed)
            wall.append((time.perf_counter() - t) * 1000)
            cpu.append((time.thread_time() - c) * 1000)
    second = 0
    for q in questions:  # which questions the model embeds in a form other than the question itself
        asked.clear()
        triage(q, embed=embed)
        second += any(a != q for a in asked)
    print(f"triage() over {len(questions)} questions x 3, embedding precomputed")
    print(
        f"  questions whose model text differs from the question (a second encode, negated parts removed): "
        f"{second} of {len(questions)} ({second / len(questions):.0%})"
    )
    from medora.index.embedder import Embedder
    from medora.settings import get_settings

    embedder = Embedder.load(get_settings().data_dir / "models")
    embedder.encode(["warm up"])
    enc = []
    for q in questions[:200]:
        t = time.perf_counter()
        embedder.encode([q])
        enc.append((time.perf_counter() - t) * 1000)
    print(f"  one MiniLM encode of a question (the second encode's cost): p50 {statistics.median(enc):.1f} ms")
    print(f"  first call (loads py3langid and the multilingual encoder): {cold:.0f} ms")
    for name, times in (("wall", wall), ("cpu ", cpu)):  # CPU time: what the code costs, whatever else runs
        times.sort()
        q = statistics.quantiles(times, n=100)
        print(f"  {name} p50 {q[49]:.2f} ms   p95 {q[94]:.2f} ms   p99 {q[98]:.2f} ms   max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
