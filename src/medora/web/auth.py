"""Who is asking, and was the form really ours: sessions, bearer tokens and CSRF for the web app.

- Browsers sign in at /login and get a new random session token in an HttpOnly, SameSite=Lax cookie
  (Secure over HTTPS). Any session the browser held before is ended: a planted cookie is worth nothing.
- API clients POST /api/login and send the token as ``Authorization: Bearer <token>``.
- Every form carries a CSRF token: the session's own token when signed in, else a random per-browser
  token from the ``medora_csrf`` cookie (double submit). Unsafe requests without the right token get 403.
  JSON API calls authenticated by a bearer token need none (a browser never sends that header by itself);
  JSON calls riding on the session cookie must send the session's token in ``X-CSRF-Token``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from markupsafe import Markup, escape

from medora.errors import Forbidden, Unauthorized
from medora.review import User
from medora.review.auth import new_token, same

SESSION_COOKIE = "medora_session"
CSRF_COOKIE = "medora_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequired(Unauthorized):
    """401 for API clients; browsers are sent to /login and back."""


def load_identity(request: Request) -> None:
    """Router dependency: request.state.user / .csrf / .via from the bearer token or the session cookie."""
    review = request.app.state.services.review
    request.state.user, request.state.via = None, None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = review.session(header[7:].strip())
        if found is None:
            raise Unauthorized("the bearer token is unknown or has expired", hint="POST /api/login for a new one.")
        request.state.user, request.state.csrf, request.state.via = found[0], found[1], "bearer"
        return
    found = review.session(request.cookies.get(SESSION_COOKIE))
    if found is not None:
        request.state.user, request.state.csrf, request.state.via = found[0], found[1], "cookie"


def finish_identity(request: Request, response: Response) -> None:
    """Give a new browser its CSRF cookie (middleware, after the handler)."""
    new = getattr(request.state, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="lax", secure=is_https(request), path="/")


def is_https(request: Request) -> bool:
    web = request.app.state.services.web
    return web.secure_cookies or request.url.scheme == "https"


def csrf_token(request: Request) -> str:
    """The session's token when signed in, else this browser's cookie token (made on first use)."""
    token = getattr(request.state, "csrf", None)
    if token:
        return token
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) > 100:
        token = request.state.new_csrf = new_token()
    request.state.csrf = token
    return token


def csrf_field(request: Request) -> Markup:
    """The hidden input every form includes (a Jinja global)."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(csrf_token(request))}">')


async def verify_csrf(request: Request) -> None:
    """Router dependency: refuse unsafe requests that do not carry this browser's CSRF token."""
    if request.method in SAFE_METHODS or getattr(request.state, "via", None) == "bearer":
        return
    is_api = request.url.path.startswith("/api/")
    if is_api and getattr(request.state, "via", None) is None:
        return  # anonymous JSON: no ambient credentials to abuse; FastAPI parses JSON bodies only
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and not is_api:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            value = (await request.form()).get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    signed_in = getattr(request.state, "via", None) is not None
    expected = csrf_token(request) if signed_in or request.cookies.get(CSRF_COOKIE) else ""
    if not same(sent, expected):
        raise Forbidden(
            "the form's security token is missing or out of date",
            hint="Reload the page and submit it again (cookies must be enabled).",
        )


def current_user(request: Request) -> User | None:
    return getattr(request.state, "user", None)


def require_staff(request: Request) -> User:
    """A signed-in board member, editor or admin: the only people who see review pages."""
    user = current_user(request)
    if user is None:
        raise LoginRequired("sign in to see the review pages")
    return user


Staff = Annotated[User, Depends(require_staff)]  # a route parameter: the signed-in board member, or 401


def start_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="lax", secure=is_https(request), path="/", max_age=12 * 3600
    )


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")
