"""The retrieval stage, entered once per question (#11): everything the answer is built from, in one typed result.

    query -> expansion -> hybrid search (BM25 + dense + question matching, fused, priors)
          -> a drug named? its FDA label's passages (or the name of a drug we hold no label for)
          -> else the question's frame -> the topic -> the focus's own passages first -> the evidence verdict
          -> Retrieval (with the shelf: the topic's statements and every source a bullet may cite, and the
             question's cosine to each passage compose may rank: the topic's statements, else the hits)

Composition reads the result and nothing else of the index; no later stage queries again or calls back.

Usage example::

    found = engine.retrieve("How is an acute gout flare treated?", triage("How is an acute gout flare treated?"))
    found.verdict, found.topic.title, len(found.hits)     # (Verdict.ENOUGH, 'Gout', 20)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from medora.models import Audience, Hit, Passage, Source, Status, Topic
from medora.question import QuestionFrame
from medora.retrieval.labels import LabelEvidence, label_evidence
from medora.settings import RetrievalSettings

if TYPE_CHECKING:
    from medora.retrieval.engine import Expansion, SearchEngine
    from medora.triage import Triage


class Verdict(str, Enum):
    """Whether the library holds enough to answer; `Retrieval.missing` names what it lacks."""

    ENOUGH = "enough"  # a topic, or hits close enough to the question
    INSUFFICIENT = "insufficient"  # a medical question the library does not answer
    NOT_MEDICAL = "not_medical"  # nothing medical asked, and nothing in the library close to it


@dataclass(frozen=True)
class Shelf:
    """What composition may read besides the hits: the topic's statements and the sources they and the hits cite.

    It has the two methods of `medora.compose.Library`, so compose reads it instead of the index.
    """

    topic_id: str | None = None
    statements: tuple[Passage, ...] = ()
    sources: dict[str, Source] = field(default_factory=dict)

    def topic_passages(self, topic: str) -> list[Passage]:
        return list(self.statements) if topic == self.topic_id else []

    def source(self, sid: str) -> Source | None:
        return self.sources.get(sid)


@dataclass(frozen=True)
class Retrieval:
    """What retrieval found for one question; the later stages read it and never change it."""

    query: str  # the standalone question searched
    expansion: Expansion
    hits: list[Hit]  # fused, best first (the focus's own passages first when the question has a focus)
    verdict: Verdict
    frame: QuestionFrame | None = None  # what the question asks about (None: a drug-label question)
    topic: Topic | None = None  # the house topic that answers it
    label: LabelEvidence | None = None  # a drug question: its label's passages, or the drug we have no label for
    missing: str | None = None  # INSUFFICIENT: the name the library holds nothing about, when there is one
    shelf: Shelf = field(default_factory=Shelf)
    # passage id -> cosine to the question, for what compose may rank: the topic's statements, else the hits
    # (None on the drug-label path, which compose reads without them)
    similarity: dict[str, float] | None = None

    @property
    def terms(self) -> list[str]:
        """The question's words and their expansions."""
        return self.expansion.terms + self.expansion.added


def retrieve(engine: SearchEngine, query: str, triage: Triage, audience: Audience = Audience.CLINICIAN) -> Retrieval:
    """Search once and decide what the answer rests on: a drug label, a house topic, the hits, or nothing."""
    rs = engine.settings.retrieval
    hits, exp = engine.search(query, k=rs.k_hits)
    label = label_evidence(query, engine, exp, audience)
    if label is not None:
        return Retrieval(query, exp, hits, Verdict.ENOUGH, label=label, shelf=shelf_of(engine, label.hits))
    frame = engine.frame(query)  # what it asks about, which kind of answer, for whom (#13)
    tid = pick_topic(exp, hits, frame, rs.topic_similarity)
    topic = engine.topics[tid] if tid else None
    if frame.focus is not None and topic is None:  # the passages written about the focus, on top (#13)
        hits = focused(hits, engine.focus_search(query, frame.focus))
    unknown = _Unknown(engine, exp.terms)
    verdict = judge(hits, topic, triage, rs, unknown)
    missing = missing_name(frame, unknown()) if verdict == Verdict.INSUFFICIENT else None
    statements = engine.reader.topic_passages(topic.id) if topic else []
    ranked = [p.id for p in statements] if topic else [h.passage.id for h in hits]
    return Retrieval(
        query,
        exp,
        hits,
        verdict,
        frame,
        topic,
        missing=missing,
        shelf=shelf_of(engine, hits, topic, statements),
        similarity=engine.similarities(query, ranked),  # the question's vector is already at hand
    )


def pick_topic(
    exp: Expansion, hits: list[Hit], frame: QuestionFrame | None = None, lead_similarity: float = 0.55
) -> str | None:
    """The house topic of the question's focus; without a focus, a KB topic the question names (best-ranked
    first), else one that clearly leads the results. A topic named only as context ("gout with CKD") is not it."""
    if frame is not None and frame.focus is not None:
        return frame.focus.topic
    rank = {}
    for i, h in enumerate(hits):
        if h.passage.topic and h.passage.topic not in rank:
            rank[h.passage.topic] = i
    if exp.topics:
        return min(exp.topics, key=lambda t: (rank.get(t, 999), exp.topics.index(t)))
    for h in hits[:3]:
        if h.passage.topic and h.similarity >= lead_similarity:
            return h.passage.topic
    return None


def focused(hits: list[Hit], about_focus: list[Hit], k: int = 20) -> list[Hit]:
    """The focus's own passages first, then the other hits (compose keeps only sentences about the focus)."""
    seen = {h.passage.id for h in about_focus}
    return (about_focus + [h for h in hits if h.passage.id not in seen])[: max(k, len(about_focus))]


def judge(
    hits: list[Hit], topic: Topic | None, triage: Triage, rs: RetrievalSettings, unknown: Callable[[], list[str]]
) -> Verdict:
    """Enough to answer, not enough, or nothing medical asked. `unknown()` lists the question's words that no
    passage uses and that are not everyday English (asked for only when the verdict depends on them)."""
    if topic is not None:
        return Verdict.ENOUGH
    best = max((h.similarity for h in hits), default=0.0)  # the highest cosine similarity (0: no hits)
    urgent = triage.status == Status.URGENT
    if not triage.medical and best < rs.non_medical_similarity and not urgent and not triage.clinical:
        return Verdict.NOT_MEDICAL
    if _has_evidence(best, triage, rs, unknown):
        return Verdict.ENOUGH
    return Verdict.INSUFFICIENT if triage.medical else Verdict.NOT_MEDICAL


def _has_evidence(best: float, triage: Triage, rs: RetrievalSettings, unknown: Callable[[], list[str]]) -> bool:
    if best < rs.min_similarity:
        return False
    if triage.clinical:
        return True  # clinical values and emergency features are never refused as unknown words
    # A name we hold nothing about (not in any passage, not even a common English word) means the
    # question is about something outside the library, unless the match is strong anyway.
    return not unknown() or best >= rs.unknown_word_override


class _Unknown:
    """The question's words of more than 3 letters that no passage uses and MiniLM's vocabulary lacks (once)."""

    def __init__(self, engine: SearchEngine, terms: list[str]) -> None:
        self._engine, self._terms = engine, terms
        self._words: list[str] | None = None

    def __call__(self) -> list[str]:
        if self._words is None:
            self._words = [t for t in self._terms if len(t) > 3 and not self._engine.known(t)]
        return self._words


def missing_name(frame: QuestionFrame, unknown: list[str]) -> str | None:
    """What the "not enough evidence" answer says we hold nothing about: the name no passage uses, as the
    question spells it, or the question's focus (#13)."""
    if unknown:
        return unknown_name(frame.text, unknown[0])
    return frame.focus.name if frame.focus else None


NAME_STOP = "in|on|at|for|and|or|with|is|are|was|the|a|an|to|of|after|before|during|when|if|that|this|my|your"


def unknown_name(question: str, word: str) -> str:
    """The unknown word with the name words after it, as the question spells them ("Zorblaxian fever syndrome")."""
    m = re.search(rf"\b{re.escape(word)}\b((?:[\s-]+(?!(?:{NAME_STOP})\b)[A-Za-z-]+){{0,3}})", question, re.I)
    return m.group(0).strip() if m else word


def shelf_of(
    engine: SearchEngine, hits: list[Hit], topic: Topic | None = None, statements: list[Passage] | None = None
) -> Shelf:
    """The topic's statements, and every source that they or the hits' passages cite (read once, here)."""
    passages = [*(statements or []), *(h.passage for h in hits)]
    sids = dict.fromkeys(sid for p in passages for sid in [p.source_id, *p.cites])
    sources = {sid: src for sid in sids if (src := engine.reader.source(sid)) is not None}
    return Shelf(topic.id if topic else None, tuple(statements or ()), sources)
