"""`ask()`: the one entry point that the CLI, the web app and the evaluation harness all call.

    understand(): question -> validate -> (follow-up rewrite) -> triage
    respond():    -> hybrid search -> evidence check -> compose -> (generative: verify)

The editorial review sits beside this, in `medora.editorial` (approved articles, versions).

Usage example::

    from medora.qa import ask
    answer = ask("What is the initial approach to managing endplate vertebral body compression?")
    print(answer.title, answer.summary.text)
"""

from __future__ import annotations

import re
import threading
import time
import unicodedata
from dataclasses import dataclass

from medora.compose import Evidence, compose, modifiers_of, not_answered
from medora.compose.generative import generate
from medora.conversation import Conversation, standalone
from medora.druganswers import label_answer, label_evidence
from medora.errors import InvalidRequest, QuestionTooLong
from medora.index.retired import Retired
from medora.index.store import IndexReader
from medora.models import Answer, Audience, Hit, Status
from medora.question import QuestionFrame
from medora.retrieval import Expansion, SearchEngine
from medora.settings import Settings, get_settings
from medora.text import FINDING_NEGATION
from medora.triage import Triage, triage, urgent_notice
from medora.triage.language import notice as language_notice

_engines: dict[str, SearchEngine] = {}
_lock = threading.Lock()
_retired = Retired()  # replaced versions, closed once no request holds them (#14)


def get_engine(settings: Settings) -> SearchEngine:
    """The open index for these settings, loaded once per process (and reloaded after a new ingest).

    A reload keeps the embedder (the model does not change between index versions) and closes the old
    version's SQLite connection and mapped vectors once no request holds it any more (#14).
    """
    key = str(settings.index_dir)
    with _lock:
        engine = _engines.get(key)
        current = (settings.index_dir / "current").resolve() if (settings.index_dir / "current").exists() else None
        if engine is None or engine.reader.dir != current:
            old = engine
            if old is not None and old.settings.embed_max_tokens == settings.embed_max_tokens:
                engine = SearchEngine(IndexReader(settings.index_dir), old.embedder, settings)
            else:
                engine = SearchEngine.open(settings)
            _engines[key] = engine
            if old is not None:
                _retired.add(old, old.reader)
                del old
    if len(_retired):
        _retired.sweep()
    return engine


def validate_question(question: object, settings: Settings) -> str:
    if not isinstance(question, str):
        raise InvalidRequest("the question must be text")
    text = "".join(ch for ch in question if unicodedata.category(ch)[0] != "C" or ch in "\n\t")
    text = " ".join(text.split())
    if not text:
        raise InvalidRequest("the question is empty", hint="Type a medical question, e.g. 'How is gout treated?'")
    if len(text) > settings.max_question_chars:
        raise QuestionTooLong(f"the question is {len(text):,} characters; the limit is {settings.max_question_chars:,}")
    return text


def parse_audience(audience: Audience | str) -> Audience:
    try:
        return Audience(audience)
    except ValueError:
        raise InvalidRequest(f"unknown audience {audience!r}; choose clinician or patient") from None


@dataclass(frozen=True)
class Asked:
    """A question read and triaged: what `respond()` answers (and what the review wing matches articles on)."""

    text: str  # the question as validated
    query: str  # standalone: a follow-up rewritten with its thread's subject
    audience: Audience
    triage: Triage
    timing: dict[str, float]
    started: float

    @property
    def answerable(self) -> bool:
        """Neither refused nor in a language Medora cannot read: it goes on to retrieval (or to an approved article)."""
        return self.triage.status != Status.OUT_OF_SCOPE and self.triage.language.english


def understand(
    question: str,
    *,
    audience: Audience | str = Audience.CLINICIAN,
    conversation: Conversation | None = None,
    settings: Settings | None = None,
    engine: SearchEngine | None = None,
) -> Asked:
    """Validate, rewrite a follow-up into a standalone question, and triage it (each once)."""
    t0 = time.perf_counter()
    settings = settings or get_settings()
    text = validate_question(question, settings)
    aud = parse_audience(audience)
    engine = engine or get_engine(settings)
    names_topic = bool(engine.expand(text).topics)
    query = standalone(text, conversation, names_topic, understand=engine.frame)
    tri = triage(query, embed=engine.query_vector)
    return Asked(text, query, aud, tri, {"triage": _ms(t0)}, t0)


def ask(
    question: str,
    *,
    audience: Audience | str = Audience.CLINICIAN,
    conversation: Conversation | None = None,
    settings: Settings | None = None,
    engine: SearchEngine | None = None,
    mode: str = "extractive",
) -> Answer:
    """Answer one question with a structured, cited answer (or say plainly why not).

    `mode="generative"` has the configured language model propose the bullets and Medora verify them (#15).
    The editorial review (approved articles, versions) is a wing beside this: `medora.editorial.ask_reviewed`.
    """
    settings = settings or get_settings()
    engine = engine or get_engine(settings)
    asked = understand(question, audience=audience, conversation=conversation, settings=settings, engine=engine)
    return respond(asked, settings=settings, engine=engine, mode=mode)


def respond(asked: Asked, *, settings: Settings, engine: SearchEngine, mode: str = "extractive") -> Answer:
    """Retrieve, check the evidence and compose the answer to a question `understand()` has read."""
    text, query, aud, tri, timing, t0 = (
        asked.text,
        asked.query,
        asked.audience,
        asked.triage,
        asked.timing,
        asked.started,
    )
    timing = dict(timing)
    if tri.status == Status.OUT_OF_SCOPE:
        return _finish(not_answered(text, aud, Status.OUT_OF_SCOPE, tri.refusal), timing, t0)
    if not tri.language.english:  # we cannot read it reliably: say so, in that language, with the emergency line
        return _finish(_not_english(text, aud, tri), timing, t0)

    t1 = time.perf_counter()
    hits, exp = engine.search(query, k=settings.retrieval.k_hits)
    timing["retrieval"] = _ms(t1)
    label = label_evidence(query, engine, exp)
    if label is not None:  # a drug question: answered from its FDA label, or "we have no label for X" (#13)
        answer = label_answer(label, text, query, aud, engine, settings)
        if tri.status == Status.URGENT:
            answer = answer.model_copy(update={"status": Status.URGENT, "urgent_notice": urgent_notice(tri, aud)})
        return _finish(answer, timing, t0)
    frame = engine.frame(query)  # what it asks about, which kind of answer, for whom (#13)
    topic = _pick_topic(exp, hits, frame, settings.retrieval.topic_similarity)
    if frame.focus is not None and topic is None:  # the passages written about the focus, on top (#13)
        hits = _focused(hits, engine.focus_search(query, frame.focus))
    status = Status.URGENT if tri.status == Status.URGENT else Status.ANSWERED
    if (
        topic
        and engine.topic_meta[topic][1]
        and status != Status.URGENT
        and tri.situation.current
        and not FINDING_NEGATION.search(query.lower())
    ):
        # an emergency topic happening now to a real person is time-critical (education about it is not)
        tri = Triage(
            Status.URGENT,
            ["emergency_topic"],
            [engine.topic_meta[topic][0].lower()],
            True,
            tri.values,
            tri.critical_values,
            tri.situation,
            tri.language,
        )
        status = Status.URGENT
    notice = urgent_notice(tri, aud) if status == Status.URGENT else None

    best = max((h.similarity for h in hits), default=0.0)
    if (
        not tri.medical
        and topic is None
        and best < settings.retrieval.non_medical_similarity
        and status != Status.URGENT
        and not tri.clinical
    ):
        return _finish(not_answered(text, aud, Status.OUT_OF_SCOPE), timing, t0)  # nothing medical asked
    if topic is None and not _has_evidence(exp, best, engine, settings, tri):
        answer = not_answered(text, aud, Status.OUT_OF_SCOPE if not tri.medical else Status.INSUFFICIENT_EVIDENCE)
        if answer.status == Status.INSUFFICIENT_EVIDENCE:
            answer = _names_what_is_missing(answer, frame, exp, engine)
        if notice:  # an emergency still gets its notice, even with nothing to cite
            answer = answer.model_copy(
                update={"status": Status.URGENT, "urgent_notice": notice, "title": "Possible emergency"}
            )
        return _finish(answer, timing, t0)

    t2 = time.perf_counter()
    ev = Evidence(
        question=text,
        standalone=query,
        hits=hits,
        terms=exp.terms + exp.added,
        topic=topic,
        topic_title=engine.topic_meta[topic][0] if topic else None,
        modifiers=modifiers_of(query),
        frame=frame,
        similarity=lambda ids: engine.similarities(query, ids),
    )
    answer = compose(ev, engine.reader, aud, settings.compose, status)
    answer = generate(answer, ev, engine, settings, mode)  # model proposes, Medora verifies (#15)
    if notice:
        answer = answer.model_copy(update={"status": Status.URGENT, "urgent_notice": notice})
    elif topic and engine.topic_meta[topic][1]:
        answer = _red_flags_first(answer, aud)
    timing["compose"] = _ms(t2)
    return _finish(answer, timing, t0)


IF_HAPPENING_NOW = {
    Audience.PATIENT: "If this is happening to you or someone with you now, call your local emergency number "
    "(911 in the US, 112 in Europe, 999 in the UK) instead of reading on.",
    Audience.CLINICIAN: "If this is unfolding now, treat it as time-critical under your local emergency protocol.",
}


def _red_flags_first(answer: Answer, aud: Audience) -> Answer:
    """An education question about an emergency: red flags lead, with one line on what to do if it is happening now."""
    flags = [s for s in answer.sections if s.kind == "red_flags"]
    rest = [s for s in answer.sections if s.kind != "red_flags"]
    if flags:
        flags[0] = flags[0].model_copy(update={"intro": IF_HAPPENING_NOW[aud]})
    return answer.model_copy(update={"sections": flags + rest})


def _not_english(text: str, aud: Audience, tri: Triage) -> Answer:
    """A question Medora cannot read reliably: never refused, never silent; urgent if it names an emergency."""
    if tri.status == Status.URGENT:
        answer = not_answered(text, aud, Status.INSUFFICIENT_EVIDENCE, language_notice(tri.language))
        return answer.model_copy(
            update={"status": Status.URGENT, "urgent_notice": urgent_notice(tri, aud), "title": "Possible emergency"}
        )
    answer = not_answered(text, aud, Status.INSUFFICIENT_EVIDENCE, language_notice(tri.language))
    return answer.model_copy(update={"title": f"Question in {tri.language.name}"})


def _pick_topic(
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


def _focused(hits: list[Hit], about_focus: list[Hit], k: int = 20) -> list[Hit]:
    """The focus's own passages first, then the other hits (compose keeps only sentences about the focus)."""
    seen = {h.passage.id for h in about_focus}
    return (about_focus + [h for h in hits if h.passage.id not in seen])[: max(k, len(about_focus))]


def _names_what_is_missing(answer: Answer, frame: QuestionFrame, exp: Expansion, engine: SearchEngine) -> Answer:
    """The "not enough evidence" answer says what we hold nothing about: the focus, or the name no passage uses (#13)."""
    unknown = [t for t in exp.terms if len(t) > 3 and t not in engine.vocabulary and not engine.lexical([t], 1)]
    name = _unknown_name(frame.text, unknown[0]) if unknown else frame.focus.name if frame.focus else None
    if name is None:
        return answer
    text = (
        f"We found no source in Medora's library about {name}, so we are not giving an answer rather than "
        "guessing. Check the spelling, try another name for it, or ask a clinician."
    )
    summary = answer.summary.model_copy(update={"text": text})
    return answer.model_copy(update={"summary": summary, "title": f"Nothing on {name} in the library"})


def _unknown_name(question: str, word: str) -> str:
    """The unknown word with the name words after it, as the question spells them ("Zorblaxian fever syndrome")."""
    m = re.search(rf"\b{re.escape(word)}\b((?:[\s-]+(?!(?:{NAME_STOP})\b)[A-Za-z-]+){{0,3}})", question, re.I)
    return m.group(0).strip() if m else word


NAME_STOP = "in|on|at|for|and|or|with|is|are|was|the|a|an|to|of|after|before|during|when|if|that|this|my|your"


def _has_evidence(exp: Expansion, best: float, engine: SearchEngine, settings: Settings, tri: Triage) -> bool:
    """`best` is the highest cosine similarity among the hits (0 when there are none)."""
    if best < settings.retrieval.min_similarity:
        return False
    if tri.clinical:
        return True  # clinical values and emergency features are never refused as unknown words
    # A name we hold nothing about (not in any passage, not even a common English word) means the
    # question is about something outside the library, unless the match is strong anyway.
    unknown = [t for t in exp.terms if len(t) > 3 and t not in engine.vocabulary and not engine.lexical([t], 1)]
    return not unknown or best >= settings.retrieval.unknown_word_override


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _finish(answer: Answer, timing: dict[str, float], t0: float) -> Answer:
    timing["total"] = _ms(t0)
    answer.timing_ms = timing
    return answer
