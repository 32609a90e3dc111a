"""Database rows of the review tables as models, and the rows every change writes.

Shared by the account store (`accounts.py`) and the article store (`articles.py`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import CursorResult, Select, insert, select

from medora.db.schema import article_versions, articles, audit_log, users
from medora.models import Answer
from medora.review.fingerprint import Fingerprint
from medora.review.models import Action, Article, Role, State, User, Version


def utc_now() -> datetime:
    return datetime.now(UTC)


@overload
def aware(t: datetime) -> datetime: ...
@overload
def aware(t: None) -> None: ...
def aware(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row an INSERT just added (SQLAlchemy types it optional: None only for
    statements that insert no single row)."""
    key = result.inserted_primary_key
    assert key is not None
    return key[0]


def article_query() -> Select[Any]:
    return select(articles, users.c.role.label("approver_role")).select_from(
        articles.outerjoin(users, users.c.id == articles.c.approved_by)
    )


def article_of(row: Any) -> Article:
    return Article(
        id=row.id,
        question=row.question,
        question_key=row.question_key,
        audience=row.audience,
        title=row.title,
        topic=row.topic,
        state=State(row.state),
        current_version=row.current_version,
        approved_version=row.approved_version,
        approved_at=aware(row.approved_at),
        approved_by_role=Role(row.approver_role) if row.approver_role else None,
        created_at=aware(row.created_at),
        updated_at=aware(row.updated_at),
    )


def version_of(row: Any) -> Version:
    author = f"{row.display_name} ({row.role})" if row.display_name else None
    return Version(
        number=row.number,
        answer=Answer.model_validate(row.answer_json),
        answer_id=row.answer_id,
        index_version=row.index_version,
        source_ids=list(row.source_ids),
        sources_fingerprint=row.sources_fingerprint,
        author_id=row.author_id,
        author=author,
        reason=row.reason,
        note=row.note,
        created_at=aware(row.created_at),
    )


def insert_version(
    conn: Any,
    article_id: str,
    number: int,
    answer: Answer,
    fp: Fingerprint,
    user: User | None,
    reason: str,
    note: str,
    answer_id: str | None,
    now: datetime,
) -> None:
    stored = answer.model_copy(update={"review": None, "timing_ms": {}}).to_json_dict()
    conn.execute(
        insert(article_versions).values(
            article_id=article_id,
            number=number,
            answer_json=stored,
            answer_id=answer_id,
            index_version=fp.index_version,
            source_ids=fp.source_ids,
            sources_fingerprint=fp.hash,
            author_id=user.id if user else None,
            reason=reason,
            note=note,
            created_at=now,
        )
    )


def insert_audit(
    conn: Any,
    article_id: str,
    version: int,
    user: User | None,
    action: Action,
    frm: State | None,
    to: State,
    comment: str,
    now: datetime,
) -> None:
    conn.execute(
        insert(audit_log).values(
            article_id=article_id,
            version=version,
            actor_id=user.id if user else None,
            actor_role=user.role.value if user else "system",
            action=action.value,
            from_state=frm.value if frm else None,
            to_state=to.value,
            comment=comment,
            at=now,
        )
    )
