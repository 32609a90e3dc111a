"""Editorial review on the web: the reviewers' queue and article pages, decisions, comments, edits and diffs.
HTML and JSON share each handler's data, as in routes.py. Sign-in is in signin_routes.py, the public library
in library_routes.py; who may do what is decided in medora.review.workflow.

    GET  /review                                      GET  /api/review/queue            (signed in)
    GET  /review/articles/{id}                        GET  /api/review/articles/{id}
    POST /review/articles/{id}/transition             POST /api/review/articles/{id}/transitions
    POST /review/articles/{id}/comments               POST /api/review/articles/{id}/comments
    GET|POST /review/articles/{id}/edit               POST /api/review/articles/{id}/versions
    GET  /review/articles/{id}/diff                   GET  /api/review/articles/{id}/diff
"""

from __future__ import annotations

import re
from math import ceil
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from medora.errors import InvalidRequest, MedoraError, NotFound
from medora.qa import get_engine
from medora.review import Action, Article, State, User, Version
from medora.review.diff import diff_answers
from medora.review.edits import BulletEdit, apply_edits, bullets
from medora.review.workflow import actions_for, authored_since_approval, can_edit, edit_blocks_approval
from medora.web.auth import Staff, load_identity, verify_csrf
from medora.web.routes import Svc, documented, is_api, render
from medora.web.services import Services

router = APIRouter(dependencies=[Depends(load_identity), Depends(verify_csrf)])
STATE_LABELS = {
    State.SUBMITTED: "Submitted",
    State.UNDER_REVIEW: "Under review",
    State.CHANGES_REQUESTED: "Changes requested",
    State.APPROVED: "Approved",
    State.REJECTED: "Rejected",
}
ACTION_LABELS = {
    Action.START_REVIEW: "Start review",
    Action.APPROVE: "Approve",
    Action.REQUEST_CHANGES: "Request changes",
    Action.REJECT: "Reject",
    Action.RESUBMIT: "Resubmit",
}


MAX_INT = 2**31 - 1  # PostgreSQL INTEGER: larger numbers are refused with 422, never sent to the database
ASCII_NUMBER = re.compile(r"[0-9]{1,9}")  # "²".isdigit() is True, int("²") fails: only ASCII digits count
STAFF_ERRORS = documented(401, 403, 409)


@router.get("/review", include_in_schema=False)
@router.get("/api/review/queue", tags=["review"], summary="The review queue", responses=STAFF_ERRORS)
def queue(
    request: Request,
    svc: Svc,
    user: Staff,
    state: State | None = None,
    audience: str | None = Query(None, pattern="^(clinician|patient)$"),
    q: str | None = Query(None, max_length=200),
    page: int = Query(1, ge=1, le=MAX_INT, description="1-based page number"),
    per_page: int = Query(50, ge=1, le=200, description="articles per page"),
    sort: Literal["newest", "oldest"] = Query("newest", description="by last change: newest or oldest first"),
) -> Response:
    """Articles a page at a time, newest change first (or oldest); filter by state (default on the page:
    submitted), audience and text. `total` and `pages` say how many there are."""
    if state is None and not is_api(request) and "state" not in request.query_params:
        state = State.SUBMITTED
    total = svc.review.queue_total(state, audience, q)
    found = svc.review.queue(
        state, audience, q, limit=per_page, offset=(page - 1) * per_page, oldest_first=sort == "oldest"
    )
    filters = {"state": state.value if state else None, "audience": audience, "q": q or "", "sort": sort}
    pages = max(ceil(total / per_page), 1)
    data = {
        "ok": True,
        "filters": filters,
        "counts": svc.review.counts(),
        "total": total,
        "page": page,
        "per_page": per_page,
        "pages": pages,
        "articles": [a.model_dump(mode="json") for a in found],
    }
    links = queue_links(filters, page, per_page, pages)
    ctx = {"found": found, "labels": STATE_LABELS, "user": user, "links": links}
    return render(request, "review_queue.html", ctx, data)


def queue_links(filters: dict, page: int, per_page: int, pages: int) -> dict[str, str | None]:
    """Previous/next page and the other sort order, keeping the filters."""
    keep = {k: v for k, v in filters.items() if v} | {"per_page": per_page}
    if not filters["state"]:
        keep["state"] = ""  # "All": an explicit empty state, or the page would default to submitted

    def link(**changes: object) -> str:
        return "/review?" + urlencode(keep | changes)

    return {
        "prev": link(page=page - 1) if page > 1 else None,
        "next": link(page=page + 1) if page < pages else None,
        "resort": link(sort="newest" if filters["sort"] == "oldest" else "oldest"),
    }


@router.get("/review/articles/{article_id}", include_in_schema=False)
@router.get(
    "/api/review/articles/{article_id}",
    tags=["review"],
    summary="An article for its reviewers",
    responses=STAFF_ERRORS,
)
def review_article(
    request: Request, article_id: str, svc: Svc, user: Staff, v: int | None = Query(None, ge=1, le=MAX_INT)
) -> Response:
    """The article with all its versions, comments and audit trail, and the actions open to you."""
    return review_page(request, svc, user, article_id, v)


def review_page(
    request: Request,
    svc: Services,
    user: User,
    article_id: str,
    v: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    article = svc.review.get_article(article_id)
    versions = svc.review.versions(article_id)
    version = next((x for x in versions if x.number == (v or article.current_version)), None)
    if version is None:
        raise NotFound(f"article {article_id!r} has no version {v}")
    mine = authored_since_approval(versions, article.approved_version, user)
    actions = actions_for(user, article.state, user.id if mine else None)
    comments = svc.review.comments(article_id)
    audit = svc.review.audit(article_id)
    data = {
        "ok": True,
        "article": article.model_dump(mode="json"),
        "version": version.model_dump(mode="json"),
        "versions": [x.model_dump(mode="json", exclude={"answer"}) for x in versions],
        "comments": [c.model_dump(mode="json") for c in comments],
        "audit": [e.model_dump(mode="json") for e in audit],
        "actions": [a.value for a in actions],
        "bullets": [
            {"key": k, "section": label, "text": b.text, "citations": b.citations}
            for k, label, b in bullets(version.answer)
        ],
    }
    by_bullet: dict[str | None, list] = {}
    for c in comments:
        by_bullet.setdefault(c.bullet, []).append(c)
    ctx = {
        "article": article,
        "version": version,
        "versions": versions,
        "by_bullet": by_bullet,
        "audit": audit,
        "actions": actions,
        "labels": STATE_LABELS,
        "action_labels": ACTION_LABELS,
        "user": user,
        "own_edit_blocks_approval": edit_blocks_approval(user, article.state, mine),
        "rows": grouped_bullets(version),
        "can_edit": can_edit(user, article.state),
        "latest": version.number == article.current_version,
        "error": error,
    }
    if is_api(request):
        return JSONResponse(data)
    return svc.templates.TemplateResponse(request, "review_article.html", {"data": data, **ctx}, status_code=status)


def grouped_bullets(version: Version) -> list[tuple[str, list[tuple[str, Any]]]]:
    """[(section heading, [(key, bullet), ...]), ...] with the bottom line first."""
    out: list[tuple[str, list[tuple[str, Any]]]] = []
    for key, label, b in bullets(version.answer):
        if not out or out[-1][0] != label:
            out.append((label, []))
        out[-1][1].append((key, b))
    return out


class TransitionBody(BaseModel):
    # only the review decisions: submit, edit and sources_changed happen by other routes (audit L5)
    action: Literal["start_review", "approve", "request_changes", "reject", "resubmit"] = Field(
        description="start_review, approve, request_changes, reject or resubmit"
    )
    comment: str = Field("", max_length=4000, description="required for request_changes and reject")


class CommentBody(BaseModel):
    body: str = Field(max_length=4000, description="the comment (blank after cleaning: 400)")
    bullet: str | None = Field(
        None, max_length=16, description="'summary' or s<section>.b<bullet>; none for the whole article"
    )


class VersionBody(BaseModel):
    edits: list[BulletEdit] = Field(min_length=1, max_length=200)
    note: str = Field("", max_length=4000)
    base_version: int | None = Field(
        None,
        ge=1,
        le=MAX_INT,
        description="the version these edits were made on (default: the "
        "newest); if a newer one exists the edit is refused with 409",
    )


@router.post("/review/articles/{article_id}/transition", include_in_schema=False)
def transition_form(
    request: Request,
    article_id: str,
    svc: Svc,
    user: Staff,
    action: Annotated[str, Form()] = "",
    comment: Annotated[str, Form()] = "",
) -> Response:
    try:
        svc.review.transition(article_id, action, user, comment)
    except MedoraError as e:  # say it on the article page, keeping the reviewer where they were
        if e.status not in (400, 403, 409):
            raise
        return review_page(request, svc, user, article_id, error=e.message, status=e.status)
    return RedirectResponse(f"/review/articles/{article_id}", status_code=303)


@router.post(
    "/api/review/articles/{article_id}/transitions",
    tags=["review"],
    summary="Take a review decision",
    responses=STAFF_ERRORS,
)
def transition_api(article_id: str, body: TransitionBody, svc: Svc, user: Staff) -> dict:
    """Move the article along the workflow; 409 if the state does not allow it, 403 if your role does not."""
    article = svc.review.transition(article_id, body.action, user, body.comment)
    return {"ok": True, "article": article.model_dump(mode="json")}


@router.post("/review/articles/{article_id}/comments", include_in_schema=False)
def comment_form(
    request: Request,
    article_id: str,
    svc: Svc,
    user: Staff,
    body: Annotated[str, Form()] = "",
    bullet: Annotated[str, Form()] = "",
) -> Response:
    try:
        c = svc.review.add_comment(article_id, user, body, bullet or None)
    except MedoraError as e:
        if e.status not in (400, 403):
            raise
        return review_page(request, svc, user, article_id, error=e.message, status=e.status)
    return RedirectResponse(f"/review/articles/{article_id}#comment-{c.id}", status_code=303)


@router.post(
    "/api/review/articles/{article_id}/comments",
    tags=["review"],
    summary="Comment on an article or bullet",
    responses=STAFF_ERRORS,
    status_code=201,
)
def comment_api(article_id: str, body: CommentBody, svc: Svc, user: Staff) -> Response:
    c = svc.review.add_comment(article_id, user, body.body, body.bullet)
    return JSONResponse({"ok": True, "comment": c.model_dump(mode="json")}, status_code=201)


def save_edits(
    svc: Services, article_id: str, user: User, edits: list[BulletEdit], note: str, base_version: int | None
) -> Article:
    """Apply the edits to the version the editor started from; 409 if a newer one was saved meanwhile."""
    base = svc.review.version(article_id, base_version)
    engine = get_engine(svc.settings)
    edited = apply_edits(base.answer, edits, engine.embedder.encode, engine.reader)
    return svc.review.edit(article_id, edited, user, note, base_version=base.number)


CITES = re.compile(r"^\s*[0-9]{1,3}(\s*[, ]\s*[0-9]{1,3})*\s*$")


def form_edits(version: Version, form: dict[str, str]) -> list[BulletEdit]:
    """The bullets whose text or citations changed in the edit form."""
    edits = []
    for key, _, b in bullets(version.answer):
        text = " ".join(form.get(f"text:{key}", b.text).split())
        raw = form.get(f"cites:{key}", ", ".join(map(str, b.citations)))
        if raw.strip() and not CITES.match(raw):
            raise InvalidRequest(f"{key}: citations must be reference numbers separated by commas, e.g. 1, 3")
        cites = sorted({int(n) for n in re.findall(r"[0-9]+", raw)})
        if text != b.text or cites != sorted(set(b.citations)):
            edits.append(BulletEdit(bullet=key, text=text, citations=cites))
    return edits


@router.get("/review/articles/{article_id}/edit", include_in_schema=False)
def edit_page(request: Request, article_id: str, svc: Svc, user: Staff) -> Response:
    article = svc.review.get_article(article_id)
    version = svc.review.version(article_id)
    return svc.templates.TemplateResponse(
        request,
        "review_edit.html",
        {
            "article": article,
            "version": version,
            "rows": grouped_bullets(version),
            "error": None,
            "form": {},
            "labels": STATE_LABELS,
        },
    )


@router.post("/review/articles/{article_id}/edit", include_in_schema=False)
async def edit_form(request: Request, article_id: str, svc: Svc, user: Staff) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    article = svc.review.get_article(article_id)
    base = form.get("base_version", "").strip()
    if base and not ASCII_NUMBER.fullmatch(base):
        raise InvalidRequest(
            f"base_version must be a version number, not {base[:20]!r}", hint="Reload the edit page and try again."
        )
    version = svc.review.version(article_id, int(base) if base else None)
    try:
        save_edits(svc, article_id, user, form_edits(version, form), form.get("note", ""), version.number)
    except MedoraError as e:
        if e.status not in (400, 403, 409):
            raise
        return svc.templates.TemplateResponse(
            request,
            "review_edit.html",
            {
                "article": article,
                "version": version,
                "rows": grouped_bullets(version),
                "error": e.message,
                "form": form,
                "labels": STATE_LABELS,
            },
            status_code=e.status,
        )
    return RedirectResponse(f"/review/articles/{article_id}/diff", status_code=303)


@router.post(
    "/api/review/articles/{article_id}/versions",
    tags=["review"],
    summary="Edit bullets (a new version)",
    responses=STAFF_ERRORS,
    status_code=201,
)
def version_api(article_id: str, body: VersionBody, svc: Svc, user: Staff) -> Response:
    """Apply bullet edits as the next version; every citation must still point to a supporting passage."""
    article = save_edits(svc, article_id, user, body.edits, body.note, body.base_version)
    return JSONResponse({"ok": True, "article": article.model_dump(mode="json")}, status_code=201)


@router.get("/review/articles/{article_id}/diff", include_in_schema=False)
@router.get(
    "/api/review/articles/{article_id}/diff",
    tags=["review"],
    summary="Differences between two versions",
    responses=STAFF_ERRORS,
)
def diff(
    request: Request,
    article_id: str,
    svc: Svc,
    user: Staff,
    from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_INT)] = None,
    to: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
) -> Response:
    """Bullet by bullet and word by word; default: the previous version against the newest."""
    article = svc.review.get_article(article_id)
    new_n = to or article.current_version
    old_n = from_ or max(new_n - 1, 1)
    old, new = svc.review.version(article_id, old_n), svc.review.version(article_id, new_n)
    rows = diff_answers(old.answer, new.answer)
    data = {"ok": True, "from": old_n, "to": new_n, "changes": [r.model_dump() for r in rows]}
    return render(
        request,
        "review_diff.html",
        {"article": article, "old": old, "new": new, "rows": rows, "versions": svc.review.versions(article_id)},
        data,
    )
