"""The generative composer: a configured language model proposes, Medora verifies (issue #15).

`ask(..., mode="generative")` calls `generate()` after the extractive composer. The model is shown the
passages the extractive answer drew on (numbered, fenced as data) and proposes a bottom line and
bullets with passage numbers; `verify.Verifier` checks each one against its cited passages; only
verified bullets are shown, with references built from the passages they cite. Triage stays in charge:
only an `answered` answer is generated (an urgent one keeps its fixed notice and its extractive
bullets, so nothing slow or unverified stands between a reader and the emergency advice). When the
server fails or too little survives, the extractive answer is served, marked `fallback` with the reason.

Usage example::

    settings = Settings(generation={"base_url": "http://127.0.0.1:8080/v1", "model": "gemma-3-270m"})
    answer = ask("How is gout treated?", mode="generative", settings=settings)
    answer.mode, answer.verification.kept, answer.verification.dropped
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from medora.compose import Evidence
from medora.compose.audience import SEEK_CARE_INTRO, grade_level
from medora.compose.citations import MAX_PASSAGE_CHARS, ReferenceBook, renumber
from medora.compose.extractive import near_duplicate
from medora.compose.llm import ChatClient, GenerationFailed
from medora.compose.prompt import GenInput, Given, answer_schema, messages, parse_reply, strip_instructions
from medora.compose.sections import ORDER, heading, intent_of, kind_of_sentence
from medora.compose.support import Encoder, SupportJudge
from medora.compose.verify import Verdict, Verifier, tally
from medora.errors import InvalidRequest
from medora.models import SECTION_KINDS, Answer, Audience, Bullet, Passage, Section, Source, Status, Verification
from medora.settings import ComposeSettings, GenerationSettings, Settings

log = logging.getLogger("medora.generation")
MODES = ("extractive", "generative")
# Set by whoever streams the answer (the web page's server-sent events): called with each bullet once verified.
BULLET_SINK: ContextVar[Callable[[str, Verdict], None] | None] = ContextVar("medora_bullet_sink", default=None)


class Reader(Protocol):
    def passage(self, pid: str) -> Passage | None: ...
    def source(self, sid: str) -> Source | None: ...


@dataclass(frozen=True)
class Grounds:
    """What generative mode reads besides the answer and its evidence (qa.py builds it from the open index)."""

    reader: Reader  # the passages and sources the model is shown
    encoder: Encoder  # the embedder the support judge compares a bullet and its passages with
    drug_names: Collection[str] = ()  # the label drugs' names: a bullet naming a drug its passages do not is dropped


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InvalidRequest(f"unknown mode {mode!r}; choose from {', '.join(MODES)}")
    return mode


def generate(
    answer: Answer, ev: Evidence, grounds: Grounds | None, settings: Settings, mode: str = "extractive"
) -> Answer:
    """`answer` (extractive) as is, or, in generative mode, the verified generated answer or a marked fallback
    (also when no `grounds` are at hand to verify against)."""
    if check_mode(mode) == "extractive":
        return answer
    gs = settings.generation
    if answer.status == Status.URGENT:
        return fallback(answer, "urgent: the emergency notice and its bullets are never generated", gs, log_it=False)
    if answer.status != Status.ANSWERED or not answer.references:
        return fallback(answer, f"{answer.status.value}: nothing to generate from", gs, log_it=False)
    if not gs.configured:
        return fallback(answer, "no language model configured (set generation.base_url and generation.model)", gs)
    if grounds is None:
        return fallback(answer, "no index at hand to verify a generated answer against", gs)
    inp = gen_input(answer, ev, grounds.reader, gs)
    known = frozenset(n for n in grounds.drug_names if " " not in n and len(n) >= 5)
    verifier = Verifier(inp.passages, SupportJudge(grounds.encoder), known)
    return propose_and_verify(answer, inp, ChatClient(gs), verifier, gs, settings.compose, BULLET_SINK.get())


def propose_and_verify(
    answer: Answer,
    inp: GenInput,
    client: ChatClient,
    verifier: Verifier,
    gs: GenerationSettings,
    cs: ComposeSettings | None = None,
    on_bullet: Callable[[str, Verdict], None] | None = None,
) -> Answer:
    """Ask the model, verify every bullet, and return the generated answer or the marked extractive one.

    `on_bullet(kind, verdict)` is called as each bullet is verified (the page streams them).
    """
    try:
        reply = client.complete(messages(inp), answer_schema([g.n for g in inp.passages]))
    except GenerationFailed as exc:
        return fallback(answer, exc.reason, gs)
    proposal = parse_reply(reply.text)
    if proposal is None:
        return fallback(answer, "the model's reply holds no answer JSON", gs, latency=reply.latency_ms)
    verdicts = []
    for b in _ordered(proposal.summary, proposal.bullets):
        v = verifier.verify(b)
        verdicts.append(v)
        if on_bullet is not None and v.outcome != "dropped":
            on_bullet(v.kind or "", v)
    summary_v = verdicts[0] if proposal.summary is not None else None
    rest = verdicts[1:] if proposal.summary is not None else verdicts
    built = assemble(answer, inp, summary_v, rest, cs or ComposeSettings())  # marks duplicates dropped
    outcomes, problems = tally(verdicts)
    shown = outcomes["kept"] + outcomes["recited"] if built is not None else 0
    record = Verification(
        proposed=proposal.count,
        kept=outcomes["kept"],
        recited=outcomes["recited"],
        dropped=outcomes["dropped"],
        problems=dict(problems),
        model=reply.model,
        latency_ms=reply.latency_ms,
    )
    if built is None or shown < gs.min_verified:
        reason = f"only {shown} of {proposal.count} proposed bullets passed verification"
        log.warning("generative answer not served: %s", reason)
        return answer.model_copy(
            update={"verification": record.model_copy(update={"fallback": True, "reason": reason})}
        )
    return built.model_copy(update={"mode": "generative", "verification": record})


def _ordered(summary: object, bullets: list) -> Iterator:
    if summary is not None:
        yield summary
    yield from bullets


def fallback(
    answer: Answer, reason: str, gs: GenerationSettings, *, latency: float | None = None, log_it: bool = True
) -> Answer:
    """The extractive answer, recording why it was served instead of a generated one."""
    if log_it:
        log.warning("generative answer not served, extractive answer instead: %s", reason)
    record = Verification(fallback=True, reason=reason, model=gs.model or None, latency_ms=latency)
    return answer.model_copy(update={"mode": "extractive", "verification": record})


def gen_input(answer: Answer, ev: Evidence, reader: Reader | None, gs: GenerationSettings) -> GenInput:
    """The numbered passages: those the extractive answer cites (in reading order), then further hits."""
    quotes: dict[str, tuple[str, list[Source]]] = {}
    for ref in answer.references:
        src = _source(ref)
        for pr in ref.passages:
            quote, sources = quotes.setdefault(pr.id, (pr.text, []))
            if all(s.id != src.id for s in sources):
                sources.append(src)
    order = [pid for b in [answer.summary, *(b for s in answer.sections for b in s.bullets)] for pid in b.passages]
    order += list(quotes)
    given: list[Given] = []
    for pid in dict.fromkeys(order):
        if pid in quotes and len(given) < gs.max_passages:
            full = reader.passage(pid) if reader is not None else None
            quote, sources = quotes[pid]
            given.append(_given(len(given) + 1, full or Passage(id=pid, source_id="", text=quote), quote, sources))
    if not ev.topic:  # passages found by search: the model may connect more of them than the extractive answer
        for h in ev.hits:
            if len(given) >= gs.max_passages:
                break
            if any(g.passage.id == h.passage.id for g in given):
                continue
            cites = [s for sid in h.passage.cites if reader and (s := reader.source(sid))] or [h.source]
            given.append(_given(len(given) + 1, h.passage, h.passage.text, cites))
    for g in given:  # the model sees the lay wording in a patient answer; the other wording also counts as evidence
        lay = g.passage.lay_text
        shown, other = (lay, g.text) if answer.audience == Audience.PATIENT and lay else (g.text, lay)
        text, planted = strip_instructions(_cut(shown, gs.passage_chars))
        if planted:
            log.warning("passage %s holds instructions to a model; those sentences were not shown", g.passage.id)
        g.text = text
        g.alt = [strip_instructions(_cut(other, gs.passage_chars))[0]] if other and other != shown else []
    focus = ev.topic_title or next((h.passage.meta.get("focus") for h in ev.hits if h.passage.meta.get("focus")), None)
    return GenInput(answer.question, answer.audience, intent_of(ev.standalone), focus, given)


def _given(n: int, passage: Passage, quote: str, sources: list[Source]) -> Given:
    return Given(n=n, passage=passage, sources=sources, text=quote)


def _cut(text: str, limit: int = MAX_PASSAGE_CHARS) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"


def _source(ref: object) -> Source:
    """The Source behind a reference (references carry every field a new reference needs)."""
    r = ref  # medora.models.Reference
    return Source(
        id=r.source_id or f"ref:{r.n}",  # type: ignore[attr-defined]
        type=r.type,  # type: ignore[attr-defined]
        title=r.title,  # type: ignore[attr-defined]
        organization=r.source,  # type: ignore[attr-defined]
        year=r.year,  # type: ignore[attr-defined]
        url=r.url,  # type: ignore[attr-defined]
        doi=r.doi,  # type: ignore[attr-defined]
        pmid=r.pmid,  # type: ignore[attr-defined]
    )


def _bullet(v: Verdict, inp: GenInput, book: ReferenceBook) -> Bullet:
    by_n = inp.by_n()
    numbers = {book.cite(src, by_n[n].passage, by_n[n].text) for n in v.cites for src in by_n[n].sources}
    return Bullet(text=v.text, citations=sorted(numbers), passages=[by_n[n].passage.id for n in v.cites])


def assemble(
    answer: Answer, inp: GenInput, summary: Verdict | None, verdicts: list[Verdict], cs: ComposeSettings
) -> Answer | None:
    """The generated answer from the verified bullets (None when no bottom line can be had)."""
    shown = [v for v in verdicts if v.outcome != "dropped"]
    if summary is None or summary.outcome == "dropped":
        if not shown:
            return None
        summary, shown = shown[0], shown[1:]  # the first verified bullet becomes the bottom line
    book = ReferenceBook()
    lead = _bullet(summary, inp, book)
    groups: dict[str, list[Verdict]] = {}
    chosen: list[Verdict] = [summary]
    for v in shown:
        kind = v.kind if v.kind in SECTION_KINDS else kind_of_sentence(v.text, "", None, None)
        group = groups.setdefault(kind, [])
        if (
            len(chosen) >= cs.max_bullets
            or len(group) >= cs.max_per_section
            or any(near_duplicate(v.text, o.text, cs.dedupe_threshold) for o in chosen)
        ):
            v.outcome, v.problems = "dropped", [*v.problems, "duplicate_or_over_limit"]  # verified, not shown
            continue
        group.append(v)
        chosen.append(v)
    sections = [
        Section(heading=heading(kind, inp.audience), kind=kind, bullets=[_bullet(v, inp, book) for v in groups[kind]])
        for kind in ORDER[inp.intent]
        if groups.get(kind)
    ]
    if inp.audience == Audience.PATIENT and sections:
        if sections[0].kind != "red_flags":
            sections.insert(
                0,
                Section(
                    heading=heading("red_flags", inp.audience), kind="red_flags", intro=SEEK_CARE_INTRO, bullets=[]
                ),
            )
        elif not sections[0].intro:
            sections[0].intro = SEEK_CARE_INTRO
    references = renumber(lead, sections, book.references)
    text = " ".join([lead.text, *(b.text for s in sections for b in s.bullets)])
    return answer.model_copy(
        update={
            "summary": lead,
            "sections": sections,
            "references": references,
            "readability_grade": grade_level(text),
        }
    )
