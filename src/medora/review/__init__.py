"""Editorial review by the medical advisory board (issue #5).

models.py       Role, State, Action and the records (User, Article, Version, Comment, AuditEntry)
workflow.py     the state machine and permissions: pure functions
store.py        ReviewStore: the two halves below on one database engine (SQLAlchemy)
accounts.py     accounts, sign-in and sessions
articles.py     articles and versions, decisions, comments, audit log
rows.py         database rows as models, shared by both halves
auth.py         argon2id passwords, session/CSRF tokens, login rate-limit numbers
matching.py     near-identical questions -> one article
fingerprint.py  what an answer rests on, to notice when its sources change
edits.py        bullet edits that keep every citation supported
meaning.py      does an edited bullet keep its passage's negation and direction
diff.py         bullet- and word-level differences between versions
"""

from __future__ import annotations

from medora.review.models import Action, Article, AuditEntry, Comment, Role, State, User, Version
from medora.review.store import ReviewStore

__all__ = [
    "Action",
    "Article",
    "AuditEntry",
    "Comment",
    "ReviewStore",
    "Role",
    "State",
    "User",
    "Version",
    "open_review",
]


def open_review(settings) -> ReviewStore:  # noqa: ANN001 - Settings
    """The review store on the app's database (migrated to the newest revision first)."""
    from medora.db import database_url, make_engine, migrate

    engine = make_engine(database_url(settings))
    migrate(engine)
    return ReviewStore(engine)
