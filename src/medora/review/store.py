"""ReviewStore: the review's data in the app's database, in two halves.

- `accounts.py`: accounts, sign-in and sessions (`AccountStore`);
- `articles.py`: articles and versions, decisions, comments and the audit log (`ArticleStore`);
- `rows.py`: database rows as models, shared by both.

Usage example::

    from medora.review import open_review
    review = open_review(settings)
    alice = review.add_user("alice", "a long passphrase", "reviewer")
    article, _ = review.submit(answer, fingerprint)
    review.transition(article.id, "start_review", alice)
"""

from __future__ import annotations

from sqlalchemy import Engine

from medora.review.accounts import AccountStore
from medora.review.articles import MAX_COMMENT, REVIEWABLE, ArticleStore

__all__ = ["MAX_COMMENT", "REVIEWABLE", "ReviewStore"]


class ReviewStore(AccountStore, ArticleStore):
    """Accounts, sessions, articles, versions, comments and the audit log on one database engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
