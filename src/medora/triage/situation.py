"""The situation a question describes: who, when, and what is asked.

An emergency happening now is urgent; the same emergency asked about as education, a dosing reference,
prevention, or a past event is answered normally (red flags first, and one line on what to do if it is
happening now). The cues are ConText-style trigger lists (Harkema et al. 2009: historical, hypothetical,
other-experiencer), kept as readable patterns.

Usage example::

    situation("what is the IV labetalol dose in a hypertensive emergency?").asked   # Asked.REFERENCE
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from medora.text import plain
from medora.triage.values import ClinicalValue, critical


class Who(str, Enum):
    ASKER = "asker"
    OTHER = "someone with them"
    PATIENT = "a patient in front of a clinician"
    NOBODY = "nobody in particular"


class When(str, Enum):
    NOW = "now or ongoing"
    PAST = "in the past or resolved"
    HYPOTHETICAL = "hypothetical"
    UNSTATED = "unstated"


class Asked(str, Enum):
    ACT = "what to do now"
    EDUCATION = "education"
    REFERENCE = "a dosing or reference question"
    PREVENTION = "prevention"
    OTHER = "other"


@dataclass(frozen=True)
class Situation:
    who: Who
    when: When
    asked: Asked

    @property
    def current(self) -> bool:
        """Something is happening to a real person now (or the asker wants to know what to do now)."""
        if self.when in (When.PAST, When.HYPOTHETICAL):
            return False
        if self.asked in (Asked.EDUCATION, Asked.REFERENCE, Asked.PREVENTION):
            return self.when == When.NOW and self.who != Who.NOBODY
        return self.who != Who.NOBODY or self.when == When.NOW or self.asked == Asked.ACT

    asks_generally: bool = False  # worded as a general question ("what are...", "how is...", "explain...")

    @property
    def general(self) -> bool:
        """An education, reference or prevention question about nobody in particular, nothing happening now,
        worded as a question (a case described in shorthand, "anaphylaxis with stridor: dosing?", is not)."""
        return (
            self.asks_generally
            and not self.current
            and self.asked in (Asked.EDUCATION, Asked.REFERENCE, Asked.PREVENTION)
        )


_ASKER = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|myself|mine)\b")
_OTHER = re.compile(
    r"\b(?:my|our) (?:\w+ )?(?:son|daughter|child|kid|kids|baby|toddler|infant|newborn|boy|girl|wife|husband|partner|"
    r"boyfriend|girlfriend|mum|mom|mother|dad|father|papa|grandma|grandmother|grandpa|grandfather|nan|brother|sister|"
    r"friend|roommate|neighbou?r|uncle|aunt|cousin|colleague|coworker|grandson|granddaughter|niece|nephew|fiance|fiancee)\b|"
    r"\b(?:he|she|they) (?:is|are|was|has|have|had|can'?t|won'?t|keeps?|just)\b|\b(?:he's|she's|they're)\b"
)
_PATIENT = re.compile(
    r"\b(?:pt|pts|patient|my patient|our patient|the patient|this patient|a patient who)\b|"
    r"\b[0-9]{1,3} ?(?:yo|y/o|y\.o\.|yr old|year[- ]old)\b|\b[0-9]{1,3} ?[mf]\b|\b[0-9]{1,3}(?:m|f|yom|yof)\b|"
    r"\b(?:presents?|presenting|presented|admitted|on the ward|in (?:the )?(?:ed|er|resus|icu|clinic)|on exam|o/e|obs|vitals|bloods|abg|vbg|ecg shows)\b"
)
_PAST = re.compile(
    r"\b(?:years? ago|months? ago|last (?:year|month|summer|winter|spring|autumn|fall)|in (?:19|20)[0-9]{2}|as a (?:child|kid|teenager)|"
    r"when i was (?:young|a|little|pregnant)|history of|previous(?:ly)?|prior|used to|had (?:a|an) .{0,40} (?:ago|last|before|in the past)|"
    r"in the past|recovered|since recovered|resolved|went away|is over now|after (?:my|his|her) (?:heart attack|stroke|surgery) (?:last|in|years?)|"
    r"survivor|survived|once had|back when)\b"
)
_HYPO = re.compile(
    r"\b(?:what if|if (?:someone|somebody|a person|a patient|a child|a baby|you|one|i ever|he ever|she ever)|suppose|hypothetical\w*|"
    r"in case|just in case|should i ever|would (?:i|you) (?:know|tell|recogni[sz]e)|how (?:would|do) (?:i|you|one) (?:know|tell|recogni[sz]e|spot)|"
    r"what should (?:i|we|you) do if|what to do if|when should (?:i|you|someone|we) (?:call|go|seek|worry)|"
    r"when (?:is|does) .{0,40} (?:an emergency|need)|for (?:an? )?(?:exam|test|class|course|osce|assignment|essay|project)|"
    r"(?:i'?m|i am) (?:a )?(?:student|writing|studying|revising)|teaching|lecture|curious|wondering)\b"
)
_NOW = re.compile(
    r"\b(?:right now|now|currently|at the moment|atm|rn|tonight|this (?:morning|afternoon|evening)|today|since (?:this|last night|yesterday|an hour)|"
    r"just (?:now|started|happened|collapsed|fell|took|swallowed|drank|ate)|(?:minutes?|mins?|hours?|hrs?) ago|for the (?:last|past) (?:hour|few|couple|[0-9]+)|"
    r"is (?:having|getting|becoming|turning|going|not|still)|are (?:having|getting)|keeps?|won'?t stop|can'?t stop|still|started|suddenly|"
    r"is (?:in|on) (?:the )?(?:floor|ground|bed)|help|hurry|please help|asap|urgent|emergency|what do (?:i|we) do|what should (?:i|we) do)\b"
)
_ACT = re.compile(
    r"\b(?:what (?:do|should|can) (?:i|we) do|should (?:i|we) (?:go|call|take (?:him|her|them)|drive)|do (?:i|we) (?:need to )?(?:go|call)|"
    r"is (?:this|it) (?:an emergency|serious|bad|normal|dangerous)|help me|please help|need help|what now|go to (?:the )?(?:er|ed|a&e|hospital)|"
    r"call (?:911|999|112|an ambulance)|next steps?|management\?|how (?:do|should) (?:i|we) (?:manage|treat) (?:this|him|her|it))\b"
)
_EDU = re.compile(
    r"\b(?:what (?:are|is) (?:the )?(?:signs?|symptoms?|features?|criteria|causes?|definition|difference|treatment|management|"
    r"first[- ]line|guidelines?|prognosis|mechanism|pathophysiology|risk factors?|complications?|normal range|range|threshold|cut-?off|"
    r"warning signs?|red flags?)|what (?:is|are) (?:a |an )?\w+(?: \w+)?\?|explain|tell me about|overview|how (?:is|are) .{0,50} "
    r"(?:treated|diagnosed|managed|defined|caused|classified)|how (?:do|does) .{0,40} (?:work|happen|present)|why (?:does|do|is|are)|"
    r"define|describe|what does .{0,40} mean|what level|what .{0,20} (?:level|value) is (?:dangerous|critical|too high|too low)|"
    r"signs of|symptoms of|can .{0,40} cause|is .{0,30} (?:contagious|hereditary|genetic|curable))\b"
)
_REF = re.compile(
    r"\b(?:dose|dosing|dosage|mg/kg|mcg/kg|units/kg|infusion rate|loading dose|maximum dose|max dose|regimen|first[- ]line|"
    r"second[- ]line|drug of choice|how much .{0,30} (?:give|should be given)|indications? for|contraindications? to|protocol for|"
    r"guideline for|algorithm for|what (?:antibiotic|drug|medication|fluid)s? (?:is|are|do|should))\b"
)
_PREVENT = re.compile(
    r"\b(?:prevent\w*|prevention|avoid(?:ing)?|reduce (?:the |my |his |her )?risk|lower (?:the |my )?risk|risk of|screen\w*|"
    r"vaccin\w*|prophyla\w*|protect (?:myself|him|her|them)|keep .{0,30} (?:safe|from))\b"
)


_OPENER = re.compile(
    r"(?:(?:hi|hello|quick question|question|q)[,:!.]? )?(?:what|what's|whats|how|when|which|why|where|who|can|could|is|are|"
    r"does|do|should|would|tell me|explain|describe|list|define|give me|please (?:explain|list|describe))\b"
)


def situation(question: str) -> Situation:
    t = plain(question)
    if _PATIENT.search(t):
        who = Who.PATIENT
    elif _OTHER.search(t):
        who = Who.OTHER
    elif _ASKER.search(t):
        who = Who.ASKER
    else:
        who = Who.NOBODY
    if _HYPO.search(t):
        when = When.HYPOTHETICAL
    elif _NOW.search(t):
        when = When.NOW
    elif _PAST.search(t):
        when = When.PAST
    else:
        when = When.UNSTATED
    if _ACT.search(t):
        asked = Asked.ACT
    elif _PREVENT.search(t):
        asked = Asked.PREVENTION
    elif _REF.search(t):
        asked = Asked.REFERENCE
    elif _EDU.search(t):
        asked = Asked.EDUCATION
    else:
        asked = Asked.OTHER
    return Situation(who, when, asked, bool(_OPENER.match(t)))


_CLAUSE = re.compile(r"[.;!?](?:\s|$)|\n|\bbut\b|\bnow\b")


def in_the_past(text: str, fragment: str) -> bool:
    """Whether the clause that holds `fragment` speaks of the past ("K 6.8 two years ago; ...")."""
    t = plain(text)
    for clause in _CLAUSE.split(t):
        if fragment in clause:
            return bool(_PAST.search(clause) or _HYPO.search(clause))
    return False


def current_critical(text: str, values: list[ClinicalValue], sit: Situation) -> list[ClinicalValue]:
    """The critical values that describe now: none in a question about the past, none in a past clause."""
    if sit.when == When.PAST:
        return []
    return [v for v in critical(values) if not in_the_past(text, v.text)]
