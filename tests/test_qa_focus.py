"""Focused answers on the small index: on-topic bullets, titles from focus and type, follow-ups (#13)."""

from __future__ import annotations

import pytest

from medora.conversation import Conversation
from medora.eval.kqa import off_topic
from medora.models import Turn
from medora.qa import ask, get_engine
from medora.settings import Settings

pytestmark = pytest.mark.integration


def test_a_follow_up_naming_a_comorbidity_keeps_the_subject(index_settings: Settings) -> None:
    first_q = "How is an acute gout flare treated?"
    first = ask(first_q, settings=index_settings)
    conv = Conversation(
        turns=[Turn(question=first_q, standalone_question=first_q, topic=first.topic, title=first.title)]
    )
    follow = ask("and if the patient has stage 4 CKD?", conversation=conv, settings=index_settings)
    assert follow.topic == "gout" and follow.title == "Treatment of gout with kidney impairment"
    assert "kidney" in follow.summary.text.lower()
    assert follow.sections[0].heading == "What changes: kidney impairment"


def test_a_narrow_house_question_leads_with_the_statement_that_answers_it(index_settings: Settings) -> None:
    a = ask("How is gout diagnosed?", settings=index_settings)
    assert a.title == "Diagnosis of gout" and a.topic == "gout"
    assert "crystal" in a.summary.text.lower()  # a diagnostic statement, not the topic's treatment summary


def test_every_bullet_is_about_the_focus(index_settings: Settings) -> None:
    engine = get_engine(index_settings)
    for q in ("What causes kidney stones?", "How is celiac disease diagnosed?"):
        a = ask(q, audience="patient", settings=index_settings)
        frame = engine.frame(q)
        assert frame.focus is not None and a.status == "answered", (q, a.status)
        assert a.title.lower().endswith(frame.focus.name.lower())
        assert off_topic(a, frame, engine.reader) == [], q


def test_no_drug_label_answers_a_question_about_another_drug(index_settings: Settings) -> None:
    # the small index holds labels for lisinopril, apixaban, fluoxetine and others, but none for these drugs
    for q in ("What is the normal daily amount of Ativan?", "Does Flomax lower blood pressure?"):
        for audience in ("clinician", "patient"):
            a = ask(q, audience=audience, settings=index_settings)
            assert not [r.title for r in a.references if r.type == "Drug label"], (q, audience)
    named = ask("Can I take lisinopril while pregnant?", audience="patient", settings=index_settings)
    assert {r.type for r in named.references} == {"Drug label"}  # a question naming the drug still gets its label
