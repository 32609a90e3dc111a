"""`create_app(settings)`: the FastAPI app behind `medora serve`.

Usage example::

    import uvicorn
    from medora.settings import Settings
    from medora.web.app import create_app
    uvicorn.run(create_app(Settings()), host="127.0.0.1", port=8000)
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from medora import __version__
from medora.db import open_store
from medora.render import verification_line
from medora.review import ReviewStore
from medora.settings import Settings, get_settings
from medora.web import auth, errors
from medora.web.config import WebSettings
from medora.web.limits import BodyLimit
from medora.web.presenter import long_date
from medora.web.review_routes import router as review_router
from medora.web.routes import router
from medora.web.stream import router as stream_router
from medora.web.services import Services

HERE = Path(__file__).resolve().parent
# Everything the pages load comes from this server: no CDN scripts, fonts or styles. Only /docs needs an
# inline script (Swagger UI's start-up call).
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'{inline}; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def create_app(settings: Settings | None = None, web: WebSettings | None = None) -> FastAPI:
    """Build the app: migrate the database, mount static files, register routes and error handlers."""
    settings = settings or get_settings()
    web = web or WebSettings()
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
        settings=settings, web=web, store=store, templates=templates, review=ReviewStore(store.engine)
    )
    # Our own files first, then Swagger UI's from the swagger-ui-py package (same URLs, nothing vendored).
    app.mount("/static", StaticFiles(directory=HERE / "static", packages=[("swagger_ui", "static")]), name="static")
    app.include_router(router)
    app.include_router(stream_router)  # generative answers as server-sent events (#15)
    app.include_router(review_router)
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=web.max_body_bytes)

    @app.middleware("http")
    async def security_headers(request, call_next):  # noqa: ANN001, ANN202
        response = await call_next(request)
        auth.finish_identity(request, response)
        if getattr(request.state, "user", None) is not None or request.url.path.startswith(("/review", "/api/review")):
            response.headers["Cache-Control"] = "no-store"  # unpublished drafts and comments stay out of caches
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        inline = " 'unsafe-inline'" if request.url.path == "/docs" else ""
        response.headers.setdefault("Content-Security-Policy", CSP.format(inline=inline))
        return response

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
