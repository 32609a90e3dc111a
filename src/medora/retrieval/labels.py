"""Drug questions are answered from the drug's FDA label (#13): finding the label passages that answer one.

When the question names a drug the library holds a label for, the evidence is that label's passages, the
sections answering the kind of question asked first (dose -> Dosage and administration, side effects ->
Adverse reactions...); for a patient, the label's patient sections are ranked in too. When it clearly asks
about a drug with no label, `missing` names it. `medora.druganswers` composes the answer from this.

Usage example::

    label = label_evidence("Does Lexapro cause weight gain?", engine, engine.expand("Does Lexapro cause weight gain?"))
    label.drugs[0].generic, label.hits[0].passage.heading   # ('escitalopram', 'Adverse reactions')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from medora.drugnames import PATIENT_SECTIONS, WORD, Aspect, aspect_of
from medora.models import Audience, DrugName, Hit

if TYPE_CHECKING:
    from medora.retrieval.engine import Expansion, SearchEngine

# Kinds of question a house topic answers better than a label when the question names both ("what dose of
# prednisone for a gout flare" wants the gout guidance); a label is the authority on the rest.
TOPIC_FIRST = frozenset({"dose", "indications", "overview"})
# A patient's answer ranks a label's patient sections this far ahead of its professional ones (retrieval
# score: similarity to the question plus word overlap): near enough, the plainer passage is read first.
PATIENT_SECTION_LEAD = 0.1
# Words the label uses where it answers each kind of question: they steer the choice of sentences.
ASPECT_TERMS: dict[str, tuple[str, ...]] = {
    "overview": ("indicated", "treat", "used"),
    "indications": ("indicated", "treat", "used"),
    "dose": ("recommended", "dose", "dosage", "daily"),
    "side effects": ("adverse", "reactions", "common"),
    "interactions": ("concomitant", "coadministration", "interaction"),
    "pregnancy": ("pregnancy", "lactation", "breastfed", "milk"),
    "populations": ("impairment", "patients"),
    "contraindications": ("contraindicated",),
    "mechanism": ("mechanism", "action"),
    "time": ("half-life", "hours", "peak", "steady"),
    "overdose": ("overdosage", "overdose"),
    "storage": ("store", "temperature"),
    "appearance": ("tablets", "inactive", "ingredients"),
}

# A patient's word -> the words a label uses for it ("side effects" are "adverse reactions" there): a sentence
# that answers in the label's words is found by the patient's.
LABEL_WORDS: dict[str, tuple[str, ...]] = {
    "side": ("adverse", "reactions"),
    "effects": ("adverse", "reactions"),
    "pregnant": ("pregnancy",),
    "breastfeeding": ("lactation", "breastfed", "milk"),
    "breastfeed": ("lactation", "breastfed", "milk"),
    "nursing": ("lactation", "breastfed", "milk"),
    "kidney": ("renal",),
    "kidneys": ("renal",),
    "liver": ("hepatic",),
    "children": ("pediatric",),
    "child": ("pediatric",),
    "kids": ("pediatric",),
    "elderly": ("geriatric",),
    "allergic": ("hypersensitivity",),
    "allergy": ("hypersensitivity",),
    "together": ("concomitant", "coadministration"),
    "mix": ("concomitant", "coadministration"),
    "overdose": ("overdosage",),
}


def in_label_words(words: list[str]) -> list[str]:
    """`words` followed by the label's own words for any of them (LABEL_WORDS), each once."""
    extra = [w for t in words for w in LABEL_WORDS.get(t, ()) if w not in words]
    return [*words, *dict.fromkeys(extra)]


@dataclass
class LabelEvidence:
    drugs: list[DrugName] = field(default_factory=list)
    aspect: Aspect | None = None
    hits: list[Hit] = field(default_factory=list)  # for a patient, the patient sections ranked in
    terms: list[str] = field(default_factory=list)  # the question's words plus their expansions
    asked: list[str] = field(default_factory=list)  # the question's own words
    missing: str | None = None  # a drug the question asks about that has no label here

    @property
    def title(self) -> str:
        names = " and ".join(_display(d) for d in self.drugs[:2])
        return f"{names}: {self.aspect.title}" if self.aspect else names

    @property
    def names(self) -> set[str]:
        return name_words(self.drugs)


def name_words(drugs: list[DrugName]) -> set[str]:
    """Every word of the drugs' names (generic, as matched, brands): each passage of their labels has them."""
    return {w for d in drugs for n in [d.generic, d.matched, *d.brands] for w in WORD.findall(n)}


def label_evidence(
    query: str, engine: SearchEngine, exp: Expansion, audience: Audience = Audience.CLINICIAN
) -> LabelEvidence | None:
    """The label passages answering a drug question; `missing` set for a drug without a label; None otherwise."""
    drugs = engine.drugs_named(query)
    aspect = aspect_of(query)
    if drugs and not (exp.topics and aspect.name in TOPIC_FIRST):
        ids = list(dict.fromkeys(sid for d in drugs for sid in d.source_ids))
        names = name_words(drugs)
        rest = in_label_words([t for t in exp.terms if t not in names])
        words = rest if len(rest) > 1 else rest + list(ASPECT_TERMS.get(aspect.name, ()))
        hits = engine.label_search(query, ids, aspect.sections, words=words)
        if hits:
            label = LabelEvidence(drugs, aspect, hits, exp.terms + exp.added, exp.terms)
            if audience == Audience.PATIENT:
                label.hits = _for_patients(label, query, engine)
            return label
    if drugs or exp.topics:
        return None  # a house topic the question names answers it
    missing = engine.unlabelled_drug(query)
    return LabelEvidence(missing=missing) if missing else None


def _for_patients(label: LabelEvidence, query: str, engine: SearchEngine) -> list[Hit]:
    """The label's passages for a patient: its patient sections (Medication Guide, patient information, patient
    counselling) ranked among the professional sections by the same retrieval score plus PATIENT_SECTION_LEAD
    (the professional sections keep the lead the question type gives them). Written for patients, a sentence
    from them reads plainer."""
    ids = list(dict.fromkeys(sid for d in label.drugs for sid in d.source_ids))
    words = in_label_words([t for t in label.asked if t not in label.names]) or None
    seen = {h.passage.id for h in label.hits}
    extra = [
        h
        for h in engine.label_search(query, ids, (), k=24, words=words)
        if h.passage.meta.get("section") in PATIENT_SECTIONS and h.passage.id not in seen
    ]
    if not extra:
        return label.hits

    def lead(h: Hit) -> float:
        return h.score + (PATIENT_SECTION_LEAD if h.passage.meta.get("section") in PATIENT_SECTIONS else 0.0)

    return sorted([*label.hits, *extra[:6]], key=lead, reverse=True)


def _display(drug: DrugName) -> str:
    generic = drug.generic[:1].upper() + drug.generic[1:]
    return f"{generic} ({drug.brands[0].title()})" if drug.brands else generic
