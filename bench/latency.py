"""Answer latency: warm p50/p95 over the varied questions, and the first answer from a cold process.

MEDORA_DATA_DIR=/path/to/index-data python bench/latency.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from common import percentile, questions, settings  # noqa: E402

from medora.qa import ask, get_engine  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    s = settings()
    qs = questions()
    t0 = time.perf_counter()
    engine = get_engine(s)
    load = time.perf_counter() - t0
    for q in qs[:3]:
        ask(q, settings=s, engine=engine)  # warm caches
    times, statuses = [], collections.Counter()
    for _ in range(args.rounds):
        for i, q in enumerate(qs):
            t = time.perf_counter()
            a = ask(q, settings=s, engine=engine, audience="patient" if i % 4 == 3 else "clinician")
            times.append((time.perf_counter() - t) * 1000)
            statuses[a.status.value] += 1
    print(f"index: {s.index_dir}  passages: {engine.reader.vectors.shape[0]:,}  engine load: {load:.2f}s")
    print(
        f"warm ask() over {len(qs)} questions x {args.rounds} rounds ({len(times)} answers): "
        f"p50 {percentile(times, 50):.1f} ms   p95 {percentile(times, 95):.1f} ms   max {max(times):.1f} ms"
    )
    print("statuses: " + ", ".join(f"{k} {v // args.rounds}" for k, v in sorted(statuses.items())))
    env = {**os.environ, "MEDORA_DATA_DIR": str(s.data_dir)}
    cold = []
    for q in (qs[0], qs[13], qs[20]):
        t = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "medora.cli", "ask", "--format", "json", q],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        cold.append(time.perf_counter() - t)
        assert out.stdout.startswith("{")
    print(
        "cold process (python -m medora.cli ask ..., start to answer): "
        + ", ".join(f"{c:.2f}s" for c in cold)
        + f"   max {max(cold):.2f}s"
    )


if __name__ == "__main__":
    main()
