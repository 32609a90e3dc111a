"""The embedded database: answers and conversations now, the review workflow (issue #5) next.

One SQLAlchemy engine per database URL, Alembic migrations numbered ``0001_initial``, ``0002_...``
in ``migrations/versions/`` and run on startup, and a small store for the web layer.

Usage example::

    from medora.db import open_store
    store = open_store(settings)          # migrates to the newest revision first
    saved = store.save_answer(answer)     # -> StoredAnswer with .id and .conversation_id
"""

from __future__ import annotations

from medora.db.engine import database_url, make_engine, migrate, open_store
from medora.db.store import AnswerStore, StoredAnswer, StoredConversation

__all__ = ["AnswerStore", "StoredAnswer", "StoredConversation", "database_url", "make_engine", "migrate", "open_store"]
