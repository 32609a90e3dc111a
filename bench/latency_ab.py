"""Warm ask() latency of two source trees, interleaved question by question (a refactor's before and after).

On a shared machine the load drifts within seconds, so two runs of `bench/latency.py` one after the other
disagree by more than a refactor changes. Here each tree answers in its own warm process and the two take
turns on every question (the order alternating), so drift hits both alike.

    git archive <before> src bench | tar -x -C /tmp/before
    MEDORA_DATA_DIR=/path/to/index-data python bench/latency_ab.py /tmp/before . [--rounds 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import percentile, questions  # noqa: E402

WORKER = """
import sys, time
sys.path.insert(0, {bench!r})
from common import questions, settings
from medora.qa import ask, get_engine
s = settings(); e = get_engine(s); qs = questions()
for q in qs[:3]:
    ask(q, settings=s, engine=e)
print("ready", flush=True)
for line in sys.stdin:
    i = int(line)
    t = time.perf_counter()
    ask(qs[i], settings=s, engine=e, audience="patient" if i % 4 == 3 else "clinician")
    print((time.perf_counter() - t) * 1000, flush=True)
"""


def start(tree: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    code = WORKER.format(bench=str(HERE))
    p = subprocess.Popen(
        [sys.executable, "-c", code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "ready", f"{tree}: the worker did not start"
    return p


def timed(p: subprocess.Popen[str], i: int) -> float:
    assert p.stdin is not None and p.stdout is not None
    p.stdin.write(f"{i}\n")
    p.stdin.flush()
    return float(p.stdout.readline())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("before", type=Path, help="a source tree with src/ (the code before the change)")
    ap.add_argument("after", type=Path, help="a source tree with src/ (the code after it)")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    n = len(questions())
    a, b = start(args.before.resolve()), start(args.after.resolve())
    ta: list[float] = []
    tb: list[float] = []
    for r in range(args.rounds):
        for i in range(n):
            turns = [(a, ta), (b, tb)] if (r + i) % 2 == 0 else [(b, tb), (a, ta)]
            for p, acc in turns:
                acc.append(timed(p, i))
    for p in (a, b):
        assert p.stdin is not None
        p.stdin.close()
        p.wait()
    for name, t in (("before", ta), ("after", tb)):
        print(
            f"{name}: {len(t)} answers   p50 {percentile(t, 50):.1f} ms   p95 {percentile(t, 95):.1f} ms   "
            f"mean {statistics.mean(t):.1f} ms"
        )
    print(f"after / before, per question: median {statistics.median(y / x for x, y in zip(ta, tb, strict=True)):.3f}")


if __name__ == "__main__":
    main()
