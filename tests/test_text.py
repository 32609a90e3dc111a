"""The text toolkit: each variant does its own job, and the jobs stay apart."""

from __future__ import annotations

import pytest

from medora.text import (
    EDIT_CLAUSE,
    FINDING_NEGATION,
    FUNCTION_WORDS,
    QUERY_STOP_WORDS,
    QUESTION_STOP_WORDS,
    SENTENCE_OR_ITEM,
    STATEMENT_STOP_WORDS,
    ascii_fold,
    clauses,
    content_terms,
    negated,
    sentences,
    singular,
    stem,
)

pytestmark = pytest.mark.unit


def test_query_terms_drop_chit_chat_and_keep_hyphenated_terms() -> None:
    assert content_terms("Hello doctor, what's the best treatment for COVID-19 in my kids?") == [
        "treatment",
        "covid-19",
        "kids",
    ]


def test_stop_word_lists_differ_by_job() -> None:
    assert FUNCTION_WORDS < QUERY_STOP_WORDS and FUNCTION_WORDS < STATEMENT_STOP_WORDS
    assert "doctor" in QUERY_STOP_WORDS and "doctor" not in STATEMENT_STOP_WORDS
    assert "patients" in STATEMENT_STOP_WORDS and "patients" not in QUERY_STOP_WORDS
    # question matching keeps negations: "should I not take aspirin" is another question
    assert not {"not", "no", "never"} & QUESTION_STOP_WORDS


def test_stem_singular_and_fold() -> None:
    assert [stem(w) for w in ("infections", "studies", "gas", "walking")] == ["infection", "study", "gas", "walk"]
    assert [singular(w) for w in ("ulcers", "illness", "gas")] == ["ulcer", "illness", "gas"]
    assert ascii_fold("Sjögren’s") == "sjogrens"


@pytest.mark.parametrize(
    ("text", "finding", "statement"),
    [
        ("no chest pain", True, True),
        ("denies chest pain", True, False),  # a clinical cue: triage reads it, the support judge does not
        ("ruled out a stroke", True, False),
        ("avoid NSAIDs", False, True),  # an instruction cue: the support judge reads it, triage does not
        ("it doesn’t help", False, True),  # typographic apostrophe
        ("chest pain since noon", False, False),
        ("haven't fainted", True, True),  # a negated verb that is the finding
        ("he didnt pass out", True, False),
        ("she hasn't woken up", False, True),  # a negated verb that is itself the finding stays a finding
        ("he didn't breathe for a minute", False, True),
    ],
)
def test_negation_variants(text: str, finding: bool, statement: bool) -> None:
    assert bool(FINDING_NEGATION.search(text.lower())) is finding
    assert negated(text) is statement


def test_sentences_split_before_capitals_and_list_items() -> None:
    text = "Take 5 mg. daily with food. Ask e.g. a nurse.\n- first item\n\nNew paragraph (short)."
    assert sentences(text) == [
        "Take 5 mg. daily with food.",
        "Ask e.g. a nurse.",
        "- first item",
        "New paragraph (short).",
    ]


def test_clauses_by_boundary() -> None:
    assert clauses("Do not stop it; take it with food but not at night", EDIT_CLAUSE) == [
        "Do not stop it",
        "take it with food",
        "not at night",
    ]
    assert clauses("One. two; three - four", SENTENCE_OR_ITEM) == ["One.", "two;", "three", "four"]
