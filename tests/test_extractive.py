"""Extractive sentence choice: sentences that cannot stand alone never become bullets."""

from __future__ import annotations

import pytest

from medora.compose.extractive import candidates, sentence_spans
from medora.models import Hit, Passage, Source

pytestmark = pytest.mark.unit

# Written in the style of an NIH patient page (GARD/NHLBI), sentence by sentence.
PAGE = (
    "Marfan syndrome is an inherited disorder of connective tissue that affects the heart, eyes and skeleton. "
    "The Human Phenotype Ontology provides the following list of signs and symptoms for Marfan syndrome. "
    "These complications are common in people who have Marfan syndrome. "
    "Not everyone who has these traits has Marfan syndrome. "
    "A doctor diagnoses Marfan syndrome with "
    "\n- a family history\n- an eye exam\n"
    "An echocardiogram of the aorta is the key test for Marfan syndrome because aortic dissection is its main risk. "
    "Symptoms of Marfan syndrome include:\n- tall, thin build\n- long arms and fingers\n- lens dislocation\n"
)


def test_sentences_that_lean_on_missing_text_are_left_out() -> None:
    source = Source(
        id="medquad:nhlbi-marfan", type="Patient information", title="Marfan syndrome", organization="NHLBI"
    )
    hit = Hit(passage=Passage(id="p1", source_id=source.id, text=PAGE), source=source, score=1.0)
    chosen = [c.text for c in candidates(["marfan", "syndrome", "symptoms", "diagnosis"], [hit])]
    assert (
        "Marfan syndrome is an inherited disorder of connective tissue that affects the heart, eyes and "
        "skeleton." in chosen
    )
    assert any(t.startswith("An echocardiogram of the aorta") for t in chosen)
    assert "Symptoms of Marfan syndrome include: tall, thin build; long arms and fingers; lens dislocation." in chosen
    assert "A doctor diagnoses Marfan syndrome with: a family history; an eye exam." in chosen
    for junk in ("the following list", "These complications", "these traits"):
        assert not any(junk in t for t in chosen), junk


@pytest.mark.unit
def test_a_label_sentence_loses_its_run_in_heading_and_section_pointers() -> None:
    from medora.compose.extractive import label_sentence

    assert label_sentence(
        "Heart Failure In patients with systolic heart failure treated for up to four years, 11% stopped therapy."
    ).startswith("In patients with systolic heart failure")
    assert label_sentence(
        "1.4 Treatment of Pulmonary Embolism ELIQUIS is indicated for the treatment of adults with pulmonary embolism."
    ).startswith("ELIQUIS is indicated")
    assert label_sentence(
        "Suicidal Thoughts and Behaviors Advise patients and caregivers to look for suicidal ideation "
        "[see Warnings and Precautions (5.1)]."
    ) == ("Advise patients and caregivers to look for suicidal ideation.")
    assert (
        label_sentence(
            "Other Serotonergic Drugs Clinical Impact: Concomitant use raises the risk of serotonin syndrome."
        )[:15]
        == "Concomitant use"
    )
    # a sentence that starts as sentences do is left alone, and a run of Highlights items is no sentence at all
    plain = "The most common adverse reactions are headache, dizziness and cough in adults."
    assert label_sentence(plain) == plain
    assert (
        label_sentence("Start at 500 mg (2.1) Assess renal function before use (2.3) Stop if eGFR is low (2.4)") == ""
    )


@pytest.mark.unit
def test_no_sentence_ends_at_an_abbreviation() -> None:
    text = "Avoid St. John's wort with this medicine. Ask Dr. Patel about the dose. Next sentence here."
    assert [text[a:b] for a, b in sentence_spans(text)] == [
        "Avoid St. John's wort with this medicine.",
        "Ask Dr. Patel about the dose.",
        "Next sentence here.",
    ]
