"""ReviewStore on SQLite: the review loop, its audit trail, refusals that change nothing, matching, queue."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from medora.db.schema import article_versions, articles, audit_log
from medora.errors import Forbidden, InvalidRequest, NotFound
from medora.review import ReviewStore, State
from medora.review.edits import BulletEdit, apply_edits
from medora.review.matching import question_key, same_question
from medora.review.models import Action, Article
from medora.review.workflow import InvalidTransition

from .conftest import People, make_answer, make_fingerprint

pytestmark = pytest.mark.unit


def audit_rows(store: ReviewStore, article_id: str) -> list[tuple]:
    return [
        (
            e.version,
            e.actor,
            e.actor_role,
            e.action.value,
            e.from_state and e.from_state.value,
            e.to_state.value,
            e.comment,
        )
        for e in store.audit(article_id)
    ]


def raw_counts(db: Engine) -> tuple[int, int, int]:
    with db.connect() as conn:
        return tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (articles, article_versions, audit_log)
        )


def to_review(store: ReviewStore, art: Article, reviewer) -> Article:  # noqa: ANN001
    return store.transition(art.id, "start_review", reviewer)


def test_the_whole_review_loop_with_an_audit_row_for_every_change(store: ReviewStore, people: People) -> None:
    answer = make_answer()
    art, created = store.submit(answer, make_fingerprint(), answer_id="answer-1")
    assert created and art.state == State.SUBMITTED and art.current_version == 1
    assert art.question == "How is gout treated?" and art.question_key == "gout treated"
    assert art.audience == "clinician" and art.title == "Management of gout" and art.approved_version is None
    v1 = store.version(art.id)
    assert (v1.number, v1.reason, v1.author_id, v1.author, v1.answer_id) == (1, "generated", None, None, "answer-1")
    assert v1.answer == answer and v1.sources_fingerprint == make_fingerprint().hash
    assert v1.source_ids == ["kb:acr-gout-2020", "kb:eular-gout-2016"] and v1.index_version == "corpus-v1"

    art = store.transition(art.id, Action.START_REVIEW, people.rita)
    assert art.state == State.UNDER_REVIEW
    for empty in ("", "   \n "):
        with pytest.raises(InvalidRequest, match="needs a comment"):
            store.transition(art.id, "request_changes", people.rita, empty)
    assert store.get_article(art.id).state == State.UNDER_REVIEW
    art = store.transition(art.id, "request_changes", people.rita, "  Give the NSAID option in the bullet.  ")
    assert art.state == State.CHANGES_REQUESTED

    edited = apply_edits(
        store.version(art.id).answer,
        [
            BulletEdit(
                bullet="s1.b1", text="Low-dose colchicine (1.2 mg, then 0.6 mg an hour later) or a full-dose NSAID."
            )
        ],
    )
    art = store.edit(art.id, edited, people.eve, note="  added the NSAID  ")
    assert art.state == State.SUBMITTED and art.current_version == 2
    v2 = store.version(art.id)
    assert (v2.number, v2.reason, v2.author_id, v2.author, v2.note) == (
        2,
        "edit",
        people.eve.id,
        "Eve Editor (editor)",
        "added the NSAID",
    )
    assert v2.answer.sections[0].bullets[0].text.endswith("or a full-dose NSAID.")
    assert v2.sources_fingerprint == v1.sources_fingerprint and v2.source_ids == v1.source_ids
    assert store.version(art.id, 1).answer == answer  # the old version is kept as it was
    assert [v.number for v in store.versions(art.id)] == [1, 2]

    store.transition(art.id, "start_review", people.rita)
    art = store.transition(art.id, "approve", people.rita, "Good now.")
    assert art.state == State.APPROVED and art.approved_version == 2 and art.approved_at is not None
    assert art.approved_by_role == "reviewer" and art.approved_at.tzinfo is not None
    found = store.find_approved("how is gout treated", "clinician")
    assert found is not None and found[0].id == art.id and found[1].number == 2 and found[1].answer == edited

    assert audit_rows(store, art.id) == [
        (1, "Medora", "system", "submit", None, "submitted", ""),
        (1, "Dr Rita Reviewer", "reviewer", "start_review", "submitted", "under_review", ""),
        (
            1,
            "Dr Rita Reviewer",
            "reviewer",
            "request_changes",
            "under_review",
            "changes_requested",
            "Give the NSAID option in the bullet.",
        ),
        (2, "Eve Editor", "editor", "edit", "changes_requested", "submitted", "added the NSAID"),
        (2, "Dr Rita Reviewer", "reviewer", "start_review", "submitted", "under_review", ""),
        (2, "Dr Rita Reviewer", "reviewer", "approve", "under_review", "approved", "Good now."),
    ]
    assert [e.article_id for e in store.audit()] == [art.id] * 6
    assert all(e.at.tzinfo is not None for e in store.audit(art.id))


def test_resubmit_after_changes_requested(store: ReviewStore, people: People) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    to_review(store, art, people.rita)
    store.transition(art.id, "request_changes", people.rita, "Cite the dose.")
    with pytest.raises(Forbidden):
        store.transition(art.id, "resubmit", people.rita)  # reviewers do not resubmit
    art = store.transition(art.id, "resubmit", people.eve, "it already says the dose")
    assert art.state == State.SUBMITTED and art.current_version == 1
    assert audit_rows(store, art.id)[-1] == (
        1,
        "Eve Editor",
        "editor",
        "resubmit",
        "changes_requested",
        "submitted",
        "it already says the dose",
    )


def test_refused_transitions_change_nothing_and_write_no_audit_row(store: ReviewStore, people: People) -> None:
    submitted, _ = store.submit(make_answer(), make_fingerprint())
    reviewing, _ = store.submit(make_answer("How is gout diagnosed?"), make_fingerprint())
    to_review(store, reviewing, people.ravi)
    inactive = people.ravi.model_copy(update={"active": False})
    cases = [
        (submitted, people.eve, "start_review", "", Forbidden),
        (submitted, people.ada, "start_review", "", Forbidden),
        (submitted, None, "start_review", "", Forbidden),
        (submitted, inactive, "start_review", "", Forbidden),
        (submitted, people.rita, "approve", "", InvalidTransition),
        (submitted, people.rita, "reject", "no", InvalidTransition),
        (submitted, people.eve, "resubmit", "", InvalidTransition),
        (submitted, people.rita, "edit", "", InvalidRequest),  # edits go through edit(), with a new version
        (submitted, people.rita, "sources_changed", "", InvalidRequest),
        (submitted, people.rita, "submit", "", InvalidRequest),
        (submitted, people.rita, "publish", "", InvalidRequest),  # no such action
        (submitted, people.rita, "start_review", "x" * 4001, InvalidRequest),
        (reviewing, people.rita, "start_review", "", InvalidTransition),
        (reviewing, people.rita, "reject", "", InvalidRequest),  # a rejection needs its reason
        (reviewing, people.rita, "request_changes", "  ", InvalidRequest),
        (reviewing, people.eve, "approve", "fine", Forbidden),
        (reviewing, people.ada, "approve", "fine", Forbidden),
        (reviewing, None, "approve", "fine", Forbidden),
        (reviewing, inactive, "approve", "fine", Forbidden),
        (reviewing, people.eve, "resubmit", "", InvalidTransition),
    ]
    for art, who, action, comment, error in cases:
        before, audit_before = store.get_article(art.id), store.audit()
        with pytest.raises(error) as err:
            store.transition(art.id, action, who, comment)
        assert err.value.status == {Forbidden: 403, InvalidTransition: 409, InvalidRequest: 400}[error]
        assert store.get_article(art.id) == before, (art.state, who, action)
        assert store.audit() == audit_before, (art.state, who, action)
    assert store.get_article(submitted.id).state == State.SUBMITTED
    assert store.get_article(reviewing.id).state == State.UNDER_REVIEW
    assert len(store.audit()) == 3  # two submits and one start_review
    with pytest.raises(NotFound):
        store.transition("no-such-article", "start_review", people.rita)


def test_a_reviewer_who_edited_a_version_cannot_approve_it(store: ReviewStore, people: People, db: Engine) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    changed = apply_edits(
        make_answer(),
        [BulletEdit(bullet="summary", text="Treat a gout flare early: colchicine, an NSAID or a glucocorticoid.")],
    )
    store.edit(art.id, changed, people.rita, "tightened the summary")  # v2 by Rita
    to_review(store, art, people.rita)
    before, audit_before = store.get_article(art.id), store.audit()
    with pytest.raises(Forbidden, match="you edited this version"):
        store.transition(art.id, "approve", people.rita)
    assert store.get_article(art.id) == before and store.audit() == audit_before

    # another editor's later version does not launder Rita's edit: it is still in the text
    store.edit(art.id, changed.model_copy(update={"title": "Gout: management"}), people.eve, "title")  # v3 by Eve
    to_review(store, art, people.rita)
    assert store.version(art.id).author_id == people.eve.id
    before, audit_before = store.get_article(art.id), store.audit()
    with pytest.raises(Forbidden, match="another reviewer"):
        store.transition(art.id, "approve", people.rita)
    assert store.get_article(art.id) == before and store.audit() == audit_before
    art = store.transition(art.id, "approve", people.ravi)  # a second reviewer can
    assert art.state == State.APPROVED and art.approved_version == 3

    # once another reviewer approved it, Rita's edit is reviewed: she may approve Medora's next version
    art, created = store.submit(make_answer(), make_fingerprint("v2"))
    assert not created and art.state == State.SUBMITTED and art.current_version == 4
    to_review(store, art, people.rita)
    assert store.transition(art.id, "approve", people.rita).approved_version == 4


def test_near_identical_questions_share_one_article(store: ReviewStore, people: People) -> None:
    first, created = store.submit(make_answer("How is gout treated?"), make_fingerprint())
    assert created
    for q in ("how is gout treated", "Gout - how is it treated?", "GOUT: how is it treated??", "How is goût treated?"):
        art, created = store.submit(make_answer(q), make_fingerprint())
        assert not created and art.id == first.id, q
        assert store.find_article(q, "clinician").id == first.id
    # a follow-up is filed under the question retrieval saw
    art, created = store.submit(
        make_answer("and how is it treated?", standalone="Gout: how is it treated?"), make_fingerprint()
    )
    assert not created and art.id == first.id

    others = {}
    for q, aud in (
        ("How is gout treated?", "patient"),
        ("How is gout diagnosed?", "clinician"),
        ("How is gout not treated?", "clinician"),  # negations are kept
        ("How is pseudogout treated?", "clinician"),
    ):
        art, created = store.submit(make_answer(q, audience=aud), make_fingerprint())
        assert created, (q, aud)
        others[(q, aud)] = art.id
    assert len(set(others.values())) == 4 and first.id not in others.values()
    assert store.find_article("How is gout treated?", "patient").id == others[("How is gout treated?", "patient")]
    assert store.find_article("How is asthma treated?", "clinician") is None
    assert len(store.versions(first.id)) == 1  # re-asking with the same sources adds no version

    # a different inflection of the same word is still the same question (found by the near-match, not the key)
    long_q = "How are acute gout flares treated in adults with chronic kidney disease?"
    art, created = store.submit(make_answer(long_q), make_fingerprint())
    assert created
    near = "Treatment of acute gout flares in adults with chronic kidney disease"
    assert question_key(near) != art.question_key  # so it is found by the near-match
    assert store.find_article(near, "clinician").id == art.id
    # ...but never across a negation, a number, an added or a swapped word, however long the question
    for differs in (
        long_q.replace("How are", "How are not"),
        long_q.replace("chronic kidney disease", "chronic kidney disease stage 4"),
        long_q.replace("adults", "children"),
        long_q.replace("flares", "flares during pregnancy"),
        long_q.replace("acute", "recurrent"),
        long_q.replace("treated", "prevented"),
    ):
        assert store.find_article(differs, "clinician") is None, differs
    aspirin, _ = store.submit(make_answer("Should I take aspirin every day after a heart attack?"), make_fingerprint())
    for q in (
        "Should I not take aspirin every day after a heart attack?",
        "Shouldn't I take aspirin every day after a heart attack?",
    ):
        assert store.find_article(q, "clinician") is None, q
    assert store.find_article("After a heart attack, should I take aspirin every day", "clinician").id == aspirin.id


def test_changed_sources_make_a_new_version_and_reopen_an_approved_article(store: ReviewStore, people: People) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint("v1"))
    to_review(store, art, people.rita)
    store.transition(art.id, "approve", people.rita)
    assert store.find_approved("How is gout treated?", "clinician") is not None
    audit_before = store.audit(art.id)

    same, created = store.submit(make_answer("how is gout treated"), make_fingerprint("v1"))
    assert not created and same.state == State.APPROVED and same.current_version == 1
    assert store.audit(art.id) == audit_before and len(store.versions(art.id)) == 1

    fresh = make_answer(title="Management of gout (2026 update)")
    art2, created = store.submit(fresh, make_fingerprint("v2"), answer_id="answer-2")
    assert not created and art2.id == art.id
    assert art2.state == State.SUBMITTED and art2.current_version == 2 and art2.approved_version == 1
    assert art2.title == "Management of gout (2026 update)"
    v2 = store.version(art.id)
    assert (v2.number, v2.reason, v2.author_id, v2.answer_id) == (2, "sources_changed", None, "answer-2")
    assert v2.sources_fingerprint == make_fingerprint("v2").hash and v2.index_version == "corpus-v2"
    assert audit_rows(store, art.id)[-1] == (
        2,
        "Medora",
        "system",
        "sources_changed",
        "approved",
        "submitted",
        "sources changed since the last version",
    )
    assert store.find_approved("How is gout treated?", "clinician") is None  # no fast path until re-approved
    assert store.version(art.id, 1).sources_fingerprint == make_fingerprint("v1").hash


def test_rejected_articles_get_no_new_versions(store: ReviewStore, people: People, db: Engine) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint("v1"))
    to_review(store, art, people.rita)
    art = store.transition(art.id, "reject", people.rita, "Out of date and misleading.")
    assert art.state == State.REJECTED
    counts = raw_counts(db)
    again, created = store.submit(make_answer(), make_fingerprint("v2"))
    assert not created and again.id == art.id and again.state == State.REJECTED and again.current_version == 1
    with pytest.raises(InvalidTransition, match="rejected"):
        store.edit(art.id, make_answer(), people.eve, "try again")
    for who, action in ((people.eve, "resubmit"), (people.rita, "start_review"), (people.rita, "approve")):
        with pytest.raises(InvalidTransition):
            store.transition(art.id, action, who, "x")
    assert raw_counts(db) == counts and store.get_article(art.id).state == State.REJECTED


def test_non_answers_are_not_submitted(store: ReviewStore, db: Engine) -> None:
    for answer in (
        make_answer(status="insufficient_evidence"),
        make_answer(status="out_of_scope"),
        make_answer(references=False),
        make_answer(status="urgent", references=False),
    ):
        with pytest.raises(InvalidRequest, match="nothing to review") as err:
            store.submit(answer, make_fingerprint())
        assert err.value.status == 400
    assert raw_counts(db) == (0, 0, 0)
    art, created = store.submit(make_answer(status="urgent"), make_fingerprint())  # urgent and cited: reviewable
    assert created and raw_counts(db) == (1, 1, 1)


def test_queue_filters_and_library_lists_only_approved(store: ReviewStore, people: People) -> None:
    gout_c, _ = store.submit(make_answer("How is gout treated?"), make_fingerprint())
    gout_p, _ = store.submit(make_answer("How is gout treated?", audience="patient"), make_fingerprint())
    asthma, _ = store.submit(
        make_answer("What is the treatment of asthma?", title="Management of asthma"), make_fingerprint()
    )
    cellulitis, _ = store.submit(
        make_answer("How is cellulitis treated?", title="Management of cellulitis"), make_fingerprint()
    )
    to_review(store, asthma, people.rita)
    store.transition(asthma.id, "approve", people.rita)
    to_review(store, cellulitis, people.rita)

    ids = lambda arts: [a.id for a in arts]  # noqa: E731
    assert ids(store.queue()) == [cellulitis.id, asthma.id, gout_p.id, gout_c.id]  # latest change first
    assert ids(store.queue("submitted")) == [gout_p.id, gout_c.id]
    assert ids(store.queue(State.UNDER_REVIEW)) == [cellulitis.id]
    assert ids(store.queue(audience="patient")) == [gout_p.id]
    assert ids(store.queue("submitted", audience="clinician")) == [gout_c.id]
    assert ids(store.queue(q="  ASTHMA ")) == [asthma.id]  # title and question, any case
    assert ids(store.queue(q="treatment of")) == [asthma.id]
    assert ids(store.queue(q="gout", audience="clinician")) == [gout_c.id]
    assert ids(store.queue("approved", q="gout")) == []
    assert ids(store.queue(q="   ")) == ids(store.queue())
    assert ids(store.queue(limit=2)) == [cellulitis.id, asthma.id]
    with pytest.raises(ValueError):
        store.queue("published")

    assert ids(store.library()) == [asthma.id]
    assert ids(store.library(q="asthma", audience="clinician")) == [asthma.id]
    assert store.library(q="gout") == [] and store.library(audience="patient") == []
    assert store.counts() == {"submitted": 2, "under_review": 1, "changes_requested": 0, "approved": 1, "rejected": 0}


def test_comments_per_bullet(store: ReviewStore, people: People) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    c1 = store.add_comment(art.id, people.rita, "  Add the NSAID dose.  ", bullet="s1.b1")
    assert (c1.article_id, c1.version, c1.bullet, c1.author, c1.author_role, c1.body) == (
        art.id,
        1,
        "s1.b1",
        "Dr Rita Reviewer",
        "reviewer",
        "Add the NSAID dose.",
    )
    store.add_comment(art.id, people.eve, "Shorter, please.", bullet="summary")
    store.add_comment(art.id, people.eve, "Whole article reads well.")
    store.add_comment(art.id, people.ada, "Second follow-up bullet.", bullet="s2.b1")
    for bad in ("s2.b2", "s3.b1", "s0.b1", "title", "S1.B1", "s1.b1 "):
        with pytest.raises(InvalidRequest, match="no bullet"):
            store.add_comment(art.id, people.rita, "hmm", bullet=bad)
    for empty in ("", "   ", "\n\t"):
        with pytest.raises(InvalidRequest, match="empty"):
            store.add_comment(art.id, people.rita, empty, bullet="s1.b1")
    with pytest.raises(InvalidRequest, match="limit"):
        store.add_comment(art.id, people.rita, "x" * 4001)
    with pytest.raises(NotFound):
        store.add_comment("no-such-article", people.rita, "hello")
    got = store.comments(art.id)
    assert [(c.bullet, c.author, c.version) for c in got] == [
        ("s1.b1", "Dr Rita Reviewer", 1),
        ("summary", "Eve Editor", 1),
        (None, "Eve Editor", 1),
        ("s2.b1", "Ada Admin", 1),
    ]
    store.edit(art.id, make_answer(title="Gout"), people.eve)
    assert store.add_comment(art.id, people.rita, "Better.", bullet="s1.b2").version == 2
    assert store.audit(art.id)[-1].action == Action.EDIT  # comments are not state changes


def test_the_audit_log_is_append_only_in_the_database(store: ReviewStore, people: People, db: Engine) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    to_review(store, art, people.rita)
    before = store.audit()
    assert len(before) == 2
    for sql in (
        "UPDATE audit_log SET comment = 'tampered'",
        "UPDATE audit_log SET actor_id = NULL WHERE id = 2",
        "DELETE FROM audit_log",
        f"DELETE FROM audit_log WHERE article_id = '{art.id}'",
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(text(sql))
    assert store.audit() == before
    with db.begin() as conn:  # and it still takes new rows
        conn.execute(
            text(
                "INSERT INTO audit_log (article_id, version, actor_role, action, to_state, comment, at) "
                "VALUES (:a, 1, 'system', 'submit', 'submitted', '', CURRENT_TIMESTAMP)"
            ),
            {"a": art.id},
        )
    assert len(store.audit()) == 3


def test_edits_need_an_account_that_may_edit(store: ReviewStore, people: People, db: Engine) -> None:
    art, _ = store.submit(make_answer(), make_fingerprint())
    counts = raw_counts(db)
    for who in (None, people.eve.model_copy(update={"active": False})):
        with pytest.raises(Forbidden):
            store.edit(art.id, make_answer(), who)
    with pytest.raises(NotFound):
        store.edit("no-such-article", make_answer(), people.eve)
    assert raw_counts(db) == counts
    for n, who in enumerate((people.ada, people.rita, people.eve), start=2):  # admins, reviewers and editors edit
        assert store.edit(art.id, make_answer(), who).current_version == n
    assert [v.author_id for v in store.versions(art.id)] == [None, people.ada.id, people.rita.id, people.eve.id]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("How is gout treated?", "gout treatment"),
        ("How is gout diagnosed?", "diagnosis of gout"),
        ("How is hypertension managed?", "management of hypertension"),
        (
            "How are acute gout flares treated in adults with chronic kidney disease?",
            "Treatment of acute gout flares in adults with chronic kidney disease",
        ),
    ],
)
def test_the_near_match_finds_its_candidates_by_stem_key(a: str, b: str) -> None:
    from medora.review.matching import stem_key

    ka, kb = question_key(a), question_key(b)
    assert ka != kb and same_question(ka, kb) and stem_key(ka) == stem_key(kb)
    assert not same_question(question_key("How is hypertension treated?"), question_key("hyperthyroidism treatment"))
