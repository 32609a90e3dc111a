"""Pages and API: each GET handler loads its data once and renders JSON (/api/...) or HTML.

GET  /                         home: ask box, audience, examples
POST /ask        /api/ask      ask (starts a thread unless given conversation_id)
GET  /answers/{id}             one answer, shareable      (JSON: /api/answers/{id})
GET  /conversations/{id}       a thread of answers        (JSON: /api/conversations/{id})
POST /conversations/{id}/ask   a follow-up in context     (JSON: /api/conversations/{id}/ask)
GET  /sources/{id}             a source and its passages  (JSON: /api/sources/{id})
GET  /health
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from medora.db import StoredAnswer
from medora.models import Answer, Audience
from medora.qa import get_engine
from medora.web.auth import is_https, load_identity, verify_csrf
from medora.web.presenter import ArticleView, long_date
from medora.web.services import (
    Services,
    answer_question,
    limit_asking,
    load_answer,
    load_conversation,
    load_source,
    services,
)

router = APIRouter(dependencies=[Depends(load_identity), Depends(verify_csrf)])
Svc = Annotated[Services, Depends(services)]
SEED_Q = "What is the initial approach to managing endplate vertebral body compression?"
Mode = Literal["extractive", "generative"]
MODE_HELP = (
    "generative: the configured language model proposes, Medora verifies every bullet (falls back to extractive, "
    "with the reason in `verification`, when no model is configured or it fails)"
)


class AskBody(BaseModel):
    # no minLength: control characters are removed at the edge, so "blank" is judged after cleaning (400)
    question: str = Field(description="the clinical question (blank: 400)", examples=[SEED_Q])
    audience: Audience = Field(Audience.CLINICIAN, description="clinician, or patient for plain language")
    conversation_id: str | None = Field(None, description="continue this thread (the question may lean on it)")
    mode: Mode = Field("extractive", description=MODE_HELP)


class FollowUpBody(BaseModel):
    question: str = Field(description="the follow-up, e.g. 'what about in pregnancy?'", examples=["and the dose?"])
    audience: Audience | None = Field(None, description="default: the thread's audience")
    mode: Mode = Field("extractive", description=MODE_HELP)


class AnswerOut(Answer):
    id: str = Field(description="the answer's id: GET /api/answers/{id}, page /answers/{id}")
    conversation_id: str | None = Field(description="its thread: GET /api/conversations/{id}")
    created_at: str


class ErrorOut(BaseModel):
    ok: bool = False
    status: int
    error: str
    hint: str
    errors: list[dict]


ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (400, 404, 413, 422, 503)}
ASK_ERRORS: dict[int | str, dict[str, Any]] = {**ERRORS, 429: {"model": ErrorOut}}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error responses a route really gives, in the one error shape (for the OpenAPI spec)."""
    return {**ERRORS, **{c: {"model": ErrorOut} for c in codes}}


THREADS_COOKIE = "medora_threads"  # the conversations this browser started: only it is offered their thread
MAX_THREADS = 20


def owned_threads(request: Request) -> list[str]:
    return [t for t in request.cookies.get(THREADS_COOKIE, "").split(".") if t][:MAX_THREADS]


def remember_thread(request: Request, response: Response, conversation_id: str) -> None:
    """This browser started (or continued) the thread: its answer pages may link to it (issue #14, audit M3)."""
    ids = [conversation_id, *(t for t in owned_threads(request) if t != conversation_id)][:MAX_THREADS]
    response.set_cookie(
        THREADS_COOKIE, ".".join(ids), max_age=30 * 86400, httponly=True, samesite="lax", secure=is_https(request)
    )


def as_shared(request: Request, stored: StoredAnswer) -> StoredAnswer:
    """An answer as a shared link shows it: without its thread unless this browser owns that thread."""
    if stored.conversation_id and stored.conversation_id in owned_threads(request):
        return stored
    return replace(stored, conversation_id=None)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def render(request: Request, template: str, context: dict, data: dict) -> Response:
    """The one place that picks the rendering: JSON for /api/..., else the HTML template."""
    if is_api(request):
        return JSONResponse(data)
    svc: Services = request.app.state.services
    return svc.templates.TemplateResponse(request, template, {"data": data, **context})


def remember_audience(svc: Services, response: Response, audience: str | None, request: Request) -> None:
    if audience in ("clinician", "patient"):
        response.set_cookie(
            svc.web.audience_cookie,
            audience,
            max_age=svc.web.audience_cookie_days * 86400,
            httponly=True,
            samesite="lax",
            secure=is_https(request),
        )


def ask_budget(request: Request) -> None:
    """Route dependency: 429 once this address used its questions for the minute (audit L3)."""
    limit_asking(request.app.state.services, request)


def audience_of(svc: Services, request: Request) -> str:
    value = request.cookies.get(svc.web.audience_cookie)
    return value if value in ("clinician", "patient") else "clinician"


@router.api_route("/", methods=["GET", "HEAD"], include_in_schema=False)
def home(request: Request, svc: Svc) -> Response:
    return svc.templates.TemplateResponse(
        request, "home.html", {"audience": audience_of(svc, request), "examples": svc.web.examples}
    )


@router.post("/ask", include_in_schema=False, dependencies=[Depends(ask_budget)])
def ask_form(
    request: Request,
    svc: Svc,
    question: Annotated[str, Form()] = "",
    audience: Annotated[str | None, Form()] = None,
    mode: Annotated[str, Form()] = "extractive",
) -> Response:
    stored = answer_question(svc, question, audience, mode=mode)
    response = RedirectResponse(f"/answers/{stored.id}", status_code=303)
    remember_audience(svc, response, audience, request)
    if stored.conversation_id:
        remember_thread(request, response, stored.conversation_id)
    return response


@router.post(
    "/api/ask",
    response_model=AnswerOut,
    responses=ASK_ERRORS,
    tags=["answers"],
    summary="Ask a question",
    dependencies=[Depends(ask_budget)],
)
def ask_api(body: AskBody, svc: Svc) -> Response:
    """Answer a question; the answer follows answer.schema.json, plus `id` and `conversation_id`.

    Keep `conversation_id` to yourself: it opens the whole thread (GET /api/answers/{id} leaves it out).
    """
    stored = answer_question(svc, body.question, body.audience, body.conversation_id, body.mode)
    return JSONResponse(stored.to_json_dict())


@router.get("/answers/{answer_id}", include_in_schema=False)
@router.get(
    "/api/answers/{answer_id}",
    response_model=AnswerOut,
    responses=ERRORS,
    tags=["answers"],
    summary="Get a stored answer",
)
def show_answer(request: Request, answer_id: str, svc: Svc) -> Response:
    """One stored answer; `conversation_id` is null: a shared answer link does not open its thread."""
    stored = as_shared(request, load_answer(svc, answer_id))
    return render(
        request,
        "answer.html",
        {"view": ArticleView(stored), "audience": audience_of(svc, request)},
        stored.to_json_dict(),
    )


@router.get("/conversations/{conversation_id}", include_in_schema=False)
@router.get(
    "/api/conversations/{conversation_id}",
    responses=ERRORS,
    tags=["conversations"],
    summary="Get a conversation and its turns",
)
def show_conversation(request: Request, conversation_id: str, svc: Svc) -> Response:
    """A thread: its turns in order, each with its full answer."""
    conv = load_conversation(svc, conversation_id)
    views = [ArticleView(s, level=2) for s in conv.answers]
    return render(
        request,
        "conversation.html",
        {"conv": conv, "views": views, "started": long_date(conv.created_at)},
        {"ok": True, **conv.to_json_dict()},
    )


@router.post("/conversations/{conversation_id}/ask", include_in_schema=False, dependencies=[Depends(ask_budget)])
def follow_up_form(
    request: Request,
    conversation_id: str,
    svc: Svc,
    question: Annotated[str, Form()] = "",
    audience: Annotated[str | None, Form()] = None,
) -> Response:
    stored = answer_question(svc, question, audience or None, conversation_id)
    if request.headers.get("hx-request"):  # htmx: append the new turn to the thread in place
        response: Response = svc.templates.TemplateResponse(
            request, "_turn.html", {"view": ArticleView(stored, level=2), "conv_id": conversation_id}
        )
    else:
        response = RedirectResponse(f"/conversations/{conversation_id}#turn-{stored.position}", status_code=303)
    remember_audience(svc, response, audience, request)
    return response


@router.post(
    "/api/conversations/{conversation_id}/ask",
    dependencies=[Depends(ask_budget)],
    response_model=AnswerOut,
    responses=ASK_ERRORS,
    tags=["conversations"],
    summary="Ask a follow-up in a conversation",
)
def follow_up_api(conversation_id: str, body: FollowUpBody, svc: Svc) -> Response:
    """Ask in a thread's context: 'what about in pregnancy?' is answered about the thread's subject."""
    stored: StoredAnswer = answer_question(svc, body.question, body.audience, conversation_id, body.mode)
    return JSONResponse(stored.to_json_dict())


@router.get("/sources/{source_id:path}", include_in_schema=False)
@router.get(
    "/api/sources/{source_id:path}", responses=ERRORS, tags=["sources"], summary="Get a source and its passages"
)
def show_source(request: Request, source_id: str, svc: Svc) -> Response:
    """A source (guideline, article, patient page) with the passages Medora indexed from it."""
    data = load_source(svc, source_id)
    return render(request, "source.html", {}, data)


@router.head("/health", include_in_schema=False)  # load balancers check health with HEAD
@router.get("/health", responses={503: {"model": ErrorOut}}, tags=["service"], summary="Health check")
def health(svc: Svc) -> dict:
    """Liveness and what is loaded: the index (503 if missing) and the database."""
    stats = get_engine(svc.settings).reader.stats()
    svc.store.ping()
    return {"ok": True, "status": 200, "index": stats, "database": svc.store.engine.url.get_backend_name()}
