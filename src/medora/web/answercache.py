"""A small per-process cache of recent answers to fresh questions (issue #14, item 6).

Keyed by (normalised question, audience, mode, index version, library revision): a new index version or any
change in the review library (every change there writes an audit row) gives new keys, so nothing is ever
invalidated by hand; old entries simply fall off the end of the LRU. Only questions without a conversation are
cached (a follow-up depends on its thread), and only answers no review article is attached to (those go through
the library each time, which may refresh the article) or served as a generative mode's fallback.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import NamedTuple

from sqlalchemy import Engine, func, select

from medora.db.schema import audit_log
from medora.models import Answer


class AnswerKey(NamedTuple):
    question: str  # as `validate_question` leaves it: control characters dropped, whitespace collapsed
    audience: str
    mode: str
    index_version: str
    library_revision: int


class AnswerCache:
    """A bounded, thread-safe LRU of `Answer`s; `size=0` disables it (every `get` misses, `put` keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[AnswerKey, Answer] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: AnswerKey) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: AnswerKey, answer: Answer) -> None:
        fallback = answer.verification is not None and answer.verification.fallback
        if self.size <= 0 or answer.review is not None or fallback:
            return
        with self._lock:
            self._items[key] = answer
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


def library_revision(engine: Engine) -> int:
    """The newest audit row's id: it grows with every article created, versioned, approved or returned."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(audit_log.c.id))).scalar() or 0
