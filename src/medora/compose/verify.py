"""Check every bullet a model proposes against the passages it cites, before anything is shown.

A bullet is shown only when
  * each number it cites is a passage the model was given,
  * the local support judge (content-word overlap and MiniLM similarity, `medora.eval.support`) finds
    a window of the cited passages that supports it, with the same negation polarity, and
  * every number, dose (number with its unit), drug name and negation it states appears in a cited
    passage: a changed dose, an added drug or a flipped "not" is never "supported" by topical overlap.
A bullet that fails is re-cited to the given passage (or the cited passages plus one more) that passes
every check, or dropped. Problems are counted by kind for the answer's `verification` record.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from medora.compose.prompt import Given, ProposedBullet
from medora.compose.support import SupportJudge, content_words, negated, windows
from medora.drugnames import DRUG_STEM, NOT_DRUGS

MAX_BULLET_CHARS = 600

NUMBER_WORDS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
    "twice": "2",
    "thrice": "3",
}
UNITS = {
    "mg": "mg",
    "milligram": "mg",
    "mcg": "mcg",
    "µg": "mcg",
    "μg": "mcg",
    "ug": "mcg",
    "microgram": "mcg",
    "g": "g",
    "gram": "g",
    "kg": "kg",
    "ml": "ml",
    "milliliter": "ml",
    "millilitre": "ml",
    "l": "l",
    "liter": "l",
    "litre": "l",
    "unit": "unit",
    "iu": "unit",
    "mmol": "mmol",
    "meq": "meq",
    "%": "%",
    "percent": "%",
    "hour": "hour",
    "hr": "hour",
    "h": "hour",
    "day": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "year": "year",
    "yr": "year",
    "minute": "minute",
    "min": "minute",
    "time": "time",
    "mmhg": "mmhg",
    "bpm": "bpm",
    "tablet": "tablet",
    "capsule": "capsule",
    "dose": "dose",
}
_NUM = r"\d+(?:[.,]\d+)*"
_UNIT = r"(?:" + "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True)) + r")(?:e?s)?"
DOSE = re.compile(rf"((?:{_NUM}\s*(?:-|–|to|or|and|,)\s*)*)({_NUM})\s*({_UNIT})(?![a-z])", re.I)
NUMBER = re.compile(_NUM)
WORD = re.compile(r"[a-zµμ%0-9][a-zµμ0-9\-]*", re.I)
# Words with a drug-name ending that are not drugs (the stems come from the WHO INN stem book via drugnames).
NOT_DRUG_WORDS = NOT_DRUGS | frozenset("cholesterol orbital april hospital capital vital examine".split())
# Everyday drugs that no INN stem catches.
COMMON_DRUGS = frozenset(
    """aspirin acetaminophen paracetamol ibuprofen naproxen warfarin heparin insulin metformin morphine codeine
    tramadol oxycodone hydrocodone prednisone prednisolone dexamethasone hydrocortisone colchicine allopurinol
    febuxostat levothyroxine lithium digoxin amiodarone nitroglycerin clopidogrel ticagrelor naloxone epinephrine
    adrenaline atropine ondansetron furosemide spironolactone methotrexate tamoxifen nitrofurantoin trimethoprim
    sulfamethoxazole fosfomycin cephalexin ceftriaxone cefuroxime amoxicillin penicillin doxycycline azithromycin
    clarithromycin vancomycin metronidazole clindamycin acyclovir valacyclovir oseltamivir fluconazole
    levofloxacin ciprofloxacin gabapentin pregabalin sertraline fluoxetine citalopram escitalopram bupropion
    trazodone mirtazapine quetiapine olanzapine risperidone haloperidol lorazepam diazepam alprazolam
    clonazepam zolpidem melatonin omeprazole pantoprazole ranitidine famotidine loperamide metoclopramide
    montelukast salbutamol albuterol budesonide fluticasone tiotropium ipratropium apixaban rivaroxaban
    dabigatran enoxaparin alteplase tenecteplase thrombolysis statin statins atorvastatin simvastatin
    rosuvastatin lisinopril ramipril enalapril losartan valsartan amlodipine nifedipine diltiazem verapamil
    metoprolol atenolol bisoprolol carvedilol propranolol hydrochlorothiazide chlorthalidone semaglutide
    liraglutide empagliflozin dapagliflozin sitagliptin glipizide gliclazide pioglitazone ketorolac diclofenac
    celecoxib meloxicam indomethacin sumatriptan rizatriptan topiramate valproate lamotrigine levetiracetam
    carbamazepine phenytoin donepezil memantine rivastigmine tamsulosin finasteride sildenafil tadalafil
    estradiol progesterone testosterone levonorgestrel misoprostol oxytocin magnesium potassium iron ferrous
    folate vitamin isotretinoin tretinoin hydroxychloroquine adalimumab infliximab rituximab""".split()
)

Outcome = Literal["kept", "recited", "dropped"]


def _num(text: str) -> str:
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", text):
        return text.replace(",", "")
    return text.replace(",", ".").rstrip(".")


def _unit(text: str) -> str:
    u = text.lower()
    if u in UNITS:
        return UNITS[u]
    for suffix in ("es", "s"):
        if u.endswith(suffix) and u[: -len(suffix)] in UNITS:
            return UNITS[u[: -len(suffix)]]
    return u


def numbers(text: str) -> set[str]:
    """Every number stated, digits or words: 'twice', '2' -> '2'; '1,000' -> '1000'; '0.6' -> '0.6'."""
    out = {_num(n) for n in NUMBER.findall(text)}
    out |= {NUMBER_WORDS[w] for w in WORD.findall(text.lower()) if w in NUMBER_WORDS}
    return out


def doses(text: str) -> set[tuple[str, str]]:
    """(number, unit) pairs, a unit shared along a list: '500 or 1000 mg' -> {('500','mg'), ('1000','mg')}."""
    out: set[tuple[str, str]] = set()
    for m in DOSE.finditer(text):
        unit = _unit(m.group(3))
        out.add((_num(m.group(2)), unit))
        out |= {(_num(n), unit) for n in NUMBER.findall(m.group(1))}
    return out


def _plain(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 5 else word


def drugs(text: str, known: Iterable[str] = ()) -> set[str]:
    """Drug names in the text: an INN stem ('-olol', '-mycin'...), an everyday drug, or a name in `known`."""
    known_set = known if isinstance(known, (set, frozenset)) else set(known)
    out = set()
    for w in WORD.findall(text.lower()):
        w = w.strip("-")
        if len(w) < 5:
            continue
        if w in COMMON_DRUGS or w in known_set or (w not in NOT_DRUG_WORDS and DRUG_STEM.search(w) and w.isalpha()):
            out.add(_plain(w))  # a named drug or drug class always counts, whatever the stem lists leave out
    return out


MIN_STATEMENT_WORDS = 4


def statement(text: str) -> bool:
    """A bullet states something: at least four words, and not a heading or a title ("Surgery for
    Hyperthyroidism", "Management:"), which topical overlap alone would let through as "supported"."""
    words = text.rstrip(".").split()
    if len(words) < MIN_STATEMENT_WORDS or text.rstrip().endswith(":"):
        return False
    capitalised = [w for w in words if w[:1].isupper()]
    return len(capitalised) < 0.6 * len(words) or text.rstrip().endswith((".", "!", "?"))


def _words(text: str) -> set[str]:
    return {_plain(w.strip("-")) for w in WORD.findall(text.lower())}


@dataclass
class Verdict:
    outcome: Outcome
    text: str
    cites: list[int]
    kind: str | None
    problems: list[str] = field(default_factory=list)  # found in the bullet as proposed


@dataclass
class Verifier:
    """Verifies proposed bullets against the numbered passages the model was given."""

    given: list[Given]
    judge: SupportJudge
    known_drugs: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self._by_n = {g.n: g for g in self.given}

    def evidence(self, cites: list[int]) -> str:
        return "\n".join(t for n in cites for t in [self._by_n[n].text, *self._by_n[n].alt])

    def problems(self, text: str, cites: list[int]) -> list[str]:
        """What keeps `text` from being shown with these (valid) citations; empty when it may be shown."""
        if not cites:
            return ["no_citation"]
        evidence = self.evidence(cites)
        out = []
        if not numbers(text) <= numbers(evidence):
            out.append("number")
        elif not doses(text) <= doses(evidence):
            out.append("dose")
        if not drugs(text, self.known_drugs) <= _words(evidence):
            out.append("drug")
        supporting = self._supporting(text, evidence)
        if not supporting:
            out.append("unsupported")
        elif all(negated(w) != negated(text) for w in supporting):
            out.append("negation")
        elif negated(text) and not negated(evidence):
            out.append("negation")
        return out

    def _supporting(self, text: str, evidence: str) -> list[str]:
        """The windows of the evidence that reach both of the judge's thresholds."""
        j = self.judge
        return [m.window for m in j.matches(text, evidence) if m.cosine >= j.cosine and m.overlap >= j.overlap]

    def verify(self, b: ProposedBullet) -> Verdict:
        text = " ".join(b.text.split())
        if not text or len(text) > MAX_BULLET_CHARS or not content_words(text):
            return Verdict("dropped", text, [], b.kind, ["empty_or_long"])
        if not statement(text):  # a heading or a title is never a bullet, however well it matches
            return Verdict("dropped", text, [], b.kind, ["not_a_statement"])
        valid = [n for n in dict.fromkeys(b.cites) if n in self._by_n]
        found = ["citation_outside"] if len(valid) < len(b.cites) else []
        found += self.problems(text, valid)
        if not found:
            return Verdict("kept", text, valid, b.kind)
        if valid and not self.problems(text, valid):  # only the invented citations were wrong
            return Verdict("recited", text, valid, b.kind, found)
        cites = self._recite(text, valid)
        if cites is not None:
            return Verdict("recited", text, cites, b.kind, found)
        return Verdict("dropped", text, [], b.kind, found)

    def _recite(self, text: str, valid: list[int]) -> list[int] | None:
        """The fewest citations that make `text` pass: one passage alone, else the valid ones plus one more."""
        sv = self.judge.vectors([text])[0]

        def closeness(cites: list[int]) -> float:
            wins = windows(self.evidence(cites))
            return float((self.judge.vectors(wins) @ sv).max()) if wins else 0.0

        singles = [[g.n] for g in self.given if [g.n] != valid]
        pairs = [sorted({*valid, g.n}) for g in self.given if g.n not in valid] if valid else []
        for tries in (singles, pairs):
            passing = [c for c in tries if not self.problems(text, c)]
            if passing:
                return max(passing, key=closeness)
        return None


def tally(verdicts: list[Verdict]) -> tuple[Counter[str], Counter[str]]:
    """(outcomes, problems) counted over the verdicts."""
    return Counter(v.outcome for v in verdicts), Counter(p for v in verdicts for p in v.problems)
