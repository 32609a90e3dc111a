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


def test_answer_steering_thresholds_live_in_settings(monkeypatch) -> None:  # noqa: ANN001
    from medora.models import Hit, Passage, Source, SourceType
    from medora.retrieval import Expansion, pick_topic

    src = Source(id="kb:gout", type=SourceType.GUIDELINE, title="Gout", organization="Medora")
    hit = Hit(
        passage=Passage(id="kb:gout#1", source_id=src.id, text="...", topic="gout"),
        source=src,
        score=1.0,
        similarity=0.6,
    )
    exp = Expansion(terms=["gout"])
    assert pick_topic(exp, [hit], None, Settings().retrieval.topic_similarity) == "gout"  # default 0.55
    monkeypatch.setenv("MEDORA_RETRIEVAL__TOPIC_SIMILARITY", "0.9")
    s = Settings()
    assert s.retrieval.topic_similarity == 0.9 and s.retrieval.k_hits == 20
    assert pick_topic(exp, [hit], None, s.retrieval.topic_similarity) is None
