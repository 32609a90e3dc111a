"""Which drugs a question names: label drugs (brand, generic, misspelt), drugs we hold no label for, and
which label sections answer the kind of question asked.

The names come from the drug-label sources in the index (`corpus/druglabels.py` writes them into each
source's `extra`), so a library built from an openFDA bulk download knows every drug in it.

Usage example::

    names = DrugNames.from_rows(rows, vocabulary)
    names.named("Does Lexapro cause weight gain?")     # [DrugName(generic='escitalopram', ...)]
    aspect_of("Can I take it while breastfeeding?")    # Aspect('pregnancy', ...)
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from medora.models import DrugName

WORD = re.compile(r"[a-z0-9][a-z0-9\-]*")
LABELS_PER_DRUG = 3  # a bulk download holds dozens of repackagers' copies of one generic: cite the newest few
# The label sections (openFDA fields) written for patients: Medication Guide, patient package insert, patient
# information and counselling. A patient's answer prefers their sentences; they read plainer.
PATIENT_SECTIONS = frozenset(
    {"information_for_patients", "spl_medguide", "spl_patient_package_insert", "patient_medication_information"}
)


# International (INN/British) names of drugs whose US labels use another name: a question may use either. Only names
# that denote the medicine alone (not "adrenaline" or "thyroxine", which are also the body's own hormones).
INTERNATIONAL_NAMES: dict[str, str] = {
    "paracetamol": "acetaminophen",
    "salbutamol": "albuterol",
    "glibenclamide": "glyburide",
    "frusemide": "furosemide",
    "lignocaine": "lidocaine",
    "pethidine": "meperidine",
    "ciclosporin": "cyclosporine",
    "rifampicin": "rifampin",
    "aciclovir": "acyclovir",
    "valaciclovir": "valacyclovir",
    "amoxycillin": "amoxicillin",
    "cefalexin": "cephalexin",
    "mesalazine": "mesalamine",
    "sulphasalazine": "sulfasalazine",
    "isoprenaline": "isoproterenol",
    "phenobarbitone": "phenobarbital",
    "beclometasone": "beclomethasone",
    "dexamfetamine": "dextroamphetamine",
    "hydroxycarbamide": "hydroxyurea",
    "glyceryl trinitrate": "nitroglycerin",
    "suxamethonium": "succinylcholine",
    "chlorphenamine": "chlorpheniramine",
    "torasemide": "torsemide",
    "dicycloverine": "dicyclomine",
}


@dataclass(frozen=True)
class Aspect:
    """A kind of drug question and the label sections (openFDA field names) that answer it, best first."""

    name: str
    title: str  # "Escitalopram (Lexapro): <title>"
    sections: tuple[str, ...]


# First match wins, so the narrower kinds come before the broad ones.
ASPECTS: tuple[tuple[Aspect, re.Pattern[str]], ...] = tuple(
    (Aspect(name, title, sections), re.compile(pattern))
    for name, title, sections, pattern in (
        (
            "overdose",
            "overdose",
            ("overdosage", "boxed_warning", "spl_medguide"),
            r"\b(overdos\w*|too (much|many)|took (extra|double)|poison\w*)\b",
        ),
        (
            "pregnancy",
            "pregnancy and breastfeeding",
            (
                "pregnancy",
                "nursing_mothers",
                "use_in_specific_populations",
                "pregnancy_or_breast_feeding",
                "teratogenic_effects",
                "labor_and_delivery",
            ),
            r"\b(pregnan\w*|breast-?\s?feed\w*|nursing|lactat\w*|trimester|conceiv\w*|fertility|baby)\b",
        ),
        (
            "populations",
            "use in specific populations",
            (
                "use_in_specific_populations",
                "dosage_and_administration",
                "contraindications",
                "warnings_and_cautions",
                "pediatric_use",
                "geriatric_use",
            ),
            r"\b(kidney|renal|liver|hepatic|dialysis|ckd|cirrhosis|elderly|older (adults?|people)|seniors?|"
            r"child(ren)?|kids?|pediatric|infants?|toddlers?|teen\w*)\b",
        ),
        (
            "interactions",
            "interactions",
            ("drug_interactions", "drug_and_or_laboratory_test_interactions", "warnings_and_cautions", "do_not_use"),
            r"\b(interact\w*|together|combin\w*|mix\w*|alcohol|drink\w*|beer|wine|grapefruit|with (other|my)|along with|"
            r"(take|use|have|taking|using) [\w'’. -]{2,40} with (?!food|meals?|water|milk)\w)",
        ),
        (
            "contraindications",
            "who should not take it",
            ("contraindications", "do_not_use", "warnings_and_cautions", "warnings", "boxed_warning"),
            r"\b(contraindicat\w*|should(n't| not) (i )?(take|use)|who (should|can)not|safe (for|if|with|in)|is it safe|"
            r"allerg\w*)\b",
        ),
        (
            "side effects",
            "side effects",
            ("adverse_reactions", "boxed_warning", "warnings_and_cautions", "warnings", "spl_medguide", "stop_use"),
            r"\b(side[- ]?effects?|adverse|reactions?|cause\w*|make (me|you|him|her)|weight|hair|sleep\w*|drows\w*|"
            r"tired|dizz\w*|nause\w*|rash|risk\w*|dangerous|harm\w*|bad for|withdraw\w*)\b",
        ),
        (
            "dose",
            "dosing",
            ("dosage_and_administration", "dosage_forms_and_strengths", "instructions_for_use", "spl_medguide"),
            r"\b(dos(e|es|age|ing)|how (much|many|often)|mg|milligrams?|maximum|max|missed|twice|once a day|"
            r"per day|a day|take it|when (should|do) (i|you) take|how (do|should) (i|you) (take|use))\b",
        ),
        (
            "time",
            "how long it takes and lasts",
            ("pharmacokinetics", "clinical_pharmacology", "dosage_and_administration", "pharmacodynamics"),
            r"\b(how long|half[- ]?life|stay in|wear off|kick in|start (to )?work\w*|take to work|last\w*|"
            r"out of (my|your) system)\b",
        ),
        (
            "mechanism",
            "how it works",
            ("mechanism_of_action", "clinical_pharmacology", "pharmacodynamics", "description"),
            r"\b(how does .* work|how .* works?|mechanism|what does .* do|class of|type of (drug|medication))\b",
        ),
        (
            "storage",
            "storage",
            ("storage_and_handling", "how_supplied", "other_safety_information"),
            r"\b(stor(e|age|ing)|refrigerat\w*|fridge|expir\w*|dispos\w*|room temperature|heat)\b",
        ),
        (
            "appearance",
            "what it contains and looks like",
            ("description", "how_supplied", "dosage_forms_and_strengths", "active_ingredient"),
            r"\b(look like|colou?r|imprint|pill|shape|ingredients?|contain\w*|gluten|lactose|made of|inactive)\b",
        ),
        (
            "indications",
            "uses",
            ("indications_and_usage", "purpose", "spl_medguide", "description"),
            r"\b(used? (for|to)|what is .* for|indicat\w*|treat\w*|help(s)? (with)?|good for|prescribed for|work for)\b",
        ),
    )
)
OVERVIEW = Aspect(
    "overview", "overview", ("indications_and_usage", "purpose", "description", "mechanism_of_action", "spl_medguide")
)

# International nonproprietary name stems (WHO INN "stem book"): a word ending so is almost surely a drug.
DRUG_STEM = re.compile(
    r"(cillin|mycin|micin|cycline|floxacin|oxacin|conazole|prazole|tidine|dipine|sartan|pril|olol|alol|statin|"
    r"gliptin|gliflozin|glitazone|formin|triptan|setron|afil|oxetine|triptyline|pramine|azepam|azolam|zolam|"
    r"barbital|caine|parin|xaban|gatran|semide|thiazide|terol|olone|asone|isone|lukast|profen|coxib|fenac|"
    r"tinib|ciclib|zumab|ximab|mumab|lizumab|navir|previr|asvir|ciclovir|amivir|vudine|dronate|tadine|tirizine|"
    r"peridone|apine|codone|morphone|orphine|adol|fentanil|mectin|methrin|gabalin|pentin|steride|zosin|"
    r"glutide|gliptin|lutamide|rozole|trozole|relin|pressin|tocin|vastatin|pamil|tiazem|olamine|amine|azine|"
    r"oxicam|lamide|zepine|zodone|bital|plase|ridone|mide|zine|irole|pexole|giline|dronate|tretinoin)$"
)
# Words around a name that mark the question as being about a medicine.
DRUG_CONTEXT = re.compile(
    r"\b(side[- ]?effects?|dos(e|es|age|ing)|mg|tablets?|pills?|capsules?|medicines?|medications?|drugs?|"
    r"prescri\w*|interact\w*|overdos\w*|take|taking|took|takes|on|stop(ped)?|start(ed)?|using|inject\w*|"
    r"shots?|cream|ointment|generic|brand|pharmac\w*|refill|withdrawal|safe)\b"
)
# A name used as a medicine: right after or right before one of these.
AS_MEDICINE_BEFORE = re.compile(
    r"\b(side[- ]?effects? of|effects? of|dos(e|es|age|ing) of|mg of|taking|take|took|takes|prescribed|"
    r"started|stopped|stop|start|on|off)\s+(the\s+|my\s+)?$"
)
AS_MEDICINE_AFTER = re.compile(
    r"^\s*(side[- ]?effects?|dos(e|es|age|ing)\b|\d*\s*mg\b|tablets?|pills?|capsules?|injections?|shots?|"
    r"withdrawal|overdose|interact\w*|and alcohol|er\b|xr\b|inhalers?|sprays?|(eye |ear )?drops|patch(es)?|"
    r"creams?|ointments?|gel\b|syrup|suspension|lozenges?)"
)
WEAK_AFTER = re.compile(r"^\s*(cause[sd]?|make[sd]?|help[sd]?|work[sd]?)\b")
NOT_A_NAME_AFTER = re.compile(r"^\s*(medications?|medicines?|drugs?|treatments?|therapy|therapies|meds)\b")
NOT_DRUGS = frozenset(
    """examine examination amine amines histamine dopamine serotonin vitamine protein proteins routine
    routines determine famine feminine medicine medicines urine migraine magazine vaccine vaccines uride
    fluoride chloride peroxide oxide bromide glucose fructose lactose cortisol insulin adrenaline
    hydroxide saline cocaine nicotine caffeine heroin cholesterol sterol ergosterol benzodiazepine
    benzodiazepines barbiturate barbiturates antihistamine antihistamines statin statins opioid opioids steroid
    steroids antibiotic antibiotics antidepressant antidepressants amphetamines triglyceride triglycerides
    creatinine bilirubin hemoglobin haemoglobin ferritin troponin""".split()
)


@dataclass
class _Label:
    source_id: str
    generic: str
    brands: list[str]
    effective: str


@dataclass
class DrugNames:
    """Name -> labels, for the drug labels in one index."""

    labels: dict[str, list[_Label]] = field(default_factory=dict)  # lower-case name -> labels (newest first)
    canonical: dict[str, str] = field(default_factory=dict)  # lower-case name -> generic name
    by_initial: dict[str, list[str]] = field(default_factory=dict)  # single-word names by first letter
    words_by_initial: dict[str, list[str]] = field(default_factory=dict)  # everyday words, by first letter
    vocabulary: frozenset[str] = frozenset()
    max_words: int = 1

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str]], vocabulary: frozenset[str]) -> DrugNames:
        """rows: (source id, "|"-joined generic names, "|"-joined brand names, effective date)."""
        out = cls()
        for sid, generics, brands, effective in rows:
            gen = [g for g in (generics or "").split("|") if g]
            if not gen:
                continue
            # a brand that is an everyday word ("Tabloid") would find a drug in every question using it
            brand = [b for b in (brands or "").split("|") if b and not all(w in vocabulary for w in b.split())]
            label = _Label(sid, gen[-1] if len(gen[-1]) < len(gen[0]) else gen[0], brand, effective or "")
            for name in gen + brand:
                out.labels.setdefault(name, []).append(label)
                out.canonical.setdefault(name, label.generic)
        for name, us_name in INTERNATIONAL_NAMES.items():  # "paracetamol" finds the acetaminophen label
            if us_name in out.labels and name not in out.labels:
                out.labels[name] = out.labels[us_name]
                out.canonical[name] = out.canonical[us_name]
        for name, labels in out.labels.items():
            labels.sort(key=lambda lab: lab.effective, reverse=True)
            if " " not in name and len(name) >= 5:
                out.by_initial.setdefault(name[0], []).append(name)
        out.max_words = max((len(n.split()) for n in out.labels), default=1)
        out.vocabulary = vocabulary
        for w in vocabulary:
            if len(w) >= 4:
                out.words_by_initial.setdefault(w[0], []).append(w)
        return out

    def __bool__(self) -> bool:
        return bool(self.labels)

    def named(self, text: str, known: Callable[[str], bool] = lambda w: True) -> list[DrugName]:
        """Label drugs the text names, by brand or generic name, or by a close misspelling of an unknown word."""
        words = WORD.findall(text.lower())
        found: dict[str, DrugName] = {}
        taken: set[int] = set()
        for size in range(min(self.max_words, 5), 0, -1):
            for i in range(len(words) - size + 1):
                if taken & set(range(i, i + size)):
                    continue
                gram = " ".join(words[i : i + size])
                if gram in self.labels:
                    self._add(found, gram, gram)
                    taken |= set(range(i, i + size))
        for i, w in enumerate(words):
            if i not in taken and (fixed := self.correct(w, known)):
                self._add(found, fixed, w)
        return list(found.values())

    def correct(self, word: str, known: Callable[[str], bool]) -> str | None:
        """The label drug name an unknown word is a misspelling of ("rivatigmine" -> "rivastigmine")."""
        if len(word) < 6 or not word.isalpha() or word in self.labels or word[0] not in self.by_initial:
            return None
        close = difflib.get_close_matches(word, self.by_initial[word[0]], n=1, cutoff=0.84)
        return close[0] if close and not known(word) else None

    def _add(self, found: dict[str, DrugName], name: str, said: str) -> None:
        generic = self.canonical[name]
        labels = [lab for n in (name, generic) for lab in self.labels.get(n, [])]
        ids = list(dict.fromkeys(lab.source_id for lab in labels))[:LABELS_PER_DRUG]
        if generic in found:
            drug = found[generic]
            drug.source_ids = list(dict.fromkeys(drug.source_ids + ids))[:LABELS_PER_DRUG]
            return
        brands = list(dict.fromkeys(b for lab in labels for b in lab.brands))
        found[generic] = DrugName(generic=generic, brands=brands, source_ids=ids, matched=said)

    def unlabelled(self, text: str, known: Callable[[str], bool]) -> str | None:
        """A drug the question clearly asks about that has no label here (its word as the question spells it).

        Its name has a drug-name stem ("amlodipine", "azithromycin"); or a word that is not everyday English
        is used as a medicine ("side effects of Humira", "Zyrtec dosage", "I'm on Zoloft"); or a word neither
        English nor anywhere in the library sits near a medicine cue ("does the buspar cause sleepiness").
        """
        lowered = text.lower()
        candidates = []
        for m in re.finditer(r"[A-Za-z][A-Za-z\-]{3,}", text):
            word = m.group().lower()
            if word in self.labels or word in NOT_DRUGS or self.correct(word, known):
                continue
            if NOT_A_NAME_AFTER.match(lowered[m.end() :]):
                continue  # "side effects of psoriasis medication": the medicine is not named
            candidates.append((m, word))
        for m, word in candidates:  # a drug-name stem is the surest sign, wherever the name sits
            if DRUG_STEM.search(word) and len(word) >= 7:
                return m.group()
        for m, word in candidates:
            if word in self.vocabulary or self._everyday(word):
                continue
            before, after = lowered[: m.start()], lowered[m.end() :]
            if AS_MEDICINE_BEFORE.search(before) or AS_MEDICINE_AFTER.match(after):
                return m.group()
            if (
                len(word) >= 5
                and not known(word)
                and (WEAK_AFTER.match(after) or _near_context(lowered, m.start(), m.end()))
            ):
                return m.group()
        return None

    def _everyday(self, word: str) -> bool:
        """A misspelt everyday word ("diabetis")."""
        return bool(difflib.get_close_matches(word, self.words_by_initial.get(word[0], []), n=1, cutoff=0.84))


def _near_context(text: str, start: int, end: int) -> bool:
    """A medicine cue within three words either side of the name."""
    before = " ".join(text[:start].split()[-3:])
    after = " ".join(text[end:].split()[:3])
    return bool(DRUG_CONTEXT.search(before) or DRUG_CONTEXT.search(after))


def aspect_of(question: str) -> Aspect:
    """What a drug question asks (dose, side effects, interactions, pregnancy...), with the sections answering it."""
    q = question.lower()
    return next((aspect for aspect, pattern in ASPECTS if pattern.search(q)), OVERVIEW)
