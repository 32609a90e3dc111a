"""Follow-up questions: turn "what about in pregnancy?" into a question that stands on its own."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from medora.models import Turn

FOLLOW_UP_START = re.compile(
    r"^(and|but|also|so|what about|how about|what if|and if|in|for|during|with|without|is it|is that|does it|"
    r"can it|can i|should i|should it|how long|how often|how much|which|why|when|same|then|ok|okay)\b",
    re.I,
)
PRONOUN = re.compile(r"\b(it|this|that|these|those|they|them|the dose|the treatment|the drug|the same)\b", re.I)


class Conversation(BaseModel):
    """A thread of turns; the web layer stores it, `ask()` reads it."""

    id: str = ""
    audience: str = "clinician"
    turns: list[Turn] = Field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None


def needs_context(question: str, names_topic: bool) -> bool:
    words = question.split()
    if names_topic:
        return False
    return len(words) <= 6 or bool(FOLLOW_UP_START.match(question.strip())) or bool(PRONOUN.search(question))


def standalone(question: str, conversation: Conversation | None, names_topic: bool) -> str:
    """Prefix the thread's subject to a follow-up that leans on it; leave self-contained questions alone."""
    if conversation is None or conversation.last is None or not needs_context(question, names_topic):
        return question
    last = conversation.last
    subject = last.title or last.standalone_question
    return f"{subject}: {question.strip()}"
