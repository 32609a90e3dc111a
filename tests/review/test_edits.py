"""Bullet edits keep every citation supported; diffs show what changed, bullet by bullet and word by word."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from medora.errors import InvalidRequest
from medora.models import Answer, Bullet, PassageRef, Reference
from medora.review.diff import diff_answers, word_diff
from medora.review.edits import (
    LEXICAL_SUPPORT,
    SEMANTIC_SUPPORT,
    BulletEdit,
    apply_edits,
    bullets,
    evidence,
    numbers,
    support,
    supported,
)
from medora.review.fingerprint import fingerprint, source_ids

from .conftest import FLARE, URATE, make_answer

unit = pytest.mark.unit


def texts(answer: Answer) -> dict[str, tuple[str, list[int]]]:
    return {k: (b.text, b.citations) for k, _, b in bullets(answer)}


@unit
def test_bullets_are_addressed_as_on_the_review_page() -> None:
    assert [(k, label) for k, label, _ in bullets(make_answer())] == [
        ("summary", "Bottom line"),
        ("s1.b1", "Management"),
        ("s1.b2", "Management"),
        ("s2.b1", "Follow-up"),
    ]


@unit
def test_a_supported_paraphrase_is_applied_to_a_copy() -> None:
    answer = make_answer()
    before = answer.model_dump()
    new = apply_edits(
        answer,
        [
            BulletEdit(bullet="s1.b1", text="  Colchicine at low dose:\n 1.2 mg, then 0.6 mg one hour later.  "),
            BulletEdit(
                bullet="summary",
                text="Start colchicine, an NSAID or a glucocorticoid early in a gout flare.",
                citations=[1, 1],
            ),
            BulletEdit(
                bullet="s2.b1",
                text="Raise the allopurinol dose every few weeks until serum urate is below 6 mg/dL.",
                citations=[2],
            ),
        ],
    )
    got = texts(new)
    assert got["s1.b1"] == ("Colchicine at low dose: 1.2 mg, then 0.6 mg one hour later.", [1])  # citations kept
    assert got["summary"] == ("Start colchicine, an NSAID or a glucocorticoid early in a gout flare.", [1])
    assert got["s2.b1"][1] == [2]
    assert got["s1.b2"] == texts(answer)["s1.b2"]  # untouched bullets stay as they were
    assert new.references == answer.references and new.title == answer.title
    assert answer.model_dump() == before  # the input is never changed
    assert new.sections[0].bullets[0] is not answer.sections[0].bullets[0]


@unit
def test_unsupported_and_invalid_edits_are_refused_with_every_problem_listed() -> None:
    answer = make_answer()
    before = answer.model_dump()
    edits = [
        BulletEdit(bullet="s1.b1", text="Aspirin in high doses cures gout permanently."),  # says something else
        # the wrong reference:
        BulletEdit(bullet="s1.b2", text="Allopurinol is first-line urate-lowering therapy.", citations=[1]),
        BulletEdit(bullet="summary", text="Treat a gout flare early with colchicine.", citations=[3]),  # no [3]
        BulletEdit(bullet="s2.b1", text="Titrate allopurinol slowly.", citations=[]),  # no citation
        BulletEdit(bullet="s9.b1", text="Anything."),  # no such bullet
        BulletEdit(bullet="bottom line", text="Anything."),  # not a key
    ]
    with pytest.raises(InvalidRequest) as err:
        apply_edits(answer, edits)
    msg = err.value.message
    assert err.value.status == 400 and msg.startswith("the edit was not saved: ")
    problems = msg.removeprefix("the edit was not saved: ").split("; ")
    assert problems == [
        "s1.b1: reference [1] has no passage that supports the new text",
        "cite the reference that says it, or keep closer to its wording",
        "s1.b2: reference [1] has no passage that supports the new text",
        "cite the reference that says it, or keep closer to its wording",
        "summary: citation [3] is not in the reference list (1-2)",
        "s2.b1: every statement needs at least one citation",
        "s9.b1: no such bullet (use 'summary' or s<section>.b<bullet>, e.g. s1.b2)",
        "bottom line: no such bullet (use 'summary' or s<section>.b<bullet>, e.g. s1.b2)",
    ]
    assert answer.model_dump() == before  # refused edits leave no trace either


@unit
def test_empty_too_long_and_missing_edits_are_refused() -> None:
    answer = make_answer()
    with pytest.raises(InvalidRequest, match="no edits given"):
        apply_edits(answer, [])
    with pytest.raises(InvalidRequest, match=r"s1\.b1: the text is empty"):
        apply_edits(answer, [BulletEdit(bullet="s1.b1", text=" \n\t ")])
    long = " ".join(["colchicine"] * 200)
    with pytest.raises(InvalidRequest, match=r"s1\.b1: the text is 2,199 characters; the limit is 1,500"):
        apply_edits(answer, [BulletEdit(bullet="s1.b1", text=long)])
    # one bad edit sinks the batch: nothing half-applied
    with pytest.raises(InvalidRequest, match="s2.b1"):
        apply_edits(
            answer,
            [
                BulletEdit(bullet="s1.b1", text="Colchicine 1.2 mg then 0.6 mg."),
                BulletEdit(bullet="s2.b1", text="Give febuxostat to everyone."),
            ],
        )
    assert texts(answer) == texts(make_answer())


@unit
def test_lexical_support_is_the_share_of_content_words_in_the_best_passage() -> None:
    ref = Reference(
        n=1,
        type="Guideline",
        title="t",
        source="s",
        passages=[PassageRef(id="a", text="Unrelated text about asthma inhalers."), PassageRef(id="b", text=FLARE)],
    )
    assert support("Colchicine treats a gout flare.", ref) == 1.0  # every content word is in passage b
    # colchicine, prednisone, febuxostat, cure: 1 of 4 in the passage
    assert support("Colchicine, prednisone and febuxostat cure", ref) == 0.25
    assert supported("colchicine gout aspirin warfarin", ref)  # 2 of 4: exactly the threshold
    assert not supported("colchicine aspirin warfarin heparin", ref)  # 1 of 4
    assert LEXICAL_SUPPORT == 0.5
    assert support("Colchicine.", Reference(n=2, type="Guideline", title="t", source="s")) == 0.0  # nothing quoted
    assert support("What is it?", ref) == 0.0  # no content words at all


@unit
def test_semantic_support_rescues_a_true_paraphrase_only_above_its_threshold() -> None:
    ref = Reference(n=1, type="Guideline", title="t", source="s", passages=[PassageRef(id="b", text=URATE)])
    paraphrase = "Zyloprim is preferred initially for hyperuricaemia."  # no content word in the passage

    def encoder(cos: float):  # noqa: ANN202 - text first, passages after, L2-normalised
        def encode(items: list[str]) -> np.ndarray:
            return np.array([[1.0, 0.0]] + [[cos, math.sqrt(1 - cos**2)]] * (len(items) - 1))

        return encode

    assert support(paraphrase, ref) == 0.0
    assert supported(paraphrase, ref, encoder(SEMANTIC_SUPPORT + 0.01))
    assert not supported(paraphrase, ref, encoder(SEMANTIC_SUPPORT - 0.01))
    assert 0.6 <= SEMANTIC_SUPPORT < 1  # a mere topical neighbour (MiniLM ~0.5-0.7) must not pass
    answer = make_answer()
    edit = [BulletEdit(bullet="s1.b2", text=paraphrase)]
    assert texts(apply_edits(answer, edit, encoder(0.95)))["s1.b2"] == (paraphrase, [2])
    with pytest.raises(InvalidRequest, match=r"reference \[2\] has no passage"):
        apply_edits(answer, edit, encoder(0.3))


@unit
def test_a_changed_number_is_never_supported() -> None:
    assert numbers("1.2 mg then 0.6 mg; 72 hours; eGFR 1,5") == {"1.2", "0.6", "72", "1.5"}
    answer = make_answer()
    assert apply_edits(answer, [BulletEdit(bullet="s1.b1", text="Colchicine 1.2 mg, then 0.6 mg after an hour.")])
    for dose in (
        "Low-dose colchicine: 1.2 mg then 0.8 mg an hour later.",  # one changed dose
        "Low-dose colchicine: 12 mg then 0.6 mg an hour later.",
        "Low-dose colchicine: 1.2 mg then 0.6 mg an hour later, for 10 days.",
    ):  # an added duration
        with pytest.raises(InvalidRequest, match=r"s1\.b1: reference \[1\] has no passage"):
            apply_edits(answer, [BulletEdit(bullet="s1.b1", text=dose)])
        with pytest.raises(InvalidRequest):  # not even a near-identical embedding rescues it
            apply_edits(
                answer, [BulletEdit(bullet="s1.b1", text=dose)], lambda items: np.array([[1.0, 0.0]] * len(items))
            )


class FakeReader:
    """The two IndexReader methods the review code uses, over an in-memory corpus."""

    def __init__(self, passages: dict[str, tuple[str, str, str | None]], corpus_hash: str = "c1") -> None:
        self.passages = passages  # id -> (source_id, text, lay_text)
        self.manifest = {"corpus_hash": corpus_hash}

    def passage(self, pid: str):  # noqa: ANN201
        from medora.models import Passage

        if pid not in self.passages:
            return None
        sid, txt, lay = self.passages[pid]
        return Passage(id=pid, source_id=sid, text=txt, lay_text=lay)

    def source_passages(self, sid: str, limit: int = 100):  # noqa: ANN201
        return [p for pid in sorted(self.passages) if (p := self.passage(pid)).source_id == sid][:limit]


@unit
def test_patient_bullets_are_checked_against_the_lay_text_too() -> None:
    lay = "Gout attacks are treated quickly with anti-inflammatory medicines such as colchicine."
    reader = FakeReader({"acr#1": ("kb:acr-gout-2020", FLARE, lay), "eular#1": ("kb:eular-gout-2016", URATE, None)})
    ref = make_answer().references[0]
    assert evidence(ref) == [FLARE] and evidence(ref, reader) == [FLARE, lay]
    edit = [BulletEdit(bullet="summary", text="Attacks of gout are treated quickly with anti-inflammatory medicines.")]
    with pytest.raises(InvalidRequest):
        apply_edits(make_answer(audience="patient"), edit)
    assert texts(apply_edits(make_answer(audience="patient"), edit, reader=reader))["summary"][0].startswith("Attacks")


@unit
def test_the_fingerprint_changes_with_the_cited_sources_text() -> None:
    answer = make_answer()
    corpus = {
        "acr#1": ("kb:acr-gout-2020", FLARE, None),
        "eular#1": ("kb:eular-gout-2016", URATE, None),
        "other#1": ("kb:asthma", "Inhaled corticosteroids.", None),
    }
    base = fingerprint(answer, FakeReader(corpus))
    assert base.source_ids == source_ids(answer) == ["kb:acr-gout-2020", "kb:eular-gout-2016"]
    assert base.index_version == "c1" and len(base.hash) == 64
    assert fingerprint(answer, FakeReader(dict(corpus), corpus_hash="c2")).hash == base.hash  # same text: same hash
    assert fingerprint(answer, FakeReader(corpus | {"other#1": ("kb:asthma", "Changed.", None)})).hash == base.hash
    for changed in (
        {"acr#1": ("kb:acr-gout-2020", FLARE + " Updated.", None)},  # a cited passage edited
        {"acr#2": ("kb:acr-gout-2020", "A new recommendation.", None)},  # one added
    ):
        assert fingerprint(answer, FakeReader(corpus | changed)).hash != base.hash
    removed = {k: v for k, v in corpus.items() if k != "eular#1"}
    assert fingerprint(answer, FakeReader(removed)).hash != base.hash
    no_index = fingerprint(answer, None)
    assert no_index.index_version is None and no_index.hash != base.hash


# ---- diffs -------------------------------------------------------------------------------------------------


@unit
def test_word_diff() -> None:
    assert [
        (w.op, w.text)
        for w in word_diff("Colchicine or an NSAID for the flare.", "Colchicine or naproxen for the flare today.")
    ] == [
        ("equal", "Colchicine or"),
        ("delete", "an NSAID"),
        ("insert", "naproxen"),
        ("equal", "for the"),
        ("delete", "flare."),
        ("insert", "flare today."),
    ]
    assert [(w.op, w.text) for w in word_diff("same words", "same  words")] == [("equal", "same words")]
    assert [(w.op, w.text) for w in word_diff("", "new")] == [("insert", "new")]
    assert [(w.op, w.text) for w in word_diff("old", "")] == [("delete", "old")]


@unit
def test_diff_of_identical_answers_is_all_equal() -> None:
    d = diff_answers(make_answer(), make_answer())
    assert [x.op for x in d] == ["equal"] * 4
    assert [x.section for x in d] == ["Bottom line", "Management", "Management", "Follow-up"]


@unit
def test_diff_shows_changed_added_and_removed_bullets() -> None:
    old = make_answer()
    new = make_answer()
    new.sections[0].bullets[0].text = "Low-dose colchicine: 1.2 mg then 0.6 mg one hour later."  # reworded
    new.sections[0].bullets[1].citations = [1, 2]  # citations only
    new.sections[1].bullets.append(Bullet(text="Check serum urate every 6 months once at target.", citations=[2]))
    d = diff_answers(old, new)
    assert [(x.op, x.section) for x in d] == [
        ("equal", "Bottom line"),
        ("changed", "Management"),
        ("changed", "Management"),
        ("equal", "Follow-up"),
        ("added", "Follow-up"),
    ]
    reworded, recited, added = d[1], d[2], d[4]
    assert reworded.old == "Low-dose colchicine: 1.2 mg then 0.6 mg an hour later."
    assert reworded.new == "Low-dose colchicine: 1.2 mg then 0.6 mg one hour later."
    assert [(w.op, w.text) for w in reworded.words] == [
        ("equal", "Low-dose colchicine: 1.2 mg then 0.6 mg"),
        ("delete", "an"),
        ("insert", "one"),
        ("equal", "hour later."),
    ]
    assert (recited.old_citations, recited.new_citations) == ([2], [1, 2]) and recited.old == recited.new
    assert (added.old, added.new, added.new_citations) == (
        None,
        "Check serum urate every 6 months once at target.",
        [2],
    )

    back = diff_answers(new, old)  # and the other way round: removed
    assert [x.op for x in back] == ["equal", "changed", "changed", "equal", "removed"]
    assert back[4].old == "Check serum urate every 6 months once at target." and back[4].new is None
    assert back[4].old_citations == [2]

    fewer = make_answer()
    del fewer.sections[0].bullets[0]
    assert [(x.op, x.old) for x in diff_answers(old, fewer) if x.op != "equal"] == [
        ("removed", "Low-dose colchicine: 1.2 mg then 0.6 mg an hour later.")
    ]


# ---- a real answer -----------------------------------------------------------------------------------------


@pytest.mark.integration
def test_every_bullet_of_a_real_answer_is_supported_by_its_own_citations(engine, index_settings) -> None:  # noqa: ANN001
    from medora.qa import ask

    answers = [
        ask("How is gout managed during a flare?", settings=index_settings, engine=engine),
        ask("How is gout managed during a flare?", audience="patient", settings=index_settings, engine=engine),
    ]
    clinician, patient = answers
    assert clinician.status == "answered" and clinician.references and patient.references
    for answer, reader in ((clinician, None), (patient, engine.reader)):
        refs = {r.n: r for r in answer.references}
        pairs = [(k, n, b.text) for k, _, b in bullets(answer) for n in b.citations]
        failing = [
            (k, n, round(support(t, refs[n], reader=reader), 2), t[:90])
            for k, n, t in pairs
            if not supported(t, refs[n], reader=reader)
        ]
        assert len(pairs) >= 10
        assert not failing, f"{answer.audience.value}: {len(pairs) - len(failing)}/{len(pairs)} supported; {failing}"

    # a real edit that keeps to the source is accepted; one that invents a claim is not
    key, _, target = next((k, lbl, b) for k, lbl, b in bullets(clinician) if k != "summary" and len(b.text) > 60)
    kept = apply_edits(clinician, [BulletEdit(bullet=key, text=target.text.rstrip(".") + ", as the guideline says.")])
    assert texts(kept)[key][1] == target.citations
    with pytest.raises(InvalidRequest, match="has no passage that supports"):
        apply_edits(clinician, [BulletEdit(bullet=key, text="Bloodletting and leeches cure gout permanently.")])
    with pytest.raises(InvalidRequest, match="has no passage that supports"):
        apply_edits(
            clinician,
            [BulletEdit(bullet=key, text="Bloodletting and leeches cure gout permanently.")],
            engine.embedder.encode,
            engine.reader,
        )


URGENT = (
    "A hot, swollen joint with fever or feeling very unwell needs urgent medical care, as it could be an infection. "
    "Do not stop allopurinol during a flare. Increase the dose slowly every few weeks."
)


@unit
@pytest.mark.parametrize(
    ("text", "passage"),
    [
        (
            "A hot, swollen joint with fever does not need urgent medical care, even if it could be an infection.",
            URGENT,
        ),
        ("A hot swollen joint with fever never needs medical care.", URGENT),
        ("Stop allopurinol during a flare.", URGENT),
        ("Decrease the dose slowly every few weeks.", URGENT),
        ("Colchicine reduces pain in a flare.", "Colchicine increases pain in a flare."),
        ("Start allopurinol at a high dose.", "Start allopurinol at a low dose."),
        ("Keep the serum urate above 6 mg/dL.", "Keep the serum urate below 6 mg/dL."),
        ("Do not treat a flare early with colchicine.", FLARE),
    ],
)
def test_an_inverted_statement_is_caught(text: str, passage: str) -> None:
    from medora.review.meaning import conflict

    assert conflict(text, passage), text


@unit
@pytest.mark.parametrize(
    ("text", "passage"),
    [
        ("A hot, swollen joint with fever needs urgent medical care: it could be an infection.", URGENT),
        ("Continue allopurinol during a flare; do not stop it.", URGENT),
        ("Keep taking allopurinol during a flare, never stop it.", URGENT),
        ("Avoid NSAIDs in kidney disease.", "Do not use NSAIDs in kidney disease."),
        ("Raise the allopurinol dose every few weeks until serum urate is below 6 mg/dL.", URATE),
        ("Colchicine at low dose: 1.2 mg, then 0.6 mg one hour later.", FLARE),
    ],
)
def test_a_faithful_paraphrase_is_not_flagged(text: str, passage: str) -> None:
    from medora.review.meaning import conflict

    assert conflict(text, passage) is None, text


@unit
def test_edits_that_invert_their_passage_are_refused() -> None:
    answer = make_answer()
    for key, text in [
        ("summary", "Do not treat a gout flare early with colchicine, an NSAID or a glucocorticoid."),
        ("s1.b2", "Allopurinol is first-line urate-lowering therapy, titrated to serum urate above 6 mg/dL."),
        (
            "s2.b1",
            "Start allopurinol at 100 mg/day or more and titrate every few weeks to a serum urate below 6 mg/dL.",
        ),
    ]:
        with pytest.raises(InvalidRequest, match=rf"{re.escape(key)}: reference \[\d\] says the opposite"):
            apply_edits(answer, [BulletEdit(bullet=key, text=text)])


@unit
def test_a_single_word_is_not_a_statement() -> None:
    with pytest.raises(InvalidRequest, match="at least 3 words"):
        apply_edits(make_answer(), [BulletEdit(bullet="summary", text="Gout")])
