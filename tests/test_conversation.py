"""Follow-ups keep their subject: pairs of first question and follow-up, for several question types (#13)."""

from __future__ import annotations

import pytest

from medora.conversation import Conversation, standalone
from medora.models import Turn
from medora.question import Lexicon, frame_of

pytestmark = pytest.mark.unit

LEX = Lexicon.build(
    topics=[
        ("gout", "Gout", ["acute gout flare"]),
        ("chronic-kidney-disease", "Chronic kidney disease in adults", ["chronic kidney disease", "CKD"]),
        ("asthma", "Asthma in adults", ["asthma"]),
        ("lupus", "Systemic lupus erythematosus", ["lupus"]),
    ],
    conditions=[("Kidney Stones", "medquad:1")],
    synonyms={},
    drugs=[("warfarin", ["coumadin"], ["druglabel:w"])],
)


def understand(q: str):  # noqa: ANN201
    return frame_of(q, LEX)


def follow(first: str, second: str) -> str:
    conv = Conversation(turns=[Turn(question=first, standalone_question=first, title="")])
    return standalone(second, conv, understand=understand)


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # a comorbidity modifies the question, it does not change the subject (issue #13's example)
        (
            "How is an acute gout flare treated?",
            "and if the patient has stage 4 CKD?",
            "How is an acute gout flare treated, if the patient has stage 4 CKD?",
        ),
        ("How is gout diagnosed?", "what about in pregnancy?", "How is gout diagnosed, in pregnancy?"),
        ("What causes asthma?", "and in children?", "What causes asthma, in children?"),
        (
            "What are the symptoms of lupus?",
            "and with chronic kidney disease?",
            "What are the symptoms of lupus, with chronic kidney disease?",
        ),
        ("How can I prevent gout?", "what if I take warfarin?", "How can I prevent gout, if I take warfarin?"),
        (
            "What is the outlook for lupus?",
            "how long does it last?",
            "What is the outlook for lupus? how long does it last?",
        ),
    ],
)
def test_a_modifier_keeps_the_subject(first: str, second: str, expected: str) -> None:
    out = follow(first, second)
    assert out == expected
    assert understand(out).focus == understand(first).focus


def test_another_subject_named_alone_asks_the_same_question_about_it() -> None:
    assert follow("How is an acute gout flare treated?", "what about lupus?") == "How is lupus treated?"


def test_a_question_of_its_own_stands_alone() -> None:
    assert follow("How is gout treated?", "How is asthma diagnosed?") == "How is asthma diagnosed?"
    assert follow("How is gout treated?", "How is gout diagnosed?") == "How is gout diagnosed?"


def test_a_pronoun_leans_on_the_thread() -> None:
    out = follow("How is gout treated?", "Does it cause kidney stones?")
    assert out.startswith("How is gout treated?") and understand(out).focus.topic == "gout"  # type: ignore[union-attr]


def test_without_a_thread_nothing_changes() -> None:
    assert standalone("and in children?", None, understand=understand) == "and in children?"
