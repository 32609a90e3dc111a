"""The published library: answers submitted for review, and the articles the advisory board approved.

POST /answers/{id}/submit                         POST /api/answers/{id}/submit
GET  /library                                     GET  /api/library
GET  /articles/{id}                               GET  /api/articles/{id}
GET  /editorial-policy
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from medora.db import StoredAnswer
from medora.models import ReviewInfo
from medora.qa import get_engine
from medora.review import Article, State, Version
from medora.review.fingerprint import fingerprint, stale
from medora.web.auth import current_user, load_identity, verify_csrf
from medora.web.presenter import ArticleView
from medora.web.routes import ERRORS, Svc, documented, render
from medora.web.services import Services, client_ip, load_answer

router = APIRouter(dependencies=[Depends(load_identity), Depends(verify_csrf)])


def submit_answer(svc: Services, answer_id: str, request: Request) -> tuple[Article, bool]:
    if current_user(request) is None:  # anonymous submissions cannot flood the queue (audit M6)
        svc.limiter.check(
            "submit",
            client_ip(request),
            svc.web.submit_per_hour,
            3600,
            hint="Submissions from one address are limited per hour; try again later.",
        )
    stored = load_answer(svc, answer_id)
    reader = get_engine(svc.settings).reader
    return svc.review.submit(
        stored.answer, fingerprint(stored.answer, reader), answer_id=stored.id, stale=lambda v: stale(v, reader)
    )


@router.post("/answers/{answer_id}/submit", include_in_schema=False)
def submit_form(request: Request, answer_id: str, svc: Svc) -> Response:
    article, _ = submit_answer(svc, answer_id, request)
    return RedirectResponse(f"/articles/{article.id}", status_code=303)


@router.post(
    "/api/answers/{answer_id}/submit",
    tags=["review"],
    summary="Submit an answer to the advisory board",
    responses={**documented(429), 201: {"description": "a new article was created"}},
)
def submit_api(request: Request, answer_id: str, svc: Svc) -> Response:
    """The answer becomes an article in the review queue (or joins the article of a near-identical question).

    200 when it joined an existing article, 201 when it made a new one; anonymous submissions are limited
    per address and hour (429).
    """
    article, created = submit_answer(svc, answer_id, request)
    return JSONResponse(
        {"ok": True, "created": created, "article": public_article(article)}, status_code=201 if created else 200
    )


def public_view(article: Article, version: Version) -> Article:
    """The article as the public sees it: the published version's number, and approved if that version was."""
    approved = version.number == article.approved_version and article.approved_at is not None
    return article.model_copy(
        update={"current_version": version.number, "state": State.APPROVED if approved else article.state}
    )


def public_article(a: Article) -> dict:
    """What anyone may see of an article: no comments, no reviewer names."""
    return {
        "id": a.id,
        "question": a.question,
        "audience": a.audience,
        "title": a.title,
        "state": a.state.value,
        "version": a.current_version,
        "approved_at": a.approved_at.isoformat() if a.approved_at else None,
        "approved_by_role": a.approved_by_role.value if a.approved_by_role else None,
        "updated_at": a.updated_at.isoformat(),
        "url": f"/articles/{a.id}",
    }


def published_answer(article: Article, version: Version) -> StoredAnswer:
    approved = article.state == State.APPROVED
    when = article.approved_at if approved and article.approved_at else article.updated_at
    review = ReviewInfo(
        article_id=article.id,
        status=article.state.value,
        last_updated=when.date().isoformat(),
        version=version.number,
        reviewer_role=article.approved_by_role.value if approved and article.approved_by_role else None,
    )
    return StoredAnswer(
        id=article.id,
        conversation_id=None,
        created_at=version.created_at,
        answer=version.answer.model_copy(update={"review": review}),
    )


@router.get("/library", include_in_schema=False)
@router.get("/api/library", tags=["library"], summary="Approved articles", responses=ERRORS)
def library(
    request: Request,
    svc: Svc,
    q: str | None = Query(None, max_length=200),
    audience: str | None = Query(None, pattern="^(clinician|patient)$"),
) -> Response:
    """The published library: articles the advisory board approved, searchable by words of the question or title."""
    found = svc.review.library(q, audience)
    data = {"ok": True, "q": q or "", "articles": [public_article(a) for a in found]}
    return render(request, "library.html", {"found": found}, data)


@router.get("/articles/{article_id}", include_in_schema=False)
@router.get(
    "/api/articles/{article_id}", tags=["library"], summary="An article as the public sees it", responses=ERRORS
)
def show_article(request: Request, article_id: str, svc: Svc) -> Response:
    """Its last approved version, marked Approved (with the reviewer's role and date); before any approval,
    Medora's own newest answer, marked pending human review. An edit is public only once approved."""
    article = svc.review.get_article(article_id)
    if article.state == State.REJECTED:
        data = {"ok": True, "article": public_article(article), "answer": None}
        return render(request, "article_withdrawn.html", {"article": article}, data)
    version = svc.review.published_version(article.id)
    article = public_view(article, version)
    stored = published_answer(article, version)
    data = {"ok": True, "article": public_article(article), "answer": stored.answer.to_json_dict()}
    return render(request, "article.html", {"view": ArticleView(stored), "article": article}, data)


@router.get("/editorial-policy", include_in_schema=False)
def editorial_policy(request: Request, svc: Svc) -> Response:
    return svc.templates.TemplateResponse(request, "policy.html", {"counts": svc.review.counts()})
