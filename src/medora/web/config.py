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
    examples: list[str] = Field(
        default_factory=lambda: list(EXAMPLES), description="example questions on the home page"
    )
