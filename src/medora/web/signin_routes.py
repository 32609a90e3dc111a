"""Sign-in for the medical advisory board: pages and JSON API sharing the session store.

GET  /login  POST /login  POST /logout           POST /api/login  POST /api/logout  GET /api/me
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from medora.errors import MedoraError, TooManyRequests
from medora.web.auth import (
    SESSION_COOKIE,
    Staff,
    current_user,
    end_session,
    load_identity,
    start_session,
    verify_csrf,
)
from medora.web.routes import Svc, documented
from medora.web.services import client_ip

router = APIRouter(dependencies=[Depends(load_identity), Depends(verify_csrf)])


def safe_next(target: str | None) -> str:
    """Only same-site paths: /review, never //evil.example or https://..."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/review"


class LoginBody(BaseModel):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1000)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, svc: Svc, next: str | None = None) -> Response:  # noqa: A002
    if current_user(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return svc.templates.TemplateResponse(request, "login.html", {"next": safe_next(next), "error": None})


@router.post("/login", include_in_schema=False)
def login_form(
    request: Request,
    svc: Svc,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/review",
) -> Response:  # noqa: A002
    try:
        user, token, _ = svc.review.login(username, password, client_ip(request))
    except MedoraError as e:
        response: Response = svc.templates.TemplateResponse(
            request,
            "login.html",
            {"next": safe_next(next), "error": e.message, "username": username},
            status_code=e.status,
        )
        if isinstance(e, TooManyRequests) and e.retry_after:
            response.headers["Retry-After"] = str(e.retry_after)
        return response
    svc.review.logout(request.cookies.get(SESSION_COOKIE))  # whatever session this browser had ends here
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(request, response, token)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, svc: Svc) -> Response:
    svc.review.logout(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    end_session(response)
    return response


@router.post("/api/login", tags=["review"], summary="Sign in (returns a bearer token)", responses=documented(401, 429))
def login_api(request: Request, body: LoginBody, svc: Svc) -> dict:
    """Exchange a username and password for a session token; send it as `Authorization: Bearer <token>`.

    After 5 failed attempts for one username from one address (20 from one address) in 15 minutes,
    sign-in from there answers 429; the same account signs in from elsewhere as usual.
    """
    user, token, csrf = svc.review.login(body.username, body.password, client_ip(request))
    return {
        "ok": True,
        "token": token,
        "token_type": "bearer",
        "csrf_token": csrf,
        "expires_in": 12 * 3600,
        "user": user.model_dump(mode="json"),
    }


@router.post("/api/logout", tags=["review"], summary="End this session")
def logout_api(request: Request, svc: Svc) -> dict:
    header = request.headers.get("authorization", "")
    svc.review.logout(
        header[7:].strip() if header.lower().startswith("bearer ") else request.cookies.get(SESSION_COOKIE)
    )
    return {"ok": True}


@router.get("/api/me", tags=["review"], summary="Who am I", responses=documented(401))
def me(user: Staff) -> dict:
    return {"ok": True, "user": user.model_dump(mode="json")}
