"""Keep an answer on the question's focus and lead with what was asked (#13).

* `on_topic`: a sentence may supply a bullet only if it, or the passage it comes from, is about the focus;
* `rank`: sentences scored by the question embedding's similarity to their passage (a house statement is
  one sentence, so there it is the sentence's own), lexical overlap and the question type, then picked
  with maximal marginal relevance (MMR; Carbonell & Goldstein 1998) so the bullets do not repeat each other;
* `narrow_statements`: the house statements that answer a narrow question ("how is gout diagnosed?"),
  best first; broad "approach to / management of X" questions keep the whole article.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from medora.compose.extractive import Candidate
from medora.compose.sections import kind_of_sentence
from medora.models import Passage, Source, SourceType
from medora.question import QuestionFrame, about, passage_about
from medora.text import alnum_words, content_terms

T = TypeVar("T")

# Question type -> the compose intent whose section order fits it (sections.ORDER).
INTENT = {
    "treatment": "treatment",
    "dose": "dose",
    "missed_dose": "dose",
    "side_effects": "treatment",
    "interactions": "treatment",
    "contraindications": "treatment",
    "comparison": "treatment",
    "diagnosis": "diagnosis",
    "symptoms": "symptoms",
    "seek_care": "symptoms",
    "prognosis": "prognosis",
    "time_course": "prognosis",
    "prevention": "prevention",
    "causes": "causes",
}
# Question type -> the house statement kinds that answer it.
KINDS = {
    "dose": ("management", "escalation"),
    "missed_dose": ("management",),
    "side_effects": ("pitfalls", "management"),
    "interactions": ("pitfalls", "management"),
    "contraindications": ("pitfalls", "management"),
    "pregnancy": ("management", "pitfalls"),
    "mechanism": ("background", "management"),
    "time_course": ("prognosis", "follow_up", "management"),
    "diagnosis": ("workup", "red_flags", "pitfalls"),
    "causes": ("background", "prevention"),
    "prognosis": ("prognosis", "follow_up"),
    "prevention": ("prevention",),
    "seek_care": ("red_flags", "escalation"),
    "symptoms": ("red_flags", "background", "workup"),
    "comparison": ("management",),
    "treatment": ("management", "supportive", "escalation", "surgery"),
}
# MedQuAD question types that answer each kind of question.
QTYPES = {
    "treatment": {"treatment", "considerations"},
    "diagnosis": {"exams and tests", "stages"},
    "symptoms": {"symptoms"},
    "seek_care": {"symptoms", "considerations"},
    "causes": {"causes", "susceptibility", "inheritance", "genetic changes", "transmission"},
    "prognosis": {"outlook", "complications"},
    "time_course": {"outlook"},
    "prevention": {"prevention"},
    "what_is": {"information"},
    "general": {"information"},
}


def intent_for(frame: QuestionFrame) -> str:
    return INTENT.get(frame.qtype, "general")


def on_topic(frame: QuestionFrame, cands: list[Candidate]) -> list[Candidate]:
    """Sentences about the question's focus: from a passage about it, or naming it themselves."""
    focus = frame.focus
    if focus is None:  # a drug label speaks of its own drug only: it answers no question that does not name it
        return [c for c in cands if c.source.type != SourceType.DRUG_LABEL or names_label_drug(frame.text, c.source)]
    return [
        c
        for c in cands
        if passage_about(focus, c.passage.meta.get("focus") or c.source.title, c.passage.topic, c.source.id)
        or about(focus, c.text)
    ]


def names_label_drug(text: str, source: Source) -> bool:
    """Whether the text names the drug of a drug-label source (a generic, substance or brand name the label
    gives), as whole words."""
    extra = source.extra
    names = [n for key in ("names", "brand_names") for n in (extra.get(key) or "").split("|")]
    names += [extra.get(key) or "" for key in ("generic_name", "brand_name", "substance_name")]
    said = f" {' '.join(alnum_words(text))} "
    return any(f" {' '.join(words)} " in said for n in names if (words := alnum_words(n)))


def rank(frame: QuestionFrame, cands: list[Candidate], similarity: dict[str, float], limit: int) -> list[Candidate]:
    """The sentences that best answer the question, diverse, best first."""
    wanted = QTYPES.get(frame.qtype, set())
    kinds = KINDS.get(frame.qtype, ())
    qterms = _asked_terms(frame)

    def score(c: Candidate) -> float:
        sim = similarity.get(c.passage.id, 0.0)
        typed = 0.4 if c.passage.meta.get("qtype") in wanted else 0.0
        kind = kind_of_sentence(c.text, c.passage.heading, c.passage.meta.get("qtype"), c.passage.kind)
        kind_bonus = 0.5 * (len(kinds) - kinds.index(kind)) / len(kinds) if kind in kinds else 0.0
        return c.score + 2.0 * sim + typed + kind_bonus + _overlap(qterms, c.text)

    return mmr(cands, score, lambda c: c.text, limit)


def narrow_statements(
    frame: QuestionFrame, statements: list[Passage], similarity: dict[str, float], limit: int = 6
) -> list[Passage]:
    """House statements answering a narrow question, by similarity to it, its words and its type; diverse."""
    kinds = KINDS.get(frame.qtype, ())
    qterms = _asked_terms(frame)

    def score(p: Passage) -> float:
        kind = 0.25 * (len(kinds) - kinds.index(p.kind)) / len(kinds) if p.kind in kinds else 0.0
        return similarity.get(p.id, 0.0) + 0.3 * _overlap(qterms, p.text) + kind

    return mmr(statements, score, lambda p: p.text, limit)


def mmr(items: Sequence[T], score: Callable[[T], float], text: Callable[[T], str], limit: int) -> list[T]:
    """Maximal marginal relevance: each pick trades its score against its word overlap with earlier picks."""
    scored = {id(it): score(it) for it in items}
    terms = {id(it): set(content_terms(text(it))) for it in items}
    pool = sorted(items, key=lambda it: scored[id(it)], reverse=True)[: limit * 4]
    chosen: list[T] = []
    while pool and len(chosen) < limit:

        def marginal(it: T) -> float:
            mine = terms[id(it)]
            overlap = max((_jaccard(mine, terms[id(o)]) for o in chosen), default=0.0)
            return 0.7 * scored[id(it)] - 0.3 * 2.0 * overlap

        best = max(pool, key=marginal)
        chosen.append(best)
        pool.remove(best)
    return chosen


def nothing_about(frame: QuestionFrame) -> str:
    """The plain "we have nothing on X" answer text, naming what was asked about."""
    name = frame.focus.name if frame.focus else "this"
    return (
        f"We found no source in Medora's library that answers this question about {name}, so we are not giving "
        "an answer rather than guessing from pages about other conditions. Ask a clinician or pharmacist, or "
        "try asking about it in other words."
    )


def _asked_terms(frame: QuestionFrame) -> set[str]:
    """The question's words other than the focus's own names (every candidate is about the focus already)."""
    names = {w for a in (frame.focus.aliases if frame.focus else ()) for w in a.split()}
    return {t for t in content_terms(frame.text) if t not in names}


def _overlap(qterms: set[str], text: str) -> float:
    """Share of the question's words the text uses, by their first five letters ("diagnosed" ~ "diagnosis")."""
    if not qterms:
        return 0.0
    stems = {t[:5] for t in content_terms(text)}
    return sum(t[:5] in stems for t in qterms) / len(qterms)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
