"""Patient answers read plainly (#13, second pass): shorter answers from passages, the plainest sentences of the
best-ranked ones, joined clauses split, label cross-references dropped, more everyday words; a drug label
never answers a question about another drug."""

from __future__ import annotations

import re

import pytest

from medora.compose.audience import (
    drop_cross_references,
    plain,
    shorter,
    split_joined,
)

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
