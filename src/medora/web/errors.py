"""One JSON error shape for every error: {"ok": false, "status", "error", "hint", "errors"}.

Browsers asking for HTML get the same facts as a page; API clients always get JSON.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from medora.errors import MedoraError, TooManyRequests
from medora.web.auth import LoginRequired

HTTP_HINTS = {
    400: "Send the body as UTF-8 JSON (Content-Type: application/json) or as the form the page sends; see /docs.",
    401: "Sign in at /login (API: POST /api/login, then send `Authorization: Bearer <token>`).",
    404: "Check the address; answers and conversations are reached through the links Medora gives.",
    405: "This address does not accept that method; see /docs for the API.",
    413: "Send a shorter question (one problem at a time); the body limit is MEDORA_WEB__MAX_BODY_BYTES.",
    422: "Fix the fields listed in `errors` and send the request again; see /docs for the schema.",
}


def error_body(status: int, error: str, hint: str = "", errors: list[dict] | None = None) -> dict:
    return {"ok": False, "status": status, "error": error, "hint": hint, "errors": errors or []}


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/health", "/openapi", "/docs")):
        return False
    return "text/html" in request.headers.get("accept", "")


def respond_error(request: Request, body: dict) -> Response:
    status = body["status"]
    if not wants_html(request):
        return JSONResponse(body, status_code=status)
    templates = request.app.state.services.templates
    if request.headers.get("hx-request"):
        return templates.TemplateResponse(request, "_error.html", {"e": body}, status_code=status)
    return templates.TemplateResponse(request, "error.html", {"e": body}, status_code=status)


def _validation_errors(exc: RequestValidationError) -> list[dict]:
    out = []
    for e in exc.errors():
        loc = [str(p) for p in e.get("loc", ()) if p not in ("body", "form", "query", "path")]
        out.append({"field": ".".join(loc) or "body", "message": e.get("msg", ""), "type": e.get("type", "")})
    return out


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into the one error shape."""

    @app.exception_handler(MedoraError)
    async def medora_error(request: Request, exc: MedoraError) -> Response:
        if isinstance(exc, LoginRequired) and wants_html(request):  # a browser: sign in, then come back
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
        response = respond_error(request, error_body(exc.status, exc.message, exc.hint))
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return respond_error(request, error_body(422, f"invalid request ({summary})", HTTP_HINTS[422], errors))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        resp = respond_error(request, error_body(exc.status_code, detail, HTTP_HINTS.get(exc.status_code, "")))
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        return respond_error(
            request,
            error_body(
                500,
                f"internal error ({type(exc).__name__})",
                "This is a bug; the server log has the traceback. Please report it.",
            ),
        )
