"""After retrieval, once: an emergency topic happening now to a real person makes the question urgent (#11).

Triage runs before retrieval and cannot know that "my husband's face is drooping on one side" is about a
house topic marked as an emergency (stroke). When retrieval picks such a topic and the question reads as
happening now, `escalate` returns a new, urgent result that names the topic; education about the topic
("what are the signs of a stroke?"), a past event, a negated finding, or a question the learned model is sure
describes nothing happening now, stays as triage decided.

Usage example::

    t = escalate(triage(question), question, found.topic)
    t.status, t.reasons      # Status.URGENT, ['emergency_topic']
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from medora.models import Status, Topic
from medora.text import FINDING_NEGATION

if TYPE_CHECKING:
    from medora.triage import Triage


def escalate(result: Triage, question: str, topic: Topic | None) -> Triage:
    """`result` made urgent when the question's topic is an emergency happening now; otherwise `result` itself."""
    if topic is None or not topic.emergency or result.status is not None:
        return result  # no emergency topic, or triage has decided already (urgent or refused)
    if result.model_calm:
        return result  # the learned model is sure nothing is happening now (#12)
    if not result.situation.current or FINDING_NEGATION.search(question.lower()):
        return result  # education about it, a past event, or "no chest pain"
    return replace(
        result, status=Status.URGENT, reasons=["emergency_topic"], labels=[topic.title.lower()], medical=True
    )
