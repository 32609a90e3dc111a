"""Web-only settings (MEDORA_WEB__* environment overrides), every field described."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EXAMPLES = [
    "What is the initial approach to managing endplate vertebral body compression?",
    "How is uncomplicated cystitis treated?",
    "What is the first-line treatment for anaphylaxis?",
    "How is gout managed during a flare?",
    "When should a thyroid nodule be biopsied?",
]


class WebSettings(BaseSettings):
    """Limits and page content of the web app; the engine's own settings stay in `medora.settings.Settings`."""

    model_config = SettingsConfigDict(env_prefix="MEDORA_WEB__")

    max_body_bytes: int = Field(default=64 * 1024, description="bodies over this are refused with 413")
    audience_cookie: str = Field(default="medora_audience", description="cookie that remembers clinician or patient")
    audience_cookie_days: int = Field(default=365, description="how long the audience choice is remembered")
    secure_cookies: bool = Field(
        default=False,
        description="mark cookies Secure even when the app sees plain HTTP "
        "(behind a TLS proxy without X-Forwarded-Proto); HTTPS requests always get Secure",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed "
        "(e.g. [\"127.0.0.1\"]); default none: the socket's address is the client's",
    )
    ask_per_minute: int = Field(
        default=60,
        ge=0,
        description="questions per client address per minute (/api/ask, /ask, follow-ups); 0: no limit",
    )
    submit_per_hour: int = Field(
        default=20, ge=0, description="anonymous submissions for review per client address per hour; 0: no limit"
    )
    answer_cache_size: int = Field(
        default=256,
        ge=0,
        description="recent answers to fresh questions kept per worker process, keyed by question, audience, "
        "mode, index version and review-library revision; 0: no cache",
    )
    access_log_detail: bool = Field(
        default=False,
        description="log client addresses and full paths with query strings; default: method, route template "
        "(no ids), status and time only, since answer and thread URLs are capabilities to health questions",
    )
    hsts_seconds: int = Field(
        default=31_536_000,
        ge=0,
        description="Strict-Transport-Security max-age sent on HTTPS responses (or always with secure_cookies); 0: none",
    )
    examples: list[str] = Field(
        default_factory=lambda: list(EXAMPLES), description="example questions on the home page"
    )
