"""The review library's cost on ask(): no library, a library with no match, and the approved fast path.

Also how the near-identical lookup scales with the number of articles (it scans the audience's keys
when no key matches exactly).

    MEDORA_DATA_DIR=... python bench/review.py [--articles 5000]

Uses a throwaway SQLite database in a temp folder; the index comes from MEDORA_DATA_DIR (default: the CLI's).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

sys.path.insert(0, os.path.dirname(__file__))
from common import percentile, questions, settings  # noqa: E402

from medora.db.schema import articles
from medora.editorial import ask_reviewed
from medora.qa import ask, get_engine
from medora.review import open_review
from medora.review.fingerprint import fingerprint
from medora.review.matching import question_key, stem_key


def timed(fn, *args, **kw) -> tuple[float, object]:  # noqa: ANN001
    t = time.perf_counter()
    out = fn(*args, **kw)
    return (time.perf_counter() - t) * 1000, out


def line(name: str, ms: list[float]) -> str:
    return f"{name:34} n={len(ms):3}  p50 {percentile(ms, 50):7.1f} ms  p95 {percentile(ms, 95):7.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--articles", type=int, default=5000, help="synthetic articles for the lookup-scaling figure")
    args = ap.parse_args()
    base = settings()
    engine = get_engine(base)
    qs = questions()
    with tempfile.TemporaryDirectory() as tmp:
        s = base.model_copy(update={"database_url": f"sqlite:///{Path(tmp) / 'bench.db'}"})
        review = open_review(s)
        rev = review.add_user("bench-reviewer", "bench passphrase 123", "reviewer")
        for q in qs[:3]:
            ask_reviewed(q, settings=s, library=review)  # warm-up
        plain, miss = [], []
        for q in qs:
            plain.append(timed(ask, q, settings=s)[0])
            miss.append(timed(ask_reviewed, q, settings=s, library=review)[0])
        approved = 0
        for q in qs:
            a = ask(q, settings=s)
            try:
                art, _ = review.submit(a, fingerprint(a, engine.reader))
            except Exception:  # noqa: BLE001 - non-answers cannot be submitted
                continue
            if art.state == "submitted":
                review.transition(art.id, "start_review", rev)
                review.transition(art.id, "approve", rev)
            approved += 1
        fast = []
        for q in qs:
            ms, a = timed(ask_reviewed, q, settings=s, library=review)
            if a.review and a.review.status == "approved":
                fast.append(ms)
        passages = engine.reader.stats()["passages"]
        print(f"{len(qs)} questions, {approved} approved articles; index {passages:,} passages")
        print(line("ask() without a library", plain))
        print(line("ask() with a library, no article", miss))
        print(line("ask() fast path (approved)", fast))

        now = datetime.now(UTC)
        with review.engine.begin() as conn:
            conn.execute(
                insert(articles),
                [
                    dict(
                        id=f"synthetic{i}",
                        question=f"synthetic question {i} about condition {i % 97}",
                        question_key=(k := question_key(f"synthetic question {i} about condition {i % 97}")),
                        stem_key=stem_key(k),
                        audience="clinician",
                        title="t",
                        state="submitted",
                        current_version=1,
                        created_at=now,
                        updated_at=now,
                    )
                    for i in range(args.articles)
                ],
            )
        hit = [timed(review.find_article, q, "clinician")[0] for q in qs]
        miss = [timed(review.find_article, q + " in pregnancy", "clinician")[0] for q in qs]  # scans every key
        total = args.articles + approved
        print(line(f"find_article hit, {total:,} articles", hit))
        print(line(f"find_article miss, {total:,} articles", miss))


if __name__ == "__main__":
    main()
