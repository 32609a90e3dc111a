"""Build the structured, cited answer from what retrieval found.

Two ways in: a house knowledge-base topic the question names or retrieval ranks first (its
statements, already sorted by section kind), or extractive sentences from the best passages.
Either way every bullet cites at least one reference and references are numbered in order of
first citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

from medora.compose.audience import (
    DISCLAIMERS,
    MIN_BULLETS,
    PATIENT_POOL,
    SEEK_CARE_INTRO,
    PlainWriter,
    grade_level,
    plainest,
    too_hard,
)
from medora.compose.citations import ReferenceBook, renumber
from medora.compose.extractive import Candidate, candidates, lay_if_on_topic, near_duplicate
from medora.compose.focus import intent_for, narrow_statements, nothing_about, on_topic, rank
from medora.compose.sections import ORDER, TITLE_PREFIX, heading, intent_of, kind_of_sentence
from medora.models import Answer, Audience, Bullet, Hit, Passage, Section, Source, SourceType, Status
from medora.question import POPULATIONS, QuestionFrame, population_of, title_of
from medora.settings import ComposeSettings
from medora.text import alnum_words

MODIFIERS: dict[str, str] = POPULATIONS  # who a question is about; one table, in question.py (#13)


DOSE = re.compile(r"\b\d+(?:\.\d+)?\s*(?:mg|mcg|micrograms?|g|units?|IU|mL|mmol)(?:/kg)?\b", re.I)


class Library(Protocol):
    def topic_passages(self, topic: str) -> list[Passage]: ...
    def source(self, sid: str) -> Source | None: ...


@dataclass
class Evidence:
    """What composition works from: the question as retrieval saw it and what it found."""

    question: str
    standalone: str
    hits: list[Hit]
    terms: list[str]
    topic: str | None = None
    topic_title: str | None = None
    modifiers: list[str] = field(default_factory=list)
    frame: QuestionFrame | None = None  # what the question asks about (#13); None: the older, word-based path
    # passage id -> cosine to the question, computed by retrieval (compose never calls back into the engine);
    # None: not at hand (a drug label's answer, hand-made evidence), so no passage is ranked by it
    similarity: dict[str, float] | None = None
    brief: bool = True  # a patient's answer keeps only its plainest bullets (#13); a drug label's keeps them all
    # label sections (openFDA fields) that answer the kind of question asked, best first: the bottom line comes
    # from the first of them that supplies a sentence ("tell me about Lexapro" leads with what it treats)
    lead_sections: tuple[str, ...] = ()
    asked: str | None = None  # the kind of question when no frame says it (a drug label's aspect, "side effects")


def modifiers_of(question: str) -> list[str]:
    return population_of(question)


def compose(
    ev: Evidence, library: Library, audience: Audience, settings: ComposeSettings, status: Status = Status.ANSWERED
) -> Answer:
    frame = ev.frame
    intent = intent_for(frame) if frame else intent_of(ev.standalone)
    if ev.topic:
        summary, sections, book = _from_topic(ev, library, audience, intent, settings)
        subject = ev.topic_title or ev.topic
    else:
        summary, sections, book = _from_passages(ev, library, audience, intent, settings)
        subject = _subject(ev)
    if frame and frame.focus:
        subject = frame.focus.name
    if summary is None:
        if frame and frame.focus:  # say plainly that we hold nothing on it, and name it
            answer = not_answered(ev.question, audience, Status.INSUFFICIENT_EVIDENCE, nothing_about(frame))
            return answer.model_copy(update={"title": f"Nothing on {frame.focus.name} in the library"})
        return not_answered(ev.question, audience, Status.INSUFFICIENT_EVIDENCE)
    if audience == Audience.PATIENT and sections:
        if sections[0].kind != "red_flags":
            sections.insert(
                0, Section(heading=heading("red_flags", audience), kind="red_flags", intro=SEEK_CARE_INTRO, bullets=[])
            )
        elif not sections[0].intro:
            sections[0].intro = SEEK_CARE_INTRO
    references = renumber(summary, sections, book.references)
    text = " ".join([summary.text, *(b.text for s in sections for b in s.bullets)])
    return Answer(
        question=ev.question,
        audience=audience,
        status=status,
        title=title_of(frame)
        if frame and (frame.focus or not ev.topic)
        else f"{TITLE_PREFIX[intent]} {subject[0].lower() + subject[1:] if subject[:2].istitle() and not subject[:2].isupper() else subject}",
        summary=summary,
        sections=sections,
        references=references,
        follow_up_suggestions=suggestions(
            subject,
            intent,
            ev.modifiers,
            audience,
            drug=_about_a_drug(ev),
            asked=frame.qtype if frame else ev.asked or intent,
        ),
        disclaimer=DISCLAIMERS[audience],
        standalone_question=ev.standalone if ev.standalone != ev.question else None,
        topic=ev.topic,
        readability_grade=grade_level(text),
    )


def _bullet(
    book: ReferenceBook,
    library_or_hit_sources: dict[str, Source],
    passage: Passage,
    cite_ids: list[str],
    text: str,
    context: str | None = None,
) -> Bullet | None:
    numbers = []
    for sid in cite_ids:
        src = library_or_hit_sources.get(sid)
        if src is not None:
            numbers.append(book.cite(src, passage, context))
    if not numbers:
        return None
    return Bullet(text=text, citations=sorted(set(numbers)), passages=[passage.id], grade=passage.meta.get("grade"))


def _from_topic(ev: Evidence, library: Library, audience: Audience, intent: str, settings: ComposeSettings):  # noqa: ANN202
    passages = library.topic_passages(ev.topic or "")
    sources: dict[str, Source] = {}
    for p in passages:
        for sid in p.cites:
            if sid not in sources and (src := library.source(sid)) is not None:
                sources[sid] = src
    book = ReferenceBook()

    def text_of(p: Passage) -> str:
        return p.lay_text if audience == Audience.PATIENT and p.lay_text else p.text

    summary_p = next((p for p in passages if p.kind == "summary"), None)
    summary = _bullet(book, sources, summary_p, summary_p.cites, text_of(summary_p)) if summary_p else None
    statements = [p for p in passages if p.kind != "summary"]
    if ev.frame and not ev.frame.broad and not ev.modifiers and ev.similarity is not None and statements:
        # a narrow question gets the statements that answer it, the best one as its bottom line (#13)
        picked = narrow_statements(ev.frame, statements, ev.similarity)
        if picked:
            summary = _bullet(book, sources, picked[0], picked[0].cites, text_of(picked[0])) or summary
            statements = [p for p in statements if p in picked[1:]]
    if intent == "dose":  # a dosing question gets the dosing statement as its bottom line
        dosed = [p for p in statements if p.kind in ("management", "escalation") and DOSE.search(p.text)]
        if dosed:
            best = max(dosed, key=lambda p: len(set(ev.terms) & set(alnum_words(p.text))))
            summary = _bullet(book, sources, best, best.cites, text_of(best))
    by_kind: dict[str, list[Passage]] = {}
    for p in statements:
        by_kind.setdefault(p.kind or "background", []).append(p)
    sections: list[Section] = []
    special: list[Passage] = []
    for mod in ev.modifiers:
        pat = re.compile(MODIFIERS[mod], re.I)
        special += [p for p in statements if pat.search(p.meta.get("applies_to", "")) and p not in special]
    for mod in ev.modifiers:  # then statements that only mention the group in passing
        pat = re.compile(MODIFIERS[mod], re.I)
        special += [p for p in statements if pat.search(p.text) and p not in special]
    if ev.modifiers:
        label = " and ".join(ev.modifiers)
        if special:  # the bottom line speaks to the group asked about, the rest follow in their own section
            summary = _bullet(book, sources, special[0], special[0].cites, text_of(special[0])) or summary
            bullets = [b for p in special[1:] if (b := _bullet(book, sources, p, p.cites, text_of(p)))]
            if bullets:
                sections.append(
                    Section(heading=f"What changes: {label}", kind="management", intro=None, bullets=bullets)
                )
        else:
            summary = Bullet(
                text=(
                    f"Our sources for {ev.topic_title} do not address {label} specifically, so we cannot say "
                    f"what changes; the general guidance below may not apply. " + summary.text
                )
                if summary
                else "",
                citations=summary.citations if summary else [],
                passages=summary.passages if summary else [],
            )
    qterms = set(ev.terms)
    for kind in ORDER[intent]:
        items = [p for p in by_kind.get(kind, []) if p not in special]
        if not items:
            continue
        if len(items) > settings.max_per_section:
            items = sorted(items, key=lambda p: -len(qterms & set(alnum_words(p.text))))
            items = sorted(items[: settings.max_per_section], key=statements.index)
        bullets = [b for p in items if (b := _bullet(book, sources, p, p.cites, text_of(p)))]
        if bullets:
            sections.append(Section(heading=heading(kind, audience), kind=kind, bullets=bullets))
    return summary, sections, book


def _from_passages(ev: Evidence, library: Library, audience: Audience, intent: str, settings: ComposeSettings):  # noqa: ANN202
    cands = candidates(ev.terms, ev.hits, patient=audience == Audience.PATIENT)
    if ev.frame is not None:  # only sentences about the question's focus, best answers first (#13)
        cands = on_topic(ev.frame, cands)
        if audience == Audience.PATIENT:
            cands = lay_if_on_topic(cands, lambda cs: on_topic(ev.frame, cs) if ev.frame else cs)
        cands = rank(ev.frame, cands, ev.similarity or {}, min(settings.max_bullets, 14) * 2)
    if not cands:
        return None, [], ReferenceBook()
    if audience == Audience.PATIENT and ev.brief:  # fewer, plainer bullets (#13): hard ones only if too few others
        hard = {id(c) for c in cands if too_hard(c.lay or c.text)}
        chosen = _pick([c for c in cands if id(c) not in hard], [], min(settings.max_bullets, PATIENT_POOL), settings)
        if len(chosen) < MIN_BULLETS:
            chosen = _pick(cands, chosen, MIN_BULLETS, settings)
            rank_of = {id(c): i for i, c in enumerate(cands)}
            chosen.sort(key=lambda c: rank_of[id(c)])
        chosen = plainest(chosen, lambda c: c.lay or c.text)
    else:
        chosen = _pick(cands, [], min(settings.max_bullets, 14), settings)
    chosen = _led(chosen, cands, ev.lead_sections[:1], ev.modifiers)
    sources_of: dict[str, Source] = {h.source.id: h.source for h in ev.hits}
    for c in chosen:
        for sid in c.cites:
            if sid not in sources_of and (src := library.source(sid)) is not None:
                sources_of[sid] = src
    book = ReferenceBook()
    lead = chosen[0]

    writer = PlainWriter()  # one per answer: a technical term is introduced at its first mention only

    def say(text: str) -> str:
        return writer(text) if audience == Audience.PATIENT else text

    summary = _bullet(book, sources_of, lead.passage, lead.cites, say(lead.lay or lead.text), lead.context)
    groups: dict[str, list[Candidate]] = {}
    for c in sorted(chosen[1:], key=lambda c: c.order):
        kind = kind_of_sentence(c.text, c.passage.heading, c.passage.meta.get("qtype"), c.passage.kind)
        groups.setdefault(kind, []).append(c)
    sections = []
    for kind in ORDER[intent]:
        bullets = [
            b
            for c in groups.get(kind, [])[: settings.max_per_section]
            if (b := _bullet(book, sources_of, c.passage, c.cites, say(c.lay or c.text), c.context))
        ]
        if bullets:
            sections.append(Section(heading=heading(kind, audience), kind=kind, bullets=bullets))
    return summary, sections, book


def _led(
    chosen: list[Candidate], cands: list[Candidate], sections: tuple[str, ...], asked_for: list[str]
) -> list[Candidate]:
    """`chosen` with its bottom line taken from the first of `sections` that has a sentence among the candidates
    (moved to the front if chosen, else in place of the last one), one about no group the question did not ask
    about if there is one ("children 10 years and older" does not lead an adult's dosing answer); unchanged when
    no section has a sentence."""
    for section in sections:
        mine = [c for c in cands if c.passage.meta.get("section") == section]
        general = [c for c in mine if set(population_of(c.text)) <= set(asked_for)]
        if mine:
            best = (general or mine)[0]
            rest = [c for c in chosen if c is not best]
            return [best, *(rest if best in chosen else rest[: max(0, len(chosen) - 1)])]
    return chosen


def _pick(cands: list[Candidate], chosen: list[Candidate], limit: int, settings: ComposeSettings) -> list[Candidate]:
    """`chosen`, then candidates in rank order up to `limit` bullets: at most three per passage, no near-duplicates."""
    out = list(chosen)
    taken = {id(c) for c in out}
    per_passage: dict[str, int] = {}
    for c in out:
        per_passage[c.passage.id] = per_passage.get(c.passage.id, 0) + 1
    for c in cands:
        if len(out) >= limit:
            break
        if id(c) in taken or per_passage.get(c.passage.id, 0) >= 3:
            continue
        if any(near_duplicate(c.text, o.text, settings.dedupe_threshold) for o in out):
            continue
        out.append(c)
        taken.add(id(c))
        per_passage[c.passage.id] = per_passage.get(c.passage.id, 0) + 1
    return out


def _subject(ev: Evidence) -> str:
    top = ev.hits[0] if ev.hits else None
    if top is None:
        return ev.standalone
    focus = top.passage.meta.get("focus") or ""
    if focus:
        return focus
    title = re.sub(r"\s*\(PDQ®\).*$|, Health Professional Version$|^USPSTF recommendation: ", "", top.source.title)
    return title.split(" -- ")[0].split(":")[0].strip() or ev.standalone


def _about_a_drug(ev: Evidence) -> bool:
    """The answer is about a medicine: the question's focus is a drug, or every passage is a drug label's."""
    if ev.frame is not None and ev.frame.focus is not None:
        return ev.frame.focus.kind == "drug"
    return bool(ev.hits) and all(h.source.type == SourceType.DRUG_LABEL for h in ev.hits)


# Follow-ups about a medicine, keyed by the question type (or label aspect) they would repeat (a drug is not "treated" or "diagnosed").
DRUG_FOLLOW_UPS = {
    Audience.CLINICIAN: {
        "dose": "What is the usual dose of {s}, and how is it adjusted?",
        "side effects": "What are the adverse reactions of {s}?",
        "interactions": "Which drugs interact with {s}?",
        "contraindications": "What are the contraindications and warnings for {s}?",
        "pregnancy": "Can {s} be used in pregnancy or breastfeeding?",
    },
    Audience.PATIENT: {
        "dose": "How should I take {s}?",
        "side effects": "What are the side effects of {s}?",
        "interactions": "Which medicines should I not take with {s}?",
        "contraindications": "Who should not take {s}?",
        "pregnancy": "Can I take {s} if I am pregnant or breastfeeding?",
    },
}


def suggestions(
    subject: str, intent: str, modifiers: list[str], audience: Audience, *, drug: bool = False, asked: str = ""
) -> list[str]:
    """Up to four follow-up questions on the same subject, none repeating the kind of question just asked."""
    s = subject[0].lower() + subject[1:] if subject[:2].istitle() and not subject[:2].isupper() else subject
    if drug:
        return [
            q.format(s=subject)
            for k, q in DRUG_FOLLOW_UPS[audience].items()
            if k not in (asked.replace("_", " "), intent)
        ][:4]
    pool = {
        "treatment": f"What is the first-line treatment for {s}?",
        "diagnosis": f"How is {s} diagnosed?",
        "red_flags": f"What are the red flags in {s}?",
        "prognosis": f"What is the expected course of {s}?",
        "prevention": f"How can {s} be prevented?",
        "pregnancy": f"What changes for {s} in pregnancy?",
        "escalation": f"When should {s} be referred to a specialist?",
    }
    if audience == Audience.PATIENT:
        pool.update(
            {
                "treatment": f"How is {s} treated?",
                "red_flags": f"When should I see a doctor about {s}?",
                "escalation": f"What happens if treatment for {s} does not work?",
            }
        )
    skip = {"dose": "treatment", "symptoms": "red_flags"}.get(intent, intent)
    out = [q for k, q in pool.items() if k != skip and k not in modifiers]
    return out[:4]


def not_answered(question: str, audience: Audience, status: Status, reason: str | None = None) -> Answer:
    """Answers that say plainly why there is no cited answer."""
    if status == Status.OUT_OF_SCOPE:
        title = "Outside what Medora can answer"
        text = reason or (
            "Medora answers medical questions from cited guidelines and trusted sources; this request "
            "is not one it can answer safely, so it gives no answer."
        )
    else:
        title = "Not enough evidence to answer"
        text = reason or (
            "We found no source in Medora's library that answers this question, so we are not giving "
            "an answer rather than guessing. Try naming the condition, drug or test, or ask a clinician."
        )
    return Answer(
        question=question,
        audience=audience,
        status=status,
        title=title,
        summary=Bullet(text=text, citations=[]),
        sections=[],
        references=[],
        disclaimer=DISCLAIMERS[audience],
    )
