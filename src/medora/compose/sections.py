"""Section kinds, their headings for each audience, and their order for each question intent."""

from __future__ import annotations

import re

from medora.models import Audience

HEADINGS: dict[str, tuple[str, str]] = {  # kind -> (clinician, patient)
    "red_flags": ("Red flags and immediate assessment", "When to get medical help right away"),
    "workup": ("Initial workup and investigations", "Tests you may need"),
    "management": ("First-line management", "Treatment"),
    "supportive": ("Supportive care", "Looking after yourself"),
    "prevention": ("Prevention and secondary prevention", "Preventing it, or stopping it coming back"),
    "prognosis": ("Expected course", "What to expect"),
    "escalation": ("When to escalate or refer", "When more treatment may be needed"),
    "pitfalls": ("Pitfalls to avoid", "Things to watch out for"),
    "surgery": ("Surgical and procedural options", "Operations and procedures"),
    "follow_up": ("Follow-up", "Check-ups"),
    "background": ("Background", "Good to know"),
}

INTENT_PATTERNS: tuple[tuple[str, str], ...] = (
    ("dose", r"\b(dose|dosage|dosing|how much|mg|regimen)\b"),
    ("prevention", r"\b(prevent\w*|prophyla\w*|screen\w*|reduce (the )?risk|avoid getting|vaccin\w*)\b"),
    (
        "prognosis",
        r"\b(prognosis|outlook|surviv\w*|life expectancy|how long (will|does|until)|recover\w*|natural history|expected course)\b",
    ),
    (
        "diagnosis",
        r"\b(diagnos\w*|work-?up|test\w*|imaging|evaluat\w*|assess\w*|investigat\w*|how do (i|you) know|rule out)\b",
    ),
    ("symptoms", r"\b(symptom\w*|signs?|present\w*|feel like|what does .* look like)\b"),
    ("causes", r"\b(cause\w*|why do|risk factors?|who gets|inherit\w*|genetic\w*)\b"),
    (
        "treatment",
        r"\b(treat\w*|manag\w*|therap\w*|approach|medication\w*|drugs?|cure|first[- ]line|what should (i|we) do|surgery|help with)\b",
    ),
)

ORDER: dict[str, tuple[str, ...]] = {
    "treatment": (
        "red_flags",
        "workup",
        "management",
        "supportive",
        "prevention",
        "prognosis",
        "escalation",
        "pitfalls",
        "surgery",
        "follow_up",
        "background",
    ),
    "dose": (
        "red_flags",
        "management",
        "escalation",
        "pitfalls",
        "supportive",
        "workup",
        "prevention",
        "follow_up",
        "prognosis",
        "surgery",
        "background",
    ),
    "diagnosis": (
        "red_flags",
        "workup",
        "pitfalls",
        "background",
        "management",
        "escalation",
        "prognosis",
        "follow_up",
        "supportive",
        "prevention",
        "surgery",
    ),
    "symptoms": (
        "red_flags",
        "background",
        "workup",
        "pitfalls",
        "management",
        "escalation",
        "prognosis",
        "supportive",
        "prevention",
        "follow_up",
        "surgery",
    ),
    "prognosis": (
        "red_flags",
        "prognosis",
        "follow_up",
        "management",
        "escalation",
        "background",
        "workup",
        "supportive",
        "prevention",
        "pitfalls",
        "surgery",
    ),
    "prevention": (
        "red_flags",
        "prevention",
        "background",
        "workup",
        "management",
        "follow_up",
        "pitfalls",
        "supportive",
        "escalation",
        "prognosis",
        "surgery",
    ),
    "causes": (
        "red_flags",
        "background",
        "prevention",
        "workup",
        "management",
        "prognosis",
        "pitfalls",
        "escalation",
        "supportive",
        "follow_up",
        "surgery",
    ),
    "general": (
        "red_flags",
        "background",
        "workup",
        "management",
        "supportive",
        "prevention",
        "prognosis",
        "escalation",
        "pitfalls",
        "surgery",
        "follow_up",
    ),
}

TITLE_PREFIX = {
    "treatment": "Management of",
    "dose": "Dosing and treatment of",
    "diagnosis": "Diagnosis of",
    "symptoms": "Recognising",
    "prognosis": "Outlook for",
    "prevention": "Prevention of",
    "causes": "Causes and risk factors of",
    "general": "Overview of",
}


def intent_of(question: str) -> str:
    q = question.lower()
    for name, pattern in INTENT_PATTERNS:
        if re.search(pattern, q):
            return name
    return "general"


def heading(kind: str, audience: Audience) -> str:
    clinician, patient = HEADINGS.get(kind, (kind.replace("_", " ").capitalize(),) * 2)
    return patient if audience == Audience.PATIENT else clinician


# Cue words that place an extracted sentence (from a source without section kinds) in a section.
KIND_CUES: tuple[tuple[str, str], ...] = (
    (
        "red_flags",
        r"\b(emergency|call 911|immediately|right away|urgent\w*|seek (medical )?(care|help|attention)|life-threatening|red flags?)\b",
    ),
    ("surgery", r"\b(surg\w*|resection|\w+ectomy|transplant\w*|operation|procedure)\b"),
    ("prevention", r"\b(prevent\w*|screening|vaccin\w*|reduce (the )?risk|risk reduction|prophyla\w*)\b"),
    ("prognosis", r"\b(prognos\w*|surviv\w*|outlook|mortality|recurr\w*|life expectancy|natural history|5-year)\b"),
    (
        "workup",
        r"\b(diagnos\w*|test\w*|imaging|biopsy|scan|x-ray|mri|ct scan|ultrasound|blood tests?|exam\w*|staging)\b",
    ),
    ("management", r"\b(treat\w*|therap\w*|chemotherapy|radiation|medication\w*|drug\w*|dose\w*|mg|manag\w*)\b"),
    ("supportive", r"\b(support\w*|cop\w*|lifestyle|diet|exercise|rest|self-care|palliat\w*)\b"),
    ("follow_up", r"\b(follow-?up|monitor\w*|surveillance)\b"),
)
QTYPE_KIND = {
    "treatment": "management",
    "exams and tests": "workup",
    "outlook": "prognosis",
    "prevention": "prevention",
    "symptoms": "background",
    "susceptibility": "background",
    "causes": "background",
    "information": "background",
    "stages": "workup",
    "research": "background",
    "inheritance": "background",
    "frequency": "background",
    "genetic changes": "background",
    "complications": "prognosis",
    "considerations": "management",
    "support groups": "supportive",
}


def kind_of_sentence(sentence: str, heading_text: str, qtype: str | None, default: str | None) -> str:
    if default:
        return default
    s = sentence.lower()
    if re.search(KIND_CUES[0][1], s):
        return "red_flags"
    if qtype and qtype in QTYPE_KIND:
        return QTYPE_KIND[qtype]
    h = heading_text.lower()
    for kind, cue in KIND_CUES[1:]:
        if re.search(cue, h):
            return kind
    for kind, cue in KIND_CUES[1:]:
        if re.search(cue, s):
            return kind
    return "background"
