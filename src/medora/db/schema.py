"""Tables (SQLAlchemy Core). Every change here needs a numbered migration in migrations/versions/."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Integer, MetaData, String, Table, Text, UniqueConstraint

# Stable constraint names so later migrations (batch mode on SQLite) can refer to them.
metadata = MetaData(naming_convention={
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

conversations = Table(
    "conversations", metadata,
    Column("id", String(32), primary_key=True),
    Column("audience", String(16), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

answers = Table(
    "answers", metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id", ondelete="CASCADE"), nullable=True,
           index=True),
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
    "turns", metadata,
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
