"""Reading a question: focus, type, population, specifics and title, on a hand-made lexicon (#13)."""

from __future__ import annotations

import pytest

from medora.question import (
    Lexicon,
    about,
    canonical_question,
    frame_of,
    passage_about,
    qtype_of,
    question_for,
    title_of,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.build(
        topics=[
            ("gout", "Gout", ["acute gout flare", "gouty arthritis"]),
            ("chronic-kidney-disease", "Chronic kidney disease in adults", ["chronic kidney disease", "CKD"]),
            (
                "osteoporotic-vcf",
                "Osteoporotic vertebral compression fracture",
                ["endplate vertebral body compression"],
            ),
        ],
        conditions=[
            ("Pelvic Inflammatory Disease", "medquad:mp_1"),
            ("Dizziness and Vertigo", "medquad:mp_2"),
            ("West syndrome", "medquad:ghr_3"),
            ("Gout", "medquad:mp_4"),
            ("Meningitis", "medquad:mp_5"),
            ("Blood", "medquad:mp_6"),
        ],
        synonyms={"pid": ["pelvic inflammatory disease"], "is": ["west syndrome"]},
        drugs=[("escitalopram", ["lexapro"], ["druglabel:1"])],
        common={"is", "all", "go"}.__contains__,
    )


def test_focus_through_an_abbreviation_and_the_title_from_focus_and_type(lex: Lexicon) -> None:
    f = frame_of("How is PID treated?", lex)
    assert f.focus is not None and f.focus.name == "pelvic inflammatory disease" and f.focus.sources == ["medquad:mp_1"]
    assert f.qtype == "treatment"
    assert title_of(f) == "Treatment of pelvic inflammatory disease"


def test_everyday_words_never_name_a_focus(lex: Lexicon) -> None:
    # "is" is a MedQuAD synonym of West syndrome, "blood" a MedQuAD focus: neither makes a question about them
    assert frame_of("Is there blood in it?", lex).focus is None


def test_a_condition_the_patient_has_is_context_not_the_focus(lex: Lexicon) -> None:
    f = frame_of("How is an acute gout flare treated, if the patient has stage 4 CKD?", lex)
    assert f.focus is not None and f.focus.topic == "gout"
    assert [o.topic for o in f.others] == ["chronic-kidney-disease"]
    assert f.population == ["kidney impairment"]
    assert title_of(f) == "Treatment of gout with kidney impairment"


def test_a_house_topic_takes_over_the_medquad_name_and_keeps_its_sources(lex: Lexicon) -> None:
    f = frame_of("What causes gout?", lex)
    assert f.focus is not None and f.focus.kind == "topic" and "medquad:mp_4" in f.focus.sources
    assert title_of(f) == "Causes of gout"


def test_misspelt_condition_and_brand_name(lex: Lexicon) -> None:
    assert frame_of("Whats menigitis?", lex, known=lambda w: False).focus.name == "meningitis"  # type: ignore[union-attr]
    drug = frame_of("Tell me about Lexapro", lex).focus
    assert drug is not None and drug.kind == "drug" and drug.name == "escitalopram"


def test_parts_of_a_compound_name_and_title_case_read_plainly(lex: Lexicon) -> None:
    f = frame_of("Which doctor should i go to for vertigo", lex)
    assert f.focus is not None and f.qtype == "seek_care"
    assert title_of(f) == "When to get care for dizziness and vertigo"


def test_a_disease_shaped_word_is_the_focus_when_the_library_has_no_name(lex: Lexicon) -> None:
    f = frame_of("What is blepharitis?", lex)
    assert f.focus is not None and f.focus.kind == "term" and title_of(f) == "What blepharitis is"


def test_broad_questions_keep_the_article_narrow_ones_do_not(lex: Lexicon) -> None:
    seed = frame_of("What is the initial approach to managing endplate vertebral body compression?", lex)
    assert seed.broad and seed.focus is not None and seed.focus.topic == "osteoporotic-vcf"
    assert title_of(seed) == "Management of osteoporotic vertebral compression fracture"
    assert not frame_of("How is gout diagnosed?", lex).broad
    assert not frame_of("Which oral medicine treats gout?", lex).broad  # specifics make it narrow
    assert frame_of("Which oral medicine treats gout?", lex).specifics == ["oral"]


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("What should I do if I missed a dose of my pill?", "missed_dose"),
        ("Is ibuprofen better than naproxen?", "comparison"),
        ("Can I take ibuprofen with my blood thinner?", "interactions"),
        ("Is it safe to take sertraline while pregnant?", "pregnancy"),
        ("Does Lexapro have side effects?", "side_effects"),
        ("Who should not take allopurinol?", "contraindications"),
        ("How much colchicine for a flare?", "dose"),
        ("How does metformin work?", "mechanism"),
        ("How long does it take for Wellbutrin to work?", "time_course"),
        ("When should I see a doctor about a headache?", "seek_care"),
        ("How can I prevent kidney stones?", "prevention"),
        ("What tests diagnose gout?", "diagnosis"),
        ("What is the outlook for pancreatic cancer?", "prognosis"),
        ("Is poison ivy contagious?", "causes"),
        ("What are the symptoms of lupus?", "symptoms"),
        ("How is PID treated?", "treatment"),
        ("What is chlorhexidine?", "what_is"),
        ("Lupus", "general"),
    ],
)
def test_question_types(question: str, qtype: str) -> None:
    assert qtype_of(question) == qtype


def test_about_and_passage_about(lex: Lexicon) -> None:
    pid = frame_of("How is PID treated?", lex).focus
    assert pid is not None
    assert about(pid, "Antibiotics treat PID.") and about(pid, "Pelvic inflammatory diseases are infections.")
    assert not about(pid, "Mean platelet volume predicts ARDS.")
    assert passage_about(pid, "", source_id="medquad:mp_1")
    assert passage_about(pid, "Pelvic Inflammatory Disease (PID)")
    assert not passage_about(pid, "Acute respiratory distress syndrome")


def test_the_question_reduced_to_focus_and_type_is_worded_as_the_library_words_it(lex: Lexicon) -> None:
    """The canonical form retrieval matches against MedQuAD's questions and the readers' implicit ones (#13)."""
    assert question_for("gout", "treatment") == "What are the treatments for gout?"
    assert question_for("gout", "no such type") == "What is gout?"
    rambling = (
        "big toe My dad's big toe is red and hot since Sunday, the doctor said gout. He takes pills for his "
        "heart already. What causes this?"
    )
    assert canonical_question(frame_of(rambling, lex)) == "What causes gout?"
    assert canonical_question(frame_of("Does Lexapro cause weight gain as a side effect?", lex)) == (
        "What are the side effects of escitalopram?"
    )
    assert canonical_question(frame_of("What should I eat this week?", lex)) is None
