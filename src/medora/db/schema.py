"""Tables (SQLAlchemy Core). Every change here needs a numbered migration in migrations/versions/."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

# Stable constraint names so later migrations (batch mode on SQLite) can refer to them.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("audience", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

answers = Table(
    "answers",
    metadata,
    Column("id", String(32), primary_key=True),
    Column(
        "conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True, index=True
    ),
    Column("question", Text, nullable=False),
    Column("standalone_question", Text, nullable=True),
    Column("audience", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("topic", String(200), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("answer_json", JSON, nullable=False),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=False),
    Column("position", Integer, nullable=False),
    Column("answer_id", String(32), ForeignKey("answers.id", ondelete="CASCADE"), nullable=False),
    Column("question", Text, nullable=False),
    Column("standalone_question", Text, nullable=False),
    Column("topic", String(200), nullable=True),
    Column("title", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("conversation_id", "position", name="uq_turns_conversation_position"),
)


# --- editorial review (issue #5, migration 0002_review) ---

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # reviewer | editor | admin
    Column("password_hash", Text, nullable=False),  # argon2id, with its parameters and salt
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),  # sha256 of the cookie's token: a database leak yields no sessions
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("csrf", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("question", Text, nullable=False),
    Column("question_key", String(500), nullable=False),
    Column("stem_key", String(500), nullable=False),  # candidates for the near-identical match
    Column("audience", String(16), nullable=False),
    Column("title", Text, nullable=False),
    Column("topic", String(200), nullable=True),
    Column("state", String(24), nullable=False, index=True),
    Column("current_version", Integer, nullable=False),
    Column("approved_version", Integer, nullable=True),
    Column("approved_at", DateTime(timezone=True), nullable=True),
    Column("approved_by", Integer, ForeignKey("users.id"), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, index=True),
    Index("ix_articles_audience_question_key", "audience", "question_key", unique=True),  # one article a question
    Index("ix_articles_audience_stem_key", "audience", "stem_key"),
)

article_versions = Table(
    "article_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("answer_json", JSON, nullable=False),
    Column("answer_id", String(32), nullable=True),  # the stored answer it came from, if any
    Column("index_version", String(64), nullable=True),  # corpus hash of the index that produced it
    Column("source_ids", JSON, nullable=False),
    Column("sources_fingerprint", String(64), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=True),  # None: generated by Medora
    Column("reason", String(24), nullable=False),  # generated | edit | sources_changed
    Column("note", Text, nullable=False, default=""),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("article_id", "number", name="uq_article_versions_article_number"),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("bullet", String(16), nullable=True),  # "summary", "s2.b3", or None for the whole article
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

audit_log = Table(  # append-only: triggers in 0002_review refuse UPDATE and DELETE
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(32), ForeignKey("articles.id"), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("actor_id", Integer, ForeignKey("users.id"), nullable=True),  # None: Medora itself
    Column("actor_role", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(24), nullable=True),
    Column("to_state", String(24), nullable=False),
    Column("comment", Text, nullable=False, default=""),
    Column("at", DateTime(timezone=True), nullable=False),
)

account_log = Table(  # append-only like audit_log: who created, disabled or re-keyed which account
    "account_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, index=True),
    Column("action", String(24), nullable=False),  # add | passwd | disable | enable
    Column("detail", Text, nullable=False, default=""),
    Column("actor", String(200), nullable=False),  # e.g. "cli:root@host"
    Column("at", DateTime(timezone=True), nullable=False),
)
