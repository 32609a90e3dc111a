"""The per-process cache of recent answers (#14): bounded LRU, keyed so a new index or library change misses."""

from __future__ import annotations

from pathlib import Path

import pytest

from medora.db import make_engine, migrate
from medora.models import Answer, Bullet, ReviewInfo, Verification
from medora.review import ReviewStore
from medora.web.answercache import AnswerCache, AnswerKey, library_revision
from tests.review.conftest import make_answer, make_fingerprint

pytestmark = pytest.mark.unit


def key(question: str = "How is gout treated?", index: str = "v1", library: int = 0, **kw: str) -> AnswerKey:
    return AnswerKey(question, kw.get("audience", "clinician"), kw.get("mode", "extractive"), index, library)


def answer(title: str = "Gout") -> Answer:
    return Answer(
        question="How is gout treated?",
        audience="clinician",
        status="answered",
        title=title,
        disclaimer="For professionals.",
        summary=Bullet(text="Treat the flare early.", citations=[]),
    )


def test_hit_only_on_the_same_question_audience_mode_index_and_library() -> None:
    cache = AnswerCache(8)
    cache.put(key(), answer("first"))
    assert cache.get(key()).title == "first"
    assert cache.get(key("How is gout treated")) is None
    assert cache.get(key(audience="patient")) is None
    assert cache.get(key(mode="generative")) is None
    assert cache.get(key(index="v2")) is None  # a new index version: the old entry is never served again
    assert cache.get(key(library=1)) is None  # an article was created, versioned or approved since
    assert (cache.hits, cache.misses) == (1, 5)


def test_bounded_and_least_recently_used_goes_first() -> None:
    cache = AnswerCache(2)
    cache.put(key("a"), answer("a"))
    cache.put(key("b"), answer("b"))
    assert cache.get(key("a")) is not None  # a is now the most recent
    cache.put(key("c"), answer("c"))
    assert len(cache) == 2
    assert cache.get(key("b")) is None
    assert [cache.get(key(q)).title for q in "ac"] == ["a", "c"]


def test_size_zero_keeps_nothing() -> None:
    cache = AnswerCache(0)
    cache.put(key(), answer())
    assert len(cache) == 0 and cache.get(key()) is None


def test_answers_bound_to_an_article_or_served_as_fallback_are_not_kept() -> None:
    cache = AnswerCache(4)
    review = ReviewInfo(article_id="a1", version=1, status="under_review", last_updated="2026-12-01")
    cache.put(key("reviewed"), answer().model_copy(update={"review": review}))
    fallback = Verification(fallback=True, reason="timeout")
    cache.put(key("fallback", mode="generative"), answer().model_copy(update={"verification": fallback}))
    assert len(cache) == 0


def test_library_revision_grows_with_every_article_change(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    assert library_revision(engine) == 0
    ReviewStore(engine).submit(make_answer(), make_fingerprint())
    first = library_revision(engine)
    assert first > 0
    ReviewStore(engine).submit(make_answer("How is hypertension treated?"), make_fingerprint())
    assert library_revision(engine) > first
