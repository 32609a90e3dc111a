"""Index versions replaced by a newer one, closed as soon as nothing holds them any more.

After an ingest the server opens the new version at once, but a request that started a moment
earlier may still be answering from the old one (or from its reader alone), so the old version
cannot be closed at the swap. Leaving it to the garbage collector kept its SQLite connection and
vectors (files already deleted) open across many reloads (audit L4). Each `sweep()` closes the
retired readers that no one but this list refers to.

Usage example::

    retired = Retired()
    retired.add(old_engine, old_engine.reader)   # at the reload
    retired.sweep()                              # on every later lookup: cheap, usually empty
"""

from __future__ import annotations

import sys
import threading
import weakref
from typing import Protocol


class Closable(Protocol):
    def close(self) -> None: ...


def _attrs_holding(holder: object, reader: object) -> int:
    return sum(1 for value in vars(holder).values() if value is reader)


class Retired:
    """Readers of replaced versions, each with the object (the engine) that served them."""

    def __init__(self) -> None:
        self._items: list[tuple[weakref.ref, Closable]] = []
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def add(self, holder: object, reader: Closable) -> None:
        with self._lock:
            self._items.append((weakref.ref(holder), reader))
        self.sweep()

    def sweep(self) -> int:
        """Close every retired reader nobody else holds (CPython reference counts); return how many."""
        closed = 0
        with self._lock:
            items, self._items = self._items, []
            while items:
                ref, reader = items.pop()
                holder = ref()
                # Our references: `reader` and getrefcount's argument, plus the live holder's own attributes;
                # the holder's: `holder` and the argument. Anything above that is a request still using them.
                inside = _attrs_holding(holder, reader) if holder is not None else 0
                if (holder is None or sys.getrefcount(holder) <= 2) and sys.getrefcount(reader) <= 2 + inside:
                    reader.close()
                    closed += 1
                else:
                    self._items.append((ref, reader))
                del holder, reader, ref
        return closed
