"""Web settings are described like the engine's, and the app's pieces import without an index."""

from __future__ import annotations

import pytest

from medora.settings import Settings
from medora.web.config import WebSettings

pytestmark = pytest.mark.unit


def test_web_settings_are_described() -> None:
    for name, field in WebSettings.model_fields.items():
        assert field.description, f"WebSettings.{name} needs a description"


def test_web_settings_take_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDORA_WEB__MAX_BODY_BYTES", "1024")
    assert Settings().web.max_body_bytes == 1024  # one settings root: the web settings nest in it (#11)
