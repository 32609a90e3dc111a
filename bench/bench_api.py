"""Warm `POST /api/ask` latency (p50/p95) over 50+ varied questions, in-process through the whole web stack.

    MEDORA_DATA_DIR=/path/with/index python bench/bench_api.py [--rounds 2]

Uses the index in MEDORA_DATA_DIR and a throwaway database, so the real one is not touched.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from medora.qa import get_engine
from medora.settings import Settings
from medora.web.app import create_app

FIXED = [
    "What is the initial approach to managing endplate vertebral body compression?",
    "How is uncomplicated cystitis treated?",
    "What is the first-line treatment for anaphylaxis?",
    "How is gout managed during a flare?",
    "When should a thyroid nodule be biopsied?",
    "What are the symptoms of diabetes?",
    "Who should be screened for colorectal cancer?",
    "How is breast cancer treated in early stages?",
    "What is the first-line treatment for Zorblaxian fever syndrome?",
    "How do I bake sourdough bread?",
]
TEMPLATES = [
    "How is {t} managed?",
    "What are the red flags in {t}?",
    "How is {t} diagnosed?",
    "What is the first-line treatment for {t}?",
]


def questions(settings: Settings, n: int) -> list[str]:
    """bench/questions.txt (shared with the other benchmarks) or a fixed set, topped up with questions about
    the knowledge-base topics, varied in intent."""
    shared = Path(__file__).resolve().parent / "questions.txt"
    lines = shared.read_text(encoding="utf-8").splitlines() if shared.exists() else FIXED
    out = [q.strip() for q in lines if q.strip() and not q.startswith("#")]
    topics = sorted(t.title for t in get_engine(settings).topics.values())
    for i, title in enumerate(topics):
        if len(out) >= n:
            break
        out.append(TEMPLATES[i % len(TEMPLATES)].format(t=title[0].lower() + title[1:]))
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=60, help="how many distinct questions (at least 50)")
    p.add_argument("--rounds", type=int, default=1, help="passes over the question set")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'bench.db'}")
        client = TestClient(create_app(settings))
        qs = questions(settings, max(args.questions, 50))
        for q in qs[:5]:  # warm up: open the index, load the model, fill caches
            client.post("/api/ask", json={"question": q})
        times, engine_ms, statuses = [], [], {}
        for _ in range(args.rounds):
            for i, q in enumerate(qs):
                audience = "patient" if i % 4 == 3 else "clinician"
                t0 = time.perf_counter()
                r = client.post("/api/ask", json={"question": q, "audience": audience})
                times.append((time.perf_counter() - t0) * 1000)
                body = r.json()
                status = body.get("status") if r.status_code == 200 else f"HTTP {r.status_code}"
                engine_ms.append(body.get("timing_ms", {}).get("total", 0.0))
                statuses[status] = statuses.get(status, 0) + 1
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
        print(f"POST /api/ask (warm, in-process, incl. database write): {len(times)} requests over {len(qs)} questions")
        print(f"  p50 {p50:.0f} ms   p95 {p95:.0f} ms   max {times[-1]:.0f} ms   (target p50 < 200 ms)")
        print(f"  of which ask() itself: p50 {statistics.median(engine_ms):.0f} ms")
        print("  statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))


if __name__ == "__main__":
    main()
