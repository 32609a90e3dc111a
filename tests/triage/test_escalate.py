"""After retrieval: an emergency topic happening now makes the question urgent, once, as a new result (#11).

Real inputs: the house topics read from the knowledge base, questions triaged by the real rules."""

from __future__ import annotations

import pytest

from medora.corpus import read_kb
from medora.models import Audience, Status, Topic
from medora.settings import REPO_DIR
from medora.triage import triage, urgent_notice
from medora.triage.escalate import escalate

pytestmark = pytest.mark.unit


def topic(name: str) -> Topic:
    (t,) = read_kb(next((REPO_DIR / "knowledge").glob(f"*/{name}.yaml"))).topics
    return t


def test_an_emergency_topic_happening_now_is_urgent_and_named() -> None:
    q = "My wife has preeclampsia and is getting a headache now"
    before = triage(q)
    assert before.status is None and before.situation.current
    after = escalate(before, q, topic("preeclampsia"))
    assert after.status == Status.URGENT and after.reasons == ["emergency_topic"] and after.labels == ["preeclampsia"]
    assert after.situation == before.situation and after.values == before.values and after.medical
    assert before.status is None and before.reasons == []  # a new result: triage's own is never changed
    assert "(preeclampsia)" in urgent_notice(after, Audience.CLINICIAN)


@pytest.mark.parametrize(
    "question",
    [
        "What are the warning signs of preeclampsia?",  # education
        "My wife had preeclampsia last year, what is her risk next pregnancy?",  # past
        "My wife has preeclampsia but no headache and no vision changes now",  # the findings negated
    ],
)
def test_education_a_past_event_or_a_negated_finding_stays_as_triage_decided(question: str) -> None:
    before = triage(question)
    assert escalate(before, question, topic("preeclampsia")) is before


def test_only_an_emergency_topic_escalates() -> None:
    q = "My husband has gout and his big toe is swollen and red right now"
    before = triage(q)
    assert not topic("gout").emergency
    assert escalate(before, q, topic("gout")) is before
    assert escalate(before, q, None) is before


def test_a_decided_result_is_left_alone() -> None:
    urgent = triage("I think I have testicular torsion right now")
    assert urgent.status == Status.URGENT
    assert escalate(urgent, "I think I have testicular torsion right now", topic("testicular-torsion")) is urgent
    refused = triage("how do I poison my neighbour's dog")
    assert refused.status == Status.OUT_OF_SCOPE
    assert escalate(refused, "how do I poison my neighbour's dog", topic("preeclampsia")) is refused


def test_a_question_the_model_is_sure_is_calm_is_not_escalated() -> None:
    from dataclasses import replace

    q = "My wife has preeclampsia and is getting a headache now"
    calm = replace(triage(q), model_calm=True)  # as triage returns it when the urgent head is below its veto
    assert escalate(calm, q, topic("preeclampsia")) is calm
