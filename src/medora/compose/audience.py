"""Plain language for patients: a jargon glossary, shorter sentences, the choice of the plainest bullets and a
grade-level readability score."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from medora.models import Audience

T = TypeVar("T")
GLOSSARY_FILE = Path(__file__).resolve().parent.parent / "data" / "patient_glossary.tsv"
MODES = ("swap", "name", "explain", "keep")
# A plain rendering that says "not" is never put after a negation the sentence already has ("is not
# contraindicated" must not become "is not not safe to use"); the term stays as written there.
_NEGATION = re.compile(r"\b(not|no|never|without|cannot|n't)\b", re.I)
_NEGATION_BEFORE = re.compile(r"\b(not|no|never|without|cannot|nor)\W+(?:\w+\W+){0,3}$|n't\W+(?:\w+\W+){0,3}$", re.I)


@dataclass(frozen=True)
class Entry:
    term: str
    mode: str  # swap, name, explain or keep (see the data file's header)
    plain: str


def load_glossary(path: Path = GLOSSARY_FILE) -> dict[str, Entry]:
    """The patient glossary: lower-case term -> entry."""
    out: dict[str, Entry] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        term, mode, lay = (part.strip() for part in line.split("\t"))
        if mode not in MODES:
            raise ValueError(f"{path.name}: unknown mode {mode!r} for {term!r}")
        out[term.lower()] = Entry(term.lower(), mode, lay)
    return out


GLOSSARY: dict[str, Entry] = load_glossary()
_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, GLOSSARY), key=len, reverse=True)) + r")(?![\w-])", re.I
)


class PlainWriter:
    """Rewrites one answer's sentences for patients, remembering which terms it has already introduced.

    Only words change: numbers, doses, drug names and negations are never in a glossary term, so they pass
    through untouched. A term whose plain words the sentence already has is left alone (the source
    explains it itself), as is a term already followed by a bracket (an abbreviation or an explanation).

    >>> w = PlainWriter()
    >>> w("Hypertension raises the risk of stroke."), w("Treat hypertension early.")
    ('High blood pressure (hypertension) raises the risk of stroke.', 'Treat high blood pressure early.')
    """

    def __init__(self, glossary: dict[str, Entry] | None = None) -> None:
        self.glossary = GLOSSARY if glossary is None else glossary
        self.pattern = _PATTERN if glossary is None else _compile(glossary)
        self.introduced: set[str] = set()

    def __call__(self, text: str) -> str:
        return self.pattern.sub(lambda m: self._replace(m, text), text)

    def _replace(self, m: re.Match[str], text: str) -> str:
        found = m.group(1)
        entry = self.glossary[found.lower()]
        if entry.mode == "keep" or entry.plain.lower() in text.lower():
            return found
        if text[: m.start()].rstrip().endswith("("):  # the source's own technical name, given after its plain words
            return found
        if _NEGATION.search(entry.plain) and _NEGATION_BEFORE.search(text[: m.start()]):
            return found
        lay = entry.plain[0].upper() + entry.plain[1:] if found[0].isupper() and not found.isupper() else entry.plain
        bracket_follows = text[m.end() :].lstrip().startswith("(")
        first = entry.term not in self.introduced
        self.introduced.add(entry.term)
        if entry.mode == "swap" or (entry.mode == "name" and (not first or bracket_follows)):
            return lay
        if entry.mode == "name":
            return f"{lay} ({found[0].lower() + found[1:] if not found.isupper() else found})"
        return f"{found} ({entry.plain})" if first and not bracket_follows else found  # explain


def _compile(glossary: dict[str, Entry]) -> re.Pattern[str]:
    return re.compile(
        r"(?<![\w-])(" + "|".join(sorted(map(re.escape, glossary), key=len, reverse=True)) + r")(?![\w-])", re.I
    )


def plain(text: str) -> str:
    """One text on its own for patients: jargon swapped for plain words, technical names introduced once."""
    return PlainWriter()(text)


# Shorter sentences for patients, with every word kept: a label's section number glued to the sentence goes
# ("7.5 Lithium Lithium toxicity has..." -> "Lithium: Lithium toxicity has..."), and two whole clauses joined
# by a semicolon become two sentences.
_SECTION_NUMBER = re.compile(r"^\d+(?:\.\d+)+\s+")
_HEADING_SMALL_WORDS = frozenset("a an and by for in of on or the to with".split())
_FINITE = re.compile(
    r"\b(is|are|was|were|be|been|can|cannot|could|may|might|should|must|will|would|do|does|did|has|have|had|"
    r"need|needs|help|helps|cause|causes|work|works|take|takes|occur|occurs|increase|increases|reduce|reduces)\b",
    re.I,
)
_IMPERATIVE = re.compile(
    r"^(avoid|take|use|give|stop|start|call|see|ask|tell|check|keep|do|don't|never|seek|get|consider|treat|offer|"
    r"measure|monitor|repeat|drink|eat|wash|talk|continue|reduce|increase|follow)\b",
    re.I,
)


def strip_section_number(text: str) -> str:
    """A leading label section number dropped and its heading set off with a colon, since the heading may carry
    a fact ("2.2 Pediatric Dosage for X The dose..." -> "Pediatric Dosage for X: The dose...")."""
    m = _SECTION_NUMBER.match(text)
    if not m:
        return text
    words = text[m.end() :].split(" ")
    for i in range(1, len(words) - 1):
        w, nxt = words[i], words[i + 1]
        if w[:1].isupper() and nxt[:1].islower() and nxt.lower() not in _HEADING_SMALL_WORDS:
            return " ".join(words[:i]).rstrip(":") + ": " + " ".join(words[i:])
    return text[m.end() :]


def _clause(part: str) -> bool:
    return (
        len(part.split()) >= 4
        and part.count("(") == part.count(")")
        and bool(_FINITE.search(part) or _IMPERATIVE.match(part))
    )


def split_clauses(text: str) -> str:
    """Whole clauses joined by semicolons as separate sentences; a list (after a colon) is left as it is."""
    if ";" not in text or ":" in text.split(";", 1)[0]:
        return text
    parts = [p.strip() for p in text.split("; ")]
    if len(parts) < 2 or not all(_clause(p.rstrip(".")) for p in parts):
        return text
    out = []
    for p in parts:
        first = p.split(" ", 1)[0]
        if first.isalpha() and first.islower():
            p = p[0].upper() + p[1:]
        out.append(p if p.endswith((".", "!", "?")) else p + ".")
    return " ".join(out)


# A label's pointer to another of its sections: "[see Warnings and Precautions (5.1)]", "(see PRECAUTIONS)".
_CROSS_REFERENCE = re.compile(r"\s*(?:\[\s*see\b[^\]]*\]|\(\s*see\b[^()]*(?:\([^()]*\)[^()]*)*\))", re.I)
# Two clauses joined by ", and", ", but" or ", so" whose second one has its own subject.
_JOINED = re.compile(
    r",\s+(and|but|so)\s+(?=(?:it|they|this|these|those|you|we|he|she|there|the|a|an|your|their|its|most|many|"
    r"some|each|both|people|patients|doctors)\s)",
    re.I,
)
# Words that open a clause whose reach may run past the comma ("until the tests are clear, and you feel well"):
# a sentence with one before the join is left whole.
_SCOPING = re.compile(
    r"\b(if|when|whenever|although|though|because|while|unless|since|as|before|after|until|till|whether|once|"
    r"even|where|wherever|that|which|who|whose|than|provided|in case)\b",
    re.I,
)


def drop_cross_references(text: str) -> str:
    """A label's pointers to its other sections left out: a patient reading one sentence has no section 5.1."""
    out = _CROSS_REFERENCE.sub("", text)
    return re.sub(r"\s+([.,;:])", r"\1", out) if out != text else text


def split_joined(text: str) -> str:
    """Two whole clauses joined by ", and", ", but" or ", so", the second with its own subject, as two sentences;
    every word is kept. A sentence with a condition, time or relative clause before the join is left whole,
    since that clause may govern the second part too.

    >>> split_joined("Flares can last for weeks, but they can be treated.")
    'Flares can last for weeks. But they can be treated.'
    >>> split_joined("Keep taking it until the tests are clear, and you feel well.")
    'Keep taking it until the tests are clear, and you feel well.'
    """
    if ";" in text or ":" in text:
        return text
    m = _JOINED.search(text)
    if not m:
        return text
    left, right = text[: m.start()], text[m.end() :]
    if _SCOPING.search(left) or left.count("(") != left.count(")"):
        return text
    if not _clause(left) or not _clause(right.rstrip(".")):
        return text
    return f"{left}. {m.group(1).capitalize()} {right}"


def shorter(text: str) -> str:
    """A sentence as a patient reads it: no section number or cross-reference, whole clauses as their own
    sentences (split at a semicolon or at ", and/but/so" before a new subject). Only punctuation and
    capitals change; every word, number and negation stays."""
    return split_joined(split_clauses(drop_cross_references(strip_section_number(text))))


# A patient's answer from passages (not a house topic's article): the bottom line and at most PATIENT_BULLETS - 1
# more, chosen from the PATIENT_POOL best-ranked sentences, the plainest of them first (a sentence at grade
# PLAIN_TARGET or below counts as plain; among those, rank order decides). A sentence above HARD_GRADE is left
# out while at least MIN_BULLETS plainer ones remain.
PATIENT_BULLETS = 6
PATIENT_POOL = 12
PLAIN_TARGET = 8.0
HARD_GRADE = 14.0
MIN_BULLETS = 3


def reading_grade(text: str) -> float:
    """The grade a patient's sentence reads at once the glossary has rewritten it."""
    return sentence_grade(plain(text))


def too_hard(text: str) -> bool:
    """A sentence a patient should get only if nothing plainer answers (Flesch-Kincaid grade above HARD_GRADE)."""
    return reading_grade(text) > HARD_GRADE


def plainest(items: list[T], text: Callable[[T], str], keep: int = PATIENT_BULLETS) -> list[T]:
    """The first item (the bottom line) and the `keep` - 1 others that read plainest, ties (everything at
    PLAIN_TARGET or below) going to the better-ranked; returned in their original order."""
    if len(items) <= keep:
        return items
    over = {id(it): max(0.0, reading_grade(text(it)) - PLAIN_TARGET) for it in items[1:]}
    order = {id(it): i for i, it in enumerate(items)}
    rest = sorted(items[1:], key=lambda it: (over[id(it)], order[id(it)]))[: keep - 1]
    return [items[0], *sorted(rest, key=lambda it: order[id(it)])]


_VOWELS = re.compile(r"[aeiouy]+")
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


def syllables(word: str) -> int:
    """Vowel-group count with the silent-e and -le rules; close to dictionary counts for English prose."""
    w = word.lower()
    n = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and n > 1:
        n -= 1
    return max(1, n)


def sentence_grade(text: str) -> float:
    """Flesch-Kincaid grade of a short text however few words it has (for choosing between sentences)."""
    words = _WORD.findall(text)
    if not words:
        return 0.0
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text)))
    syl = sum(syllables(w) for w in words)
    return 0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59


def grade_level(text: str) -> float | None:
    """Flesch-Kincaid grade level (Kincaid et al. 1975) of the text.

    Computed here with a heuristic syllable counter so an answer costs microseconds; textstat
    0.7.8's dictionary lookup takes seconds to load in a cold process. The evaluation suite
    cross-checks these grades against textstat.
    """
    words = _WORD.findall(text)
    if len(words) < 10:
        return None
    sentences = max(1, len(re.findall(r"[.!?]+(?:\s|$)", text)))
    syl = sum(syllables(w) for w in words)
    return round(0.39 * len(words) / sentences + 11.8 * syl / len(words) - 15.59, 1)


DISCLAIMERS = {
    Audience.CLINICIAN: (
        "For healthcare professionals. Medora summarises published guidelines and research to support, not "
        "replace, clinical judgement. Check doses, contraindications and recommendations against the cited "
        "sources and your local protocols before acting. Answers marked pending review have not yet been "
        "approved by Medora's medical advisory board."
    ),
    Audience.PATIENT: (
        "This information is for learning only. It is not a diagnosis and does not replace advice from your "
        "own doctor, nurse or pharmacist, who know your health. If you think you may have an emergency, call "
        "your local emergency number now."
    ),
}
SEEK_CARE_INTRO = (
    "See a doctor promptly if your symptoms are severe, getting worse, or worrying you; "
    "call your local emergency number for any sign of an emergency."
)
