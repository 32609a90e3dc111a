"""`ask()`: the one entry point that the CLI, the web app and the evaluation harness all call.

    understand(): question -> validate -> (follow-up rewrite) -> triage
    respond():    refused or another language? -> retrieve (once: `medora.retrieval`, one typed `Retrieval`)
                  -> escalate (an emergency topic happening now) -> drug label | not answered | compose
                  -> (generative: a model proposes, Medora verifies) -> Answer

The editorial review sits beside this, in `medora.editorial` (approved articles, versions).

Usage example::

    from medora.qa import ask
    answer = ask("What is the initial approach to managing endplate vertebral body compression?")
    print(answer.title, answer.summary.text)
"""

from __future__ import annotations

import threading
import time
import unicodedata
from dataclasses import dataclass

from medora.compose import Evidence, compose, modifiers_of, not_answered
from medora.compose.generative import Grounds, generate
from medora.conversation import Conversation, standalone
from medora.druganswers import label_answer
from medora.errors import InvalidRequest, QuestionTooLong
from medora.index.retired import Retired
from medora.index.store import IndexReader
from medora.models import Answer, Audience, Status
from medora.retrieval import Retrieval, SearchEngine, Verdict
from medora.settings import Settings, get_settings
from medora.triage import Triage, triage, urgent_notice
from medora.triage.escalate import escalate
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
    query = standalone(text, conversation, understand=engine.frame)  # the frame decides (retrieve expands, once)
    tri = triage(query, embed=engine.query_vector, names_drug=engine.names_a_drug)  # the vector dense search reuses
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
    """Retrieve once, then answer from what was found: a drug label, "not answered" with the reason, or compose."""
    text, query, aud, tri = asked.text, asked.query, asked.audience, asked.triage
    timing, t0 = dict(asked.timing), asked.started
    if tri.status == Status.OUT_OF_SCOPE:
        return _finish(not_answered(text, aud, Status.OUT_OF_SCOPE, tri.refusal), timing, t0)
    if not tri.language.english:  # not read reliably: said so, in that language, with the emergency line
        return _finish(_not_english(text, aud, tri), timing, t0)

    t1 = time.perf_counter()
    found = engine.retrieve(query, tri, aud)
    timing["retrieval"] = _ms(t1)
    tri = escalate(tri, query, found.topic)  # an emergency topic happening now: a new, urgent result
    notice = urgent_notice(tri, aud) if tri.status == Status.URGENT else None
    if found.label is not None:  # a drug question: answered from its FDA label, or "we have no label for X" (#13)
        answer = label_answer(found.label, text, query, aud, found.shelf, settings)
        return _finish(_urgent(answer, notice), timing, t0)
    if found.verdict != Verdict.ENOUGH:
        return _finish(_declined(text, aud, found, notice), timing, t0)

    t2 = time.perf_counter()
    ev = evidence(text, found)
    answer = compose(ev, found.shelf, aud, settings.compose, Status.URGENT if notice else Status.ANSWERED)
    answer = generate(answer, ev, grounds(engine), settings, mode)  # model proposes, Medora verifies (#15)
    if notice:
        answer = _urgent(answer, notice)
    elif found.topic and found.topic.emergency:
        answer = _red_flags_first(answer, aud)
    timing["compose"] = _ms(t2)
    return _finish(answer, timing, t0)


def evidence(question: str, found: Retrieval) -> Evidence:
    """What composition works from: the question and what retrieval found (composition reads nothing else)."""
    return Evidence(
        question=question,
        standalone=found.query,
        hits=found.hits,
        terms=found.terms,
        topic=found.topic.id if found.topic else None,
        topic_title=found.topic.title if found.topic else None,
        modifiers=modifiers_of(found.query),
        frame=found.frame,
        similarity=found.similarity,
    )


def grounds(engine: SearchEngine) -> Grounds:
    """What generative mode verifies against: the index's passages and sources, the embedder, the label drugs' names."""
    return Grounds(reader=engine.reader, encoder=engine.embedder, drug_names=engine.drugs.labels.keys())


def _urgent(answer: Answer, notice: str | None) -> Answer:
    return answer.model_copy(update={"status": Status.URGENT, "urgent_notice": notice}) if notice else answer


def _declined(text: str, aud: Audience, found: Retrieval, notice: str | None) -> Answer:
    """Not answered: nothing medical asked, or nothing in the library answers it (naming what it lacks)."""
    if found.verdict == Verdict.NOT_MEDICAL:
        answer = not_answered(text, aud, Status.OUT_OF_SCOPE)
    else:
        answer = _nothing_on(not_answered(text, aud, Status.INSUFFICIENT_EVIDENCE), found.missing)
    if notice:  # an emergency still gets its notice, even with nothing to cite
        answer = answer.model_copy(
            update={"status": Status.URGENT, "urgent_notice": notice, "title": "Possible emergency"}
        )
    return answer


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


def _nothing_on(answer: Answer, name: str | None) -> Answer:
    """The "not enough evidence" answer says what we hold nothing about: the focus, or the name no passage uses (#13)."""
    if name is None:
        return answer
    text = (
        f"We found no source in Medora's library about {name}, so we are not giving an answer rather than "
        "guessing. Check the spelling, try another name for it, or ask a clinician."
    )
    summary = answer.summary.model_copy(update={"text": text})
    return answer.model_copy(update={"summary": summary, "title": f"Nothing on {name} in the library"})


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _finish(answer: Answer, timing: dict[str, float], t0: float) -> Answer:
    timing["total"] = _ms(t0)
    answer.timing_ms = timing
    return answer
