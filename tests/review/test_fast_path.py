"""The fast path in the review wing (medora.editorial.ask_reviewed): an approved article answers its question directly, until its sources change.

Runs on a real (tiny) index built from one protocol document, re-ingested after the document changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from medora.editorial import ask_reviewed
from medora.ingest import ingest
from medora.review import ReviewStore
from medora.review.fingerprint import fingerprint
from medora.settings import Settings

from .conftest import PASSWORD

pytestmark = pytest.mark.integration

PROTOCOL = """# Gout flare protocol

## Management

Treat an acute gout flare within 24 hours of onset with low-dose colchicine, an NSAID or a glucocorticoid.
Low-dose colchicine is {dose} at the first sign of the flare followed by 0.6 mg one hour later.
Avoid colchicine in patients taking strong CYP3A4 or P-glycoprotein inhibitors.
Continue urate-lowering therapy during a flare; do not stop allopurinol.
"""
QUESTION = "How is a gout flare treated?"


def test_an_approved_article_answers_until_its_sources_change(tmp_path: Path, store: ReviewStore) -> None:
    doc = tmp_path / "gout-protocol.md"
    doc.write_text(PROTOCOL.format(dose="1.2 mg"), encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", shared_dir=None)
    ingest([doc], settings, progress=False)
    from medora.qa import get_engine

    reader = get_engine(settings).reader
    first = ask_reviewed(QUESTION, settings=settings, library=store)
    assert first.status == "answered" and first.review is None  # no article yet
    assert "retrieval" in first.timing_ms

    article, created = store.submit(first, fingerprint(first, reader))
    assert created
    reviewer = store.add_user("fiona", PASSWORD, "reviewer")
    store.transition(article.id, "start_review", reviewer)
    pending = ask_reviewed(QUESTION, settings=settings, library=store)
    assert pending.review.status == "under_review" and "retrieval" in pending.timing_ms  # no fast path yet
    store.transition(article.id, "approve", reviewer)

    fast = ask_reviewed("how is a gout flare treated", settings=settings, library=store)
    assert fast.review.status == "approved" and fast.review.article_id == article.id
    assert fast.review.reviewer_role == "reviewer" and fast.review.version == 1
    assert "library" in fast.timing_ms and "retrieval" not in fast.timing_ms
    assert fast.question == "how is a gout flare treated"  # the asker's words, the approved content
    assert fast.sections == first.sections and fast.references == first.references
    assert ask_reviewed(QUESTION, settings=settings, library=store, audience="patient").review is None  # per audience

    # the protocol's dose changes and the index is rebuilt: the approval no longer holds
    doc.write_text(PROTOCOL.format(dose="1.8 mg"), encoding="utf-8")
    ingest([doc], settings, progress=False)
    fresh = ask_reviewed(QUESTION, settings=settings, library=store)
    assert fresh.review.status == "submitted" and fresh.review.version == 2
    assert "retrieval" in fresh.timing_ms
    assert any("1.8 mg" in b.text for s in fresh.sections for b in s.bullets)
    art = store.get_article(article.id)
    assert art.state == "submitted" and art.current_version == 2 and art.approved_version == 1
    assert store.version(article.id, 2).reason == "sources_changed"
    last = store.audit(article.id)[-1]
    assert (last.action, last.from_state, last.to_state, last.actor) == (
        "sources_changed",
        "approved",
        "submitted",
        "Medora",
    )
    again = ask_reviewed(QUESTION, settings=settings, library=store)  # same sources as version 2: no new version
    assert again.review.status == "submitted" and store.get_article(article.id).current_version == 2
