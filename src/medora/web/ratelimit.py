"""Per-address request budgets for the anonymous, expensive routes: asking and submitting for review.

A sliding window of timestamps per (bucket, address), in memory: cheap, no database write per question.
With several worker processes each keeps its own window, so the effective limit is the setting times the
number of workers; the sign-in limit, which must be exact, lives in the database instead (review/store.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from medora.errors import TooManyRequests

MAX_KEYS = 100_000  # past this many tracked addresses, the idlest are forgotten (memory stays bounded)


class RateLimiter:
    """`check(bucket, address, limit, window_s)` raises 429 when `address` used `limit` requests in the window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._hits: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, bucket: str, address: str, limit: int, window_s: float, hint: str = "") -> None:
        if limit <= 0:
            return
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault((bucket, address), deque())
            while hits and hits[0] <= now - window_s:
                hits.popleft()
            if len(hits) >= limit:
                wait = max(int(hits[0] + window_s - now) + 1, 1)
                raise TooManyRequests(
                    f"too many requests from your address; try again in {wait} seconds",
                    retry_after=wait,
                    hint=hint or None,
                )
            hits.append(now)
            if len(self._hits) > MAX_KEYS:
                self._forget(now, window_s)

    def _forget(self, now: float, window_s: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - window_s]:
            del self._hits[key]
        while len(self._hits) > MAX_KEYS:
            del self._hits[next(iter(self._hits))]
