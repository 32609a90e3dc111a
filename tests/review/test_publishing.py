"""What the public sees of an article, and a review queue that flooding cannot hide (issue #14, audit M4, M6)."""

from __future__ import annotations

import pytest

from medora.review import ReviewStore, State
from medora.review.edits import BulletEdit, apply_edits

from .conftest import People, make_answer, make_fingerprint

pytestmark = pytest.mark.unit
EDIT = "Start colchicine, an NSAID or a glucocorticoid early in a gout flare."


def edited(store: ReviewStore, article_id: str, people: People) -> None:
    base = store.version(article_id)
    store.edit(article_id, apply_edits(base.answer, [BulletEdit(bullet="summary", text=EDIT)]), people.eve, "why")


def test_an_unreviewed_edit_is_not_public(store: ReviewStore, people: People) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    edited(store, art.id, people)
    public = store.published_version(art.id)
    assert public.number == 1 and public.reason == "generated"  # Medora's own answer, not the editor's draft
    assert public.answer.summary.text != EDIT


def test_after_approval_the_public_sees_the_approved_version_until_the_next_approval(
    store: ReviewStore, people: People
) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    edited(store, art.id, people)
    store.transition(art.id, "start_review", people.rita)
    store.transition(art.id, "approve", people.rita)
    assert store.published_version(art.id).answer.summary.text == EDIT
    base = store.version(art.id)
    changed = apply_edits(
        base.answer,
        [BulletEdit(bullet="summary", text="Treat a gout flare early: colchicine, an NSAID or a glucocorticoid.")],
    )
    store.edit(art.id, changed, people.ed, "another")
    assert store.get_article(art.id).state == State.SUBMITTED
    public = store.published_version(art.id)
    assert public.number == 2 and public.answer.summary.text == EDIT


def test_the_queue_pages_and_sorts(store: ReviewStore) -> None:
    ids = []
    for i in range(7):
        art, _ = store.submit(make_answer(question=f"How is gout treated in patient group {i}?"), make_fingerprint())
        ids.append(art.id)
    page1 = store.queue(State.SUBMITTED, limit=3, offset=0, oldest_first=True)
    page2 = store.queue(State.SUBMITTED, limit=3, offset=3, oldest_first=True)
    page3 = store.queue(State.SUBMITTED, limit=3, offset=6, oldest_first=True)
    assert [a.id for a in page1 + page2 + page3] == ids
    assert [a.id for a in store.queue(State.SUBMITTED, limit=2)] == ids[::-1][:2]  # newest first by default
    assert store.queue_total(State.SUBMITTED) == 7 and store.queue_total(State.APPROVED) == 0
    assert store.queue_total(State.SUBMITTED, q="group 3") == 1
