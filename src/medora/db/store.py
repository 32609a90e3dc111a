"""AnswerStore: save and load answers and conversations (each answer's full JSON, question, audience, time)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from medora.conversation import Conversation
from medora.db.schema import answers, conversations, turns
from medora.errors import NotFound
from medora.models import Answer, Turn


def public_url(url: str | None) -> str | None:
    """Only web addresses leave the server: a user document's ``file:///home/...`` names a server path."""
    return url if url and url.lower().startswith(("http://", "https://")) else None


def without_server_paths(answer: Answer) -> Answer:
    """The answer with every non-web reference URL removed (issue #14, audit L6)."""
    if all(public_url(r.url) == r.url for r in answer.references):
        return answer
    refs = [r if public_url(r.url) == r.url else r.model_copy(update={"url": None}) for r in answer.references]
    return answer.model_copy(update={"references": refs})


def new_id() -> str:
    """An unguessable, URL-safe id: answer and thread URLs are shareable, not enumerable."""
    return secrets.token_urlsafe(12)


@dataclass
class StoredAnswer:
    id: str
    conversation_id: str | None
    created_at: datetime
    answer: Answer
    position: int | None = None

    def to_json_dict(self, *, with_conversation: bool = True) -> dict:
        """answer.schema.json plus `id`, `conversation_id` and `created_at`.

        A shared answer link is that answer only: pass ``with_conversation=False`` for anyone but the
        thread's owner, so the thread (its other questions) stays behind its own link (issue #14, audit M3).
        """
        return {
            "id": self.id,
            "conversation_id": self.conversation_id if with_conversation else None,
            "created_at": self.created_at.isoformat(),
            **without_server_paths(self.answer).to_json_dict(),
        }


@dataclass
class StoredConversation:
    id: str
    audience: str
    created_at: datetime
    updated_at: datetime
    answers: list[StoredAnswer] = field(default_factory=list)

    def context(self) -> Conversation:
        """The thread as `ask()` reads it."""
        return Conversation(id=self.id, audience=self.audience, turns=[turn_of(s.answer) for s in self.answers])

    def to_json_dict(self) -> dict:
        return {
            "id": self.id,
            "audience": self.audience,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "turns": [
                {
                    "position": s.position,
                    "answer_id": s.id,
                    "question": s.answer.question,
                    "standalone_question": s.answer.standalone_question or s.answer.question,
                    "answer": s.to_json_dict(),
                }
                for s in self.answers
            ],
        }


def turn_of(answer: Answer) -> Turn:
    return Turn(
        question=answer.question,
        standalone_question=answer.standalone_question or answer.question,
        topic=answer.topic,
        title=answer.title,
    )


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


class AnswerStore:
    """Answers and conversation threads in the embedded database (SQLite by default, PostgreSQL works)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create_conversation(self, audience: str) -> StoredConversation:
        now = datetime.now(UTC)
        conv = StoredConversation(id=new_id(), audience=audience, created_at=now, updated_at=now)
        with self.engine.begin() as conn:
            conn.execute(insert(conversations).values(id=conv.id, audience=audience, created_at=now, updated_at=now))
        return conv

    def save_answer(self, answer: Answer, conversation_id: str | None = None) -> StoredAnswer:
        """Store one answer; with a conversation id it becomes that thread's next turn."""
        for attempt in range(3):
            try:
                return self._insert(answer, conversation_id)
            except IntegrityError:  # two follow-ups raced for the same position; the loser takes the next one
                if attempt == 2 or conversation_id is None:
                    raise
        raise AssertionError("unreachable")

    def _insert(self, answer: Answer, conversation_id: str | None) -> StoredAnswer:
        answer = without_server_paths(answer)
        now = datetime.now(UTC)
        saved = StoredAnswer(id=new_id(), conversation_id=conversation_id, created_at=now, answer=answer)
        turn = turn_of(answer)
        with self.engine.begin() as conn:
            # parameters passed to execute() (not .values()) skip per-call SQL construction: cheaper per answer
            conn.execute(
                insert(answers),
                dict(
                    id=saved.id,
                    conversation_id=conversation_id,
                    question=answer.question,
                    standalone_question=answer.standalone_question,
                    audience=answer.audience.value,
                    status=answer.status.value,
                    title=answer.title,
                    topic=answer.topic,
                    created_at=now,
                    answer_json=answer.to_json_dict(),
                ),
            )
            if conversation_id is not None:
                position = (
                    conn.execute(
                        select(func.count()).select_from(turns).where(turns.c.conversation_id == conversation_id)
                    ).scalar_one()
                    + 1
                )
                conn.execute(
                    insert(turns),
                    dict(
                        conversation_id=conversation_id,
                        position=position,
                        answer_id=saved.id,
                        question=turn.question,
                        standalone_question=turn.standalone_question,
                        topic=turn.topic,
                        title=turn.title,
                        created_at=now,
                    ),
                )
                conn.execute(update(conversations).where(conversations.c.id == conversation_id).values(updated_at=now))
                saved.position = position
        return saved

    def get_answer(self, answer_id: str) -> StoredAnswer:
        q = (
            select(
                answers.c.id, answers.c.conversation_id, answers.c.created_at, answers.c.answer_json, turns.c.position
            )
            .select_from(answers.outerjoin(turns, turns.c.answer_id == answers.c.id))
            .where(answers.c.id == answer_id)
        )
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            raise NotFound(f"no answer with id {answer_id!r}")
        return StoredAnswer(
            id=row.id,
            conversation_id=row.conversation_id,
            created_at=_aware(row.created_at),
            answer=Answer.model_validate(row.answer_json),
            position=row.position,
        )

    def get_conversation(self, conversation_id: str) -> StoredConversation:
        with self.engine.connect() as conn:
            row = conn.execute(select(conversations).where(conversations.c.id == conversation_id)).first()
            if row is None:
                raise NotFound(
                    f"no conversation with id {conversation_id!r}",
                    hint="Start a new one with POST /api/ask (without conversation_id).",
                )
            rows = conn.execute(
                select(answers.c.id, answers.c.created_at, answers.c.answer_json, turns.c.position)
                .select_from(turns.join(answers, turns.c.answer_id == answers.c.id))
                .where(turns.c.conversation_id == conversation_id)
                .order_by(turns.c.position)
            ).all()
        return StoredConversation(
            id=row.id,
            audience=row.audience,
            created_at=_aware(row.created_at),
            updated_at=_aware(row.updated_at),
            answers=[
                StoredAnswer(
                    id=r.id,
                    conversation_id=conversation_id,
                    created_at=_aware(r.created_at),
                    answer=Answer.model_validate(r.answer_json),
                    position=r.position,
                )
                for r in rows
            ],
        )

    def purge(self, before: datetime) -> dict[str, int]:
        """Delete threads idle since before `before` (with their answers) and unthreaded answers older than it.

        Articles under review keep their own copy of the answer they came from, so review is unaffected.
        """
        old_threads = select(conversations.c.id).where(conversations.c.updated_at < before)
        with self.engine.begin() as conn:
            n_turns = conn.execute(delete(turns).where(turns.c.conversation_id.in_(old_threads))).rowcount
            n_answers = conn.execute(
                delete(answers).where(
                    or_(
                        answers.c.conversation_id.in_(old_threads),
                        and_(answers.c.conversation_id.is_(None), answers.c.created_at < before),
                    )
                )
            ).rowcount
            n_threads = conn.execute(delete(conversations).where(conversations.c.updated_at < before)).rowcount
        return {"conversations": n_threads, "answers": n_answers, "turns": n_turns}

    def ping(self) -> None:
        """Raise if the database cannot be reached."""
        with self.engine.connect() as conn:
            conn.execute(select(1))
