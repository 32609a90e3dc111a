"""`create_app(settings)`: the FastAPI app behind `medora serve`.

Usage example::

    import uvicorn
    from medora.settings import Settings
    from medora.web.app import create_app
    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=8000)
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from threadpoolctl import threadpool_limits
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from medora import __version__
from medora.db import open_store
from medora.render import verification_line
from medora.review import ReviewStore
from medora.settings import Settings, get_settings
from medora.web import auth, errors
from medora.web.answercache import AnswerCache
from medora.web.config import WebSettings
from medora.web.library_routes import router as library_router
from medora.web.limits import BodyLimit
from medora.web.presenter import long_date
from medora.web.ratelimit import RateLimiter
from medora.web.review_routes import router as review_router
from medora.web.routes import router
from medora.web.services import Services
from medora.web.serving import ConnectionRecycler, log_request
from medora.web.signin_routes import router as signin_router
from medora.web.stream import router as stream_router
from medora.web.textguard import TextGuard

HERE = Path(__file__).resolve().parent
# Everything the pages load comes from this server: no CDN scripts, fonts or styles. Only /docs needs an
# inline script (Swagger UI's start-up call).
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'{inline}; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",  # frame-ancestors says the same to browsers that read CSP
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
# Pages holding someone's question or a draft never sit in a cache; the public library may, if revalidated.
NO_STORE = (
    "/answers",
    "/api/answers",
    "/conversations",
    "/api/conversations",
    "/ask",
    "/api/ask",
    "/review",
    "/api/review",
    "/login",
    "/api/login",
    "/logout",
    "/api/logout",
    "/api/me",
)


def cache_control(request: Request, response: Response) -> None:
    if "cache-control" in response.headers or request.url.path.startswith("/static/"):
        return
    private = getattr(request.state, "user", None) is not None or request.url.path.startswith(NO_STORE)
    response.headers["Cache-Control"] = "no-store" if private else "no-cache"


def create_app(settings: Settings | None = None, web: WebSettings | None = None) -> FastAPI:
    """Build the app: migrate the database, mount static files, register routes and error handlers."""
    settings = settings or get_settings()
    web = web or settings.web
    # A question's matrix-vector products are too small for a BLAS thread pool, and OpenBLAS's idle threads
    # spin: one worker answering one question at a time kept 1.9 cores busy, 1.0 with one BLAS thread (#14).
    threadpool_limits(1, user_api="blas")
    app = FastAPI(
        title="Medora",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        description="Cited, structured answers to clinical questions. Errors always have the shape "
        '`{"ok": false, "status", "error", "hint", "errors"}`.',
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.globals.update(version=__version__, max_question_chars=settings.max_question_chars)
    gen = settings.generation  # the page offers generative answers only when a model is configured (#15)
    templates.env.globals.update(
        generation_model=gen.model if gen.configured else None, verification_line=verification_line
    )
    store = open_store(settings)
    templates.env.globals.update(csrf_field=auth.csrf_field, csrf_token=auth.csrf_token, long_date=long_date)
    app.state.services = Services(
        settings=settings,
        web=web,
        store=store,
        templates=templates,
        review=ReviewStore(store.engine),
        limiter=RateLimiter(),
        answers=AnswerCache(web.answer_cache_size),
    )
    # Our own files first, then Swagger UI's from the swagger-ui-py package (same URLs, nothing vendored).
    app.mount("/static", StaticFiles(directory=HERE / "static", packages=[("swagger_ui", "static")]), name="static")
    app.include_router(router)
    app.include_router(stream_router)  # generative answers as server-sent events (#15)
    app.include_router(signin_router)
    app.include_router(library_router)
    app.include_router(review_router)
    errors.install(app)
    app.add_middleware(TextGuard)  # inside the body limit: it reads only bodies already within the limit
    app.add_middleware(BodyLimit, max_bytes=web.max_body_bytes)

    @app.middleware("http")
    async def security_headers(request: Request, call_next) -> Response:  # noqa: ANN001
        started = time.perf_counter()
        response = await call_next(request)
        auth.finish_identity(request, response)
        cache_control(request, response)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if web.hsts_seconds and (request.url.scheme == "https" or web.secure_cookies):
            response.headers.setdefault("Strict-Transport-Security", f"max-age={web.hsts_seconds}; includeSubDomains")
        inline = " 'unsafe-inline'" if request.url.path == "/docs" else ""
        response.headers.setdefault("Content-Security-Policy", CSP.format(inline=inline))
        log_request(request, response, started, web)
        return response

    if web.trusted_proxies:  # outermost: every layer sees the client's address, never a spoofed one
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=web.trusted_proxies)
    if web.requests_per_connection:  # outside even that: it counts per socket peer (#14)
        app.add_middleware(ConnectionRecycler, every=web.requests_per_connection)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        # FastAPI's default page loads Swagger UI from a CDN; we serve swagger-ui-py's copy instead.
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title="Medora API",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
            swagger_ui_parameters={"validatorUrl": None},
        )  # no call to validator.swagger.io

    return app
