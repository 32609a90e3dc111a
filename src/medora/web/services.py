"""What every request needs (settings, the answer store, templates) and the work shared by JSON and HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from fastapi.templating import Jinja2Templates

from medora.compose.generative import check_mode
from medora.db import AnswerStore, StoredAnswer, StoredConversation
from medora.db.store import public_url
from medora.editorial import ask_reviewed
from medora.errors import NotFound
from medora.models import Audience
from medora.qa import get_engine, parse_audience, validate_question
from medora.review import ReviewStore
from medora.settings import Settings
from medora.web.answercache import AnswerCache, AnswerKey, library_revision
from medora.web.config import WebSettings
from medora.web.ratelimit import RateLimiter


@dataclass
class Services:
    settings: Settings
    web: WebSettings
    store: AnswerStore
    templates: Jinja2Templates
    review: ReviewStore
    limiter: RateLimiter = field(default_factory=RateLimiter)
    answers: AnswerCache = field(default_factory=lambda: AnswerCache(0))


def services(request: Request) -> Services:
    return request.app.state.services


def client_ip(request: Request) -> str:
    """The client's address (a trusted proxy's X-Forwarded-For is applied before the app sees the request)."""
    return request.client.host if request.client else "unknown"


def limit_asking(svc: Services, request: Request) -> None:
    """429 once this address asked `ask_per_minute` questions in the last minute."""
    svc.limiter.check("ask", client_ip(request), svc.web.ask_per_minute, 60, hint="Wait a moment before asking again.")


def answer_question(
    svc: Services,
    question: str,
    audience: Audience | str | None = None,
    conversation_id: str | None = None,
    mode: str = "extractive",
) -> StoredAnswer:
    """Ask (in the thread's context when given) and store the answer as the thread's next turn.

    A new question without a thread starts one, so every answer can be followed up.
    """
    check_mode(mode)
    conversation = svc.store.get_conversation(conversation_id) if conversation_id else None
    aud = parse_audience(audience or (conversation.audience if conversation else Audience.CLINICIAN))
    key = fresh_key(svc, question, aud, mode) if conversation is None and svc.answers.size > 0 else None
    answer = svc.answers.get(key) if key else None
    if answer is None:
        answer = ask_reviewed(
            question,
            audience=aud,
            conversation=conversation.context() if conversation else None,
            settings=svc.settings,
            library=svc.review,
            mode=mode,
        )
        if key:
            svc.answers.put(key, answer)
    if conversation is None:
        conversation = svc.store.create_conversation(aud.value)
    return svc.store.save_answer(answer, conversation.id)


def fresh_key(svc: Services, question: str, audience: Audience, mode: str) -> AnswerKey:
    """The answer cache's key for a question asked without a thread (#14)."""
    return AnswerKey(
        question=validate_question(question, svc.settings),
        audience=audience.value,
        mode=mode,
        index_version=get_engine(svc.settings).reader.dir.name,
        library_revision=library_revision(svc.store.engine),
    )


def load_answer(svc: Services, answer_id: str) -> StoredAnswer:
    """The one loader behind /answers/{id} and /api/answers/{id}."""
    return svc.store.get_answer(answer_id)


def load_conversation(svc: Services, conversation_id: str) -> StoredConversation:
    return svc.store.get_conversation(conversation_id)


def load_source(svc: Services, source_id: str) -> dict:
    """A source with its passages, as stored in the index."""
    reader = get_engine(svc.settings).reader
    source = reader.source(source_id)
    if source is None:
        raise NotFound(f"no source with id {source_id!r}", hint="Source ids appear in an answer's references.")
    passages = [
        {"id": p.id, "heading": p.heading, "text": p.text, "lay_text": p.lay_text, "kind": p.kind}
        for p in reader.source_passages(source_id)
    ]
    public = source.model_dump(mode="json")
    public["url"] = public_url(public.get("url"))  # a user document's file:// path is the server's business
    return {"ok": True, "source": public, "passages": passages}
