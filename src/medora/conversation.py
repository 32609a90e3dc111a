"""Follow-up questions: turn "what about in pregnancy?" into a question that stands on its own.

A follow-up that adds a population, a condition the patient has, a drug or a setting modifies the previous
question ("How is an acute gout flare treated?" + "and if the patient has stage 4 CKD?" asks about gout
flares in advanced CKD, not about CKD); one that names another subject on its own ("what about lupus?")
asks the previous question about it; a full question on its own subject stands alone (#13).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from medora.models import Turn
from medora.question import QuestionFrame

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


# "and if", "what about": the words that open a follow-up, dropped when it is joined to the previous question
OPENER = re.compile(r"^(and what about|what about|how about|and|but|also|so|ok(ay)?|then)\b[\s,]*", re.I)
# The follow-up swaps the subject: "what about lupus?", "and for asthma?"
SWAP = re.compile(
    r"^(and |but )?(what|how) about (for |with )?(a |an |the )?[\w' -]+\??$|^(and|or) (for )?[\w' -]+\?$", re.I
)
STARTS_QUESTION = re.compile(r"^(how|what|why|when|where|which|who|is|are|can|could|does|do|should|will|would)\b", re.I)


def standalone(
    question: str,
    conversation: Conversation | None,
    names_topic: bool = False,
    understand: Callable[[str], QuestionFrame] | None = None,
) -> str:
    """The follow-up as a question that stands on its own; self-contained questions are left alone.

    With `understand` (the engine's `frame`), the follow-up's focus decides: none, the same one, or another
    named as a condition the patient has (after "has", "with") -> it modifies the previous question; another
    named alone ("what about lupus?") -> the previous question about it; otherwise it stands alone.
    """
    if conversation is None or conversation.last is None:
        return question
    last = conversation.last
    if understand is None:
        if not needs_context(question, names_topic):
            return question
        return f"{last.title or last.standalone_question}: {question.strip()}"
    new, prev = understand(question), understand(last.standalone_question)
    if prev.focus is None:  # the thread has no named subject: lean on its title as before
        return (
            f"{last.title or last.standalone_question}: {question.strip()}"
            if needs_context(question, False)
            else question
        )
    asked = [m for m in new.mentions if not m.context]
    if new.focus is not None and new.focus.key == prev.focus.key and not PRONOUN.search(question):
        return question  # it names its subject itself
    if new.focus is None or not asked:
        # nothing new named, or another condition only as the patient's ("if he has CKD"): it modifies the question
        return _joined(last.standalone_question, question) if needs_context(question, False) or new.focus else question
    if SWAP.match(question.strip()) and prev.said:  # "what about lupus?": the same question about lupus
        said = re.compile(rf"\b(?:an?\s+|the\s+)?{re.escape(prev.said)}", re.I)
        swapped = said.sub(new.said, last.standalone_question, count=1)
        return swapped if swapped != last.standalone_question else f"{question.strip()} ({last.standalone_question})"
    if PRONOUN.search(question) or (FOLLOW_UP_START.match(question.strip()) and not STARTS_QUESTION.match(question)):
        return _joined(last.standalone_question, question)  # "is ibuprofen ok with it?", "and with warfarin?"
    return question  # a question of its own about something else


def _joined(previous: str, follow_up: str) -> str:
    """ "How is an acute gout flare treated?" + "and if the patient has stage 4 CKD?" ->
    "How is an acute gout flare treated, if the patient has stage 4 CKD?"."""
    rest = re.sub(r"^(what|and|but|so) if\b", "if", follow_up.strip(), flags=re.I)
    rest = OPENER.sub("", rest).strip() or follow_up.strip()
    if rest.lower().startswith(("is it", "does it", "can it", "is that", "can i", "should i", "how long", "how often")):
        return f"{previous.strip()} {rest}"
    return f"{previous.strip().rstrip('?.! ')}, {rest[:1].lower() + rest[1:]}"
