"""Pick the sentences that answer the question from retrieved passages (no LLM needed)."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from medora.compose.audience import drop_cross_references, plain, sentence_grade, shorter
from medora.drugnames import PATIENT_SECTIONS
from medora.models import Hit, Passage, Source, SourceType
from medora.text import NOT_AFTER_ABBREVIATION, content_terms

BOUNDARY = re.compile(r"(?<=[.!?])" + NOT_AFTER_ABBREVIATION + r"\s+(?=[A-Z0-9(\"'])|\n+")
# Bullet glyphs a label's text keeps inline ("used to treat: • major depressive disorder • anxiety").
INLINE_BULLET = re.compile(r"\.?\s*[•○◦▪●■□➢►]\s*")
# A label subsection's heading the flattened text runs into its first sentence ("Heart Failure In patients...",
# "6.1 Clinical Trials Experience Because...", "Serotonin Syndrome Caution patients..."): title-case words, then
# a capitalised word that only opens a sentence.
RUN_IN_HEADING = re.compile(
    r"^(?:\d+(?:\.\d+)*\s+)?(?:[A-Z][\w’'/-]*\s+(?:(?:and|or|of|in|with|for|the|to)\s+)?){1,6}"
    r"(?=(?:In|Because|Advise|Caution|Instruct|Inform|Tell|Counsel|If|When|The|There|This|Use|Do|Take|Patients|A|An|"
    r"Assess|Obtain|Monitor|Discontinue|Initiate|Start|Reduce|Avoid|Consider|Administer|Give|Measure|Check|Evaluate|"
    r"Adjust|Increase|Decrease)\s)"
)
# ... or, after a subsection number, a brand name in capitals ("1.4 Treatment of Pulmonary Embolism ELIQUIS is").
NUMBERED_HEADING = re.compile(
    r"^\d+(?:\.\d+)+\s+(?:[A-Z][\w’'/-]*\s+(?:(?:and|or|of|in|with|for|the|to)\s+){0,2}){1,14}(?=[A-Z]{3,}\b)"
)
# Highlights of prescribing information run several items together, each ending in its section number "(2.3)".
SECTION_NUMBER = re.compile(r"\(\s*\d+(?:\.\d+)+\s*\)")
# Where a numbered subsection starts inside flattened label text ("... (2.4) 2.1 Adult Dosage The recommended"):
# the space before its number becomes a line break, so the offsets of everything else stay as they were.
SUBSECTION_START = re.compile(r"\s(?=\d{1,2}\.\d{1,2}\s+[A-Z][a-z]+(?:\s+[A-Z]?[a-z]+){0,4}\s+[A-Z])")
# The rows of a label's interaction table run in: "Other Serotonergic Drugs Clinical Impact: Concomitant use..."
TABLE_ROW = re.compile(r"^(?:[A-Z][\w/-]*\s+){0,6}(?:Clinical Impact|Intervention|Examples?):\s*")
LIST_ITEM = re.compile(r"^\s*[-*•]\s+")
NOISE = re.compile(r"^(key points?|see the following|for more information|this summary|go to |enlarge|credit:)", re.I)
# Sentences that lean on text the bullet will not show: a list or table they introduce, or one they refer back
# to ("These complications...", "Not everyone with these traits..."). Out of context they say nothing.
DEPENDENT = re.compile(
    r"^(these|those|they|such)\b"
    r"|\b(the following|listed below|shown below|in the table|this table|the table below)\b"
    r"|\b(these|those|the above)\s+(\w+\s+)?(complications|symptoms|signs|problems|traits|features|findings|"
    r"conditions|tests|factors|changes|abnormalities|characteristics|resources|organizations)\b",
    re.I,
)
# A lead-in whose list was lost ("A provider diagnoses celiac disease with"): it stops mid-sentence.
TRUNCATED = re.compile(
    r"\b(with|by|of|and|or|include|includes|including|such as|are|is|to|the|a|an|for|from|"
    r"in|on|as|like)\s*$",
    re.I,
)
GENERIC = frozenset(
    "treatment treatments treat treated treating therapy management manage managing approach initial first line "
    "diagnosis diagnose diagnosed symptoms symptom signs sign causes cause prognosis outlook prevention prevent "
    "risk risks test tests testing options option best common effects effect patients patient people adult adults "
    "disease condition problem used use information recommended recommendation guideline guidelines "
    "dose dosage doses medication medications drug drugs".split()
)
# For patients (#13): each grade a sentence reads above PLAIN_GRADE costs it PLAIN_WEIGHT of score (up to
# PLAIN_CAP), and a sentence from consumer material (MedlinePlus/NIH MedQuAD pages, NCI patient PDQ) or a
# label's patient sections gains CONSUMER_BONUS, so a plainer sentence that carries the same answer wins.
PLAIN_GRADE = 8.0
PLAIN_WEIGHT = 0.15
PLAIN_CAP = 1.5
CONSUMER_BONUS = 0.3
# Leaflet boilerplate in a label's patient sections: plain, but it answers nothing; never a patient's bullet.
BOILERPLATE = re.compile(
    r"call your doctor for medical advice about side effects|report side effects to (?:the )?FDA|1-800-FDA-1088"
    r"|does not take the place of talking|prescribed for purposes other than those listed"
    r"|exactly as your (?:healthcare provider|doctor) tells you|these are not all the possible side effects"
    r"|written for health(?:care)? professionals|for more information,? (?:go to|call)|keep .{0,40}out of the reach"
    r"|read the FDA-approved patient labeling|Medication Guide has been approved|the end of this (?:Medication Guide"
    r"|leaflet) for a (?:complete )?list",
    re.I,
)
# Who made, licensed or distributed a product, when its text was revised, and what a leaflet says of itself:
# true, cited, and no answer to anything, for any reader (a manufacturer line had become a drug's bottom line).
MAKER = re.compile(
    r"\b(?:used under licen[cs]e|licensed (?:from|to|by)|manufactured (?:by|for)|distributed by|marketed by"
    r"|packaged by|registered trademarks?|trademarks? of|all rights reserved"
    r"|revised:?\s*\d|\bRx only\b|not a disclosure of all|intended to aid in the safe and effective use"
    r"|does not (?:include|contain) all (?:the )?(?:possible|information))|©|®\s*is a",
    re.I,
)


@dataclass
class Candidate:
    text: str
    passage: Passage
    source: Source
    score: float
    cites: list[str]  # source ids
    context: str  # the passage text around the sentence, shown with the reference
    order: int
    lay: str | None = None  # what a patient reads instead: a house statement's reviewed plain-language version


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence or list item, with a list's lead-in joined to its items."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in BOUNDARY.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and LIST_ITEM.match(text[s:e]):
            lead = text[merged[-1][0] : merged[-1][1]].split("\n", 1)[0].rstrip()
            if not LIST_ITEM.match(lead) and (lead.endswith((":", ";")) or TRUNCATED.search(lead)):
                merged[-1] = (merged[-1][0], e)  # every item joins its lead-in: a list is never cut short
                continue
        merged.append((s, e))
    return merged


def _tidy(text: str) -> str:
    text = re.sub(
        r"\b(with|include|includes|including|such as|are|is|by|of)\s*(\n\s*[-*•]\s+)",
        r"\1:\2",
        text,
        count=1,
        flags=re.I,
    )  # "diagnosed with\n- a history" -> "diagnosed with: a history"
    text = re.sub(r"\s*\n\s*[-*•]\s+", "; ", text)
    text = LIST_ITEM.sub("", text)
    text = INLINE_BULLET.sub("; ", text).strip("; ")
    text = re.sub(r":\s*;\s*", ": ", text)
    text = " ".join(text.split())
    if text and text[-1] not in ".!?":
        text += "."
    return text


def label_sentence(text: str) -> str:
    """A label's sentence without a run-in subsection heading or pointers to its other sections; "" for a run of
    Highlights items (two or more section numbers), which reads as no sentence at all."""
    if len(SECTION_NUMBER.findall(text)) >= 2 or re.match(r"See,?\s*[“\"]", text):
        return ""
    text = TABLE_ROW.sub("", text)
    m = RUN_IN_HEADING.match(text) or NUMBERED_HEADING.match(text)
    if m and len(text) - m.end() > 30 and not re.match(r"(?:Patients|A|An|The)\s", text):
        text = text[m.end() :]
    return drop_cross_references(text)


def _cites_for(passage: Passage, start: int, end: int) -> list[str]:
    """The passage's own source plus the studies its markers inside this sentence name."""
    cites = [passage.source_id] if passage.source_id in passage.cites or not passage.cites else []
    marks = json.loads(passage.meta.get("marks", "[]"))
    for offset, ids in marks:
        if start <= offset <= end + 2:
            cites.extend(i for i in ids if i not in cites)
    return cites or list(passage.cites[:1])


def _context(text: str, start: int, end: int, width: int = 700) -> str:
    if len(text) <= 2 * width:
        return text
    a = max(0, start - width // 2)
    b = min(len(text), end + width // 2)
    return ("… " if a > 0 else "") + text[a:b].strip() + (" …" if b < len(text) else "")


def candidates(
    question_terms: list[str], hits: list[Hit], *, max_passages: int = 10, patient: bool = False
) -> list[Candidate]:
    """Score every sentence of the top passages by how much of the question it covers; for a patient, also by
    how plainly it reads and whether it comes from material written for patients (`plain_score`)."""
    focus = [t for t in question_terms if t not in GENERIC] or question_terms
    weights = {t: (2.0 if t in focus else 1.0) for t in question_terms}
    out: list[Candidate] = []
    order = 0
    for rank, hit in enumerate(hits[:max_passages]):
        text = hit.passage.text
        if hit.source.type == SourceType.DRUG_LABEL:
            text = SUBSECTION_START.sub("\n", text)
        hterms = set(content_terms(hit.passage.heading))
        mine: list[Candidate] = []
        for s, e in sentence_spans(text):
            raw = text[s:e].strip()
            words = raw.split()
            if len(words) < 6 or len(words) > 90 or raw.endswith(("?", ":")) or NOISE.match(raw):
                continue
            if DEPENDENT.search(raw.split(":", 1)[0] if ";" in raw else raw):  # a merged list keeps its lead-in
                continue
            if TRUNCATED.search(raw.rstrip(".")) or MAKER.search(raw):
                continue
            terms = set(content_terms(raw))
            overlap = sum(w for t, w in weights.items() if t in terms or _stem_in(t, terms))
            heading_overlap = sum(0.5 for t in focus if t in hterms)
            if overlap + heading_overlap == 0:
                continue
            score = (overlap + heading_overlap) / math.sqrt(max(8, len(words))) + 1.5 / (rank + 2)
            tidy = _tidy(raw)
            if hit.source.type == SourceType.DRUG_LABEL and not (tidy := label_sentence(tidy)):
                continue
            if patient:
                if BOILERPLATE.search(raw):
                    continue
                tidy = shorter(tidy)
                score += plain_score(tidy, hit.passage, hit.source)
            mine.append(
                Candidate(
                    text=tidy,
                    passage=hit.passage,
                    source=hit.source,
                    score=score,
                    cites=_cites_for(hit.passage, s, e),
                    context=_context(text, s, e),
                    order=order,
                )
            )
            order += 1
        if patient and hit.passage.lay_text and mine:
            mine = [_lay(hit, max(mine, key=lambda c: c.score))]
        out.extend(mine)
    out.sort(key=lambda c: c.score, reverse=True)
    return out


def _lay(hit: Hit, best: Candidate) -> Candidate:
    """A house statement for a patient: chosen as its best sentence would be (and kept on topic by that sentence),
    read as the statement's whole reviewed plain-language version, citing what the statement cites."""
    lay = shorter(_tidy(hit.passage.lay_text or ""))
    score = best.score - plain_score(best.text, hit.passage, hit.source) + plain_score(lay, hit.passage, hit.source)
    text = hit.passage.text
    cites = _cites_for(hit.passage, 0, len(text))
    return Candidate(best.text, hit.passage, hit.source, score, cites, _context(text, 0, len(text)), best.order, lay)


def lay_if_on_topic(cands: list[Candidate], on_topic: Callable[[list[Candidate]], list[Candidate]]) -> list[Candidate]:
    """Candidates whose plain-language version would not pass `on_topic` by itself (it no longer names the
    question's focus, and its passage is not about it) are read in the source's words instead."""
    return [c if c.lay is None or on_topic([replace(c, text=c.lay)]) else replace(c, lay=None) for c in cands]


def for_patients(passage: Passage, source: Source) -> bool:
    """Material written for patients: consumer pages (MedQuAD, NCI patient PDQ), a label's patient sections and
    the house statements' plain-language versions."""
    return (
        source.type == SourceType.PATIENT_INFORMATION
        or passage.meta.get("section") in PATIENT_SECTIONS
        or bool(passage.lay_text)
    )


def plain_score(text: str, passage: Passage, source: Source) -> float:
    """What a sentence's plainness adds to its score for a patient: at most CONSUMER_BONUS, at least -PLAIN_CAP."""
    over = max(0.0, sentence_grade(plain(text)) - PLAIN_GRADE)
    return -min(PLAIN_CAP, PLAIN_WEIGHT * over) + (CONSUMER_BONUS if for_patients(passage, source) else 0.0)


def _stem_in(term: str, terms: set[str]) -> bool:
    stem = term[:6] if len(term) > 6 else term
    return len(stem) >= 5 and any(t.startswith(stem) for t in terms)


def near_duplicate(a: str, b: str, threshold: float) -> bool:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    if not ta or not tb:
        return a.strip().lower() == b.strip().lower()
    return len(ta & tb) / min(len(ta), len(tb)) >= threshold
