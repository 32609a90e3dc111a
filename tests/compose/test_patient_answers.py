"""Patient answers read plainly (#13, second pass): shorter answers from passages, the plainest sentences of the
best-ranked ones, joined clauses split, label cross-references dropped, more everyday words; a drug label
never answers a question about another drug."""

from __future__ import annotations

import re

import pytest

from medora.compose import Evidence, compose
from medora.compose.audience import (
    HARD_GRADE,
    PATIENT_BULLETS,
    drop_cross_references,
    plain,
    plainest,
    reading_grade,
    shorter,
    split_joined,
    too_hard,
)
from medora.compose.extractive import candidates
from medora.compose.focus import names_label_drug, on_topic
from medora.eval.medicationqa import focus_labels
from medora.eval.readability import answer_kind
from medora.models import Answer, Audience, Bullet, DrugName, Hit, Passage, Reference, Section, Source, SourceType
from medora.question import QuestionFrame
from medora.settings import ComposeSettings

pytestmark = pytest.mark.unit

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEGATION = re.compile(r"\b(not|no|never|without|cannot|do not|don't|avoid)\b", re.I)


def test_a_technical_name_the_source_gives_in_brackets_is_left_alone() -> None:
    # the source already put the plain words first: the glossary must not explain the name inside its bracket
    assert plain("Take a blood thinning (anticoagulant) medicine.") == "Take a blood thinning (anticoagulant) medicine."
    assert plain("Pain relievers (analgesics) help.") == "Pain relievers (analgesics) help."
    assert plain("Swelling of the ankles (edema) is common.") == "Swelling of the ankles (edema) is common."
    assert plain("Edema is common.") == "Swelling (edema) is common."  # unchanged where there is no bracket


@pytest.mark.parametrize(
    ("written", "plainer"),
    [
        (
            "Ibuprofen tablets are indicated for relief of mild pain.",
            "Ibuprofen tablets are used to relieve mild pain.",
        ),
        ("Seek medical attention immediately.", "Get medical help right away."),
        ("Ask your health care provider before 2 doses.", "Ask your doctor or nurse before 2 doses."),
        ("The recommended dosage is 500 mg.", "The recommended dose is 500 mg."),
        (
            "Check serum potassium every 3 months; it requires a lab.",
            "Check blood potassium every 3 months; it needs a lab.",
        ),
        ("Aspirin carries an increased risk of bleeding.", "Aspirin carries a higher risk of bleeding."),
        ("Warfarin is not indicated for stroke in children.", "Warfarin is not used for stroke in children."),
    ],
)
def test_label_phrases_read_in_everyday_words(written: str, plainer: str) -> None:
    assert plain(written) == plainer
    assert NUMBER.findall(plain(written)) == NUMBER.findall(written)


def test_two_clauses_become_two_sentences_only_when_each_stands_alone() -> None:
    assert split_joined("Most sore throats are viral, and they are gone within a week.") == (
        "Most sore throats are viral. And they are gone within a week."
    )
    assert split_joined("The rash can last for weeks, but it is not contagious.") == (
        "The rash can last for weeks. But it is not contagious."
    )
    for whole in (
        "Keep taking the tablets until the tests are clear, and you feel well.",  # "until" may govern both parts
        "If the pain is bad, and the swelling spreads, see a doctor.",
        "Tablets that lower acid help, and they are cheap.",
        "Rest, fluids, and the usual pain relievers help most people.",  # a list, not two clauses
        "Your doctor will check your kidneys, and review your medicines.",  # no subject of its own: one sentence
        "Symptoms include: fever, and the rash can itch.",
    ):
        assert split_joined(whole) == whole, whole


def test_label_cross_references_go_and_bracketed_values_stay() -> None:
    assert drop_cross_references(
        "Monitor blood counts [see Warnings and Precautions (5.2)] in the first 3 months."
    ) == ("Monitor blood counts in the first 3 months.")
    assert drop_cross_references("Kidney failure (see PRECAUTIONS ), and rash were reported.") == (
        "Kidney failure, and rash were reported."
    )
    for kept in ("If your sugar is under 70 (3.9), eat something.", "Use 2.5 mg (half a tablet) twice daily."):
        assert drop_cross_references(kept) == kept
    text = "Do not take more than 4 g a day (see Overdosage), and the tablets are not for children."
    out = shorter(text)
    assert NUMBER.findall(out) == NUMBER.findall(text)
    assert [w.lower() for w in NEGATION.findall(out)] == [w.lower() for w in NEGATION.findall(text)]


HARD = (
    "Concomitant administration of ibuprofen with anticoagulant pharmacotherapy substantially potentiates "
    "gastrointestinal hemorrhagic complications and stomach ulceration in susceptible individuals."
)
PLAIN_SENTENCES = [
    "Ibuprofen can upset your stomach if you take it for a long time.",
    "Take ibuprofen with food or milk to protect your stomach.",
    "Stop ibuprofen and see a doctor if your stool turns black.",
    "Ask a pharmacist which pain pills are safe with your other medicines.",
    "Do not take more than the dose on the pack.",
    "Older people get stomach bleeding from ibuprofen more often.",
    "A stomach-protecting pill can help if you need ibuprofen every day.",
    "Paracetamol is gentler on the stomach than ibuprofen.",
]


def test_plainest_keeps_the_lead_and_leaves_out_the_hardest() -> None:
    items = [HARD, *PLAIN_SENTENCES[:3], HARD.replace("susceptible", "vulnerable"), *PLAIN_SENTENCES[3:8]]
    kept = plainest(items, lambda t: t, keep=5)
    assert kept[0] == HARD  # the bottom line is the best-ranked answer, however it reads
    assert kept[1:] == PLAIN_SENTENCES[:4]  # the plain ones, in rank order; the second hard one goes
    assert plainest(items[:4], lambda t: t, keep=5) == items[:4]
    assert too_hard(HARD) and reading_grade(HARD) > HARD_GRADE
    assert not any(too_hard(s) for s in PLAIN_SENTENCES)


def _hit(pid: str, text: str, score: float, kind: str = "Patient information") -> Hit:
    src = Source(id=f"src-{pid}", type=kind, title=f"Source {pid}", organization="Org", year=2021)
    return Hit(passage=Passage(id=pid, source_id=src.id, text=text, cites=[src.id]), source=src, score=score)


class _Library:
    def topic_passages(self, topic: str) -> list[Passage]:
        return []

    def source(self, sid: str) -> Source | None:
        return None


def _texts(answer: Answer) -> list[str]:
    return [answer.summary.text, *(b.text for s in answer.sections for b in s.bullets)]


def test_a_patient_gets_fewer_plainer_bullets_and_the_clinician_keeps_them_all() -> None:
    hits = [_hit(f"p{i}", s, 1.0 - i / 20) for i, s in enumerate(PLAIN_SENTENCES)]
    hits.insert(2, _hit("hard", HARD, 0.95, kind="Textbook"))
    ev = Evidence(
        question="Does ibuprofen hurt the stomach?",
        standalone="Does ibuprofen hurt the stomach?",
        hits=hits,
        terms=["ibuprofen", "stomach"],
    )
    clin = compose(ev, _Library(), Audience.CLINICIAN, ComposeSettings())
    pat = compose(ev, _Library(), Audience.PATIENT, ComposeSettings())
    assert HARD in _texts(clin) and len(_texts(clin)) == 7  # every sentence naming the question's words
    assert len(_texts(pat)) == PATIENT_BULLETS
    assert not any("potentiates" in t for t in _texts(pat))
    assert pat.readability_grade is not None and clin.readability_grade is not None
    assert pat.readability_grade < clin.readability_grade


def test_a_drug_label_answer_keeps_every_bullet_for_a_patient_in_plainer_words() -> None:
    hits = [_hit(f"p{i}", s, 1.0 - i / 20) for i, s in enumerate(PLAIN_SENTENCES)]
    hits.insert(2, _hit("hard", HARD, 0.95, kind="Drug label"))
    q = "Does ibuprofen hurt the stomach?"
    ev = Evidence(question=q, standalone=q, hits=hits, terms=["ibuprofen", "stomach"], brief=False)
    clin = compose(ev, _Library(), Audience.CLINICIAN, ComposeSettings())
    pat = compose(ev, _Library(), Audience.PATIENT, ComposeSettings())
    assert len(_texts(pat)) == len(_texts(clin)) == 7
    assert any("blood thinner" in t and "potentiates" in t for t in _texts(pat))  # kept, with the glossary's words


def test_a_hard_sentence_still_answers_when_too_few_plain_ones_do() -> None:
    hits = [_hit("hard", HARD, 1.0, kind="Textbook"), _hit("p0", PLAIN_SENTENCES[0], 0.9)]
    ev = Evidence(question="q", standalone="Does ibuprofen hurt the stomach?", hits=hits, terms=["ibuprofen"])
    pat = compose(ev, _Library(), Audience.PATIENT, ComposeSettings())
    assert sorted(_texts(pat)) == sorted([plain(HARD), PLAIN_SENTENCES[0]])


def _label_candidate(text: str) -> Hit:
    src = Source(
        id="druglabel:1",
        type=SourceType.DRUG_LABEL,
        title="Lisinopril — FDA prescribing information",
        organization="US Food and Drug Administration (openFDA drug label)",
        year=2023,
        extra={"generic_name": "lisinopril", "brand_name": "ZESTRIL", "names": "lisinopril", "brand_names": "zestril"},
    )
    return Hit(
        passage=Passage(id="druglabel:1#3", source_id=src.id, text=text, cites=[src.id], meta={"focus": "lisinopril"}),
        source=src,
        score=1.0,
    )


def test_a_drug_label_answers_only_a_question_that_names_its_drug() -> None:
    label = _label_candidate("The usual starting dose is 10 mg once a day for high blood pressure.")
    other = _hit("g", "Most adults with high blood pressure start with one tablet a day.", 0.9)
    cands = candidates(["dose", "day", "tablets"], [label, other])
    assert {c.source.type for c in cands} == {SourceType.DRUG_LABEL, "Patient information"}
    unnamed = QuestionFrame(text="What is the normal daily dose of Ativan?", focus=None, qtype="dose")
    assert [c.passage.id for c in on_topic(unnamed, cands)] == ["g"]
    for named in ("What is the normal daily dose of lisinopril?", "How much Zestril do I take?"):
        frame = QuestionFrame(text=named, focus=None, qtype="dose")
        assert {c.passage.id for c in on_topic(frame, cands)} == {"g", "druglabel:1#3"}
    assert not names_label_drug("Is lisinoprilate safe?", label.source)  # whole words only


def test_a_combination_product_has_a_label_only_when_each_of_its_drugs_does() -> None:
    labels = {"acetaminophen": ["druglabel:apap"], "warfarin": ["druglabel:warf"], "lisinopril": ["druglabel:lis"]}

    def drugs_named(text: str) -> list[DrugName]:
        return [DrugName(generic=g, source_ids=ids, matched=g) for g, ids in labels.items() if g in text.lower()]

    assert focus_labels("hydrocodone + acetaminophen", drugs_named) == set()
    assert focus_labels("acetaminophen", drugs_named) == {"druglabel:apap"}
    assert focus_labels("lisinopril/acetaminophen", drugs_named) == {"druglabel:lis", "druglabel:apap"}
    assert focus_labels("warfarin; cabbage", drugs_named) == {"druglabel:warf"}  # a list, not one product


def test_the_readability_report_says_how_each_patient_answer_was_built() -> None:
    def answer(topic: str | None, types: list[str]) -> Answer:
        refs = [
            Reference(n=i + 1, type=t, title="t", source="s", year=2020, source_id=f"s{i}") for i, t in enumerate(types)
        ]
        bullet = Bullet(text="A sentence.", citations=[1])
        return Answer(
            question="q",
            audience=Audience.PATIENT,
            status="answered",
            title="t",
            summary=bullet,
            sections=[Section(heading="h", kind="background", bullets=[bullet])],
            references=refs,
            disclaimer="d",
            topic=topic,
        )

    assert answer_kind(answer("gout", ["Guideline"])) == "house topic"
    assert answer_kind(answer(None, ["Drug label", "Drug label"])) == "drug label"
    assert answer_kind(answer(None, ["Drug label", "Patient information"])) == "passages"
