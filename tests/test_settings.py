"""Settings stay documented (after Datasette's test_settings_are_documented)."""

from __future__ import annotations

import pytest

from medora.settings import ComposeSettings, RetrievalSettings, Settings

pytestmark = pytest.mark.unit


def test_every_setting_has_a_description() -> None:
    for model in (Settings, RetrievalSettings, ComposeSettings):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_environment_overrides(monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("MEDORA_MAX_QUESTION_CHARS", "123")
    monkeypatch.setenv("MEDORA_RETRIEVAL__RRF_K", "10")
    s = Settings()
    assert s.max_question_chars == 123 and s.retrieval.rrf_k == 10
