"""Drug questions are answered from the drug's FDA label, or told plainly that we have none (issue #13).

`ask()` calls `label_evidence` after retrieval: when the question names a drug the library holds a label
for, the evidence is that label's passages, the sections answering the kind of question asked first
(dose -> Dosage and administration, side effects -> Adverse reactions...). When it clearly asks about a
drug with no label, the answer says so and names it, instead of guessing from other sources.

Usage example::

    label = label_evidence("Does Lexapro cause weight gain?", engine, expansion)
    label.drugs[0].generic, label.hits[0].passage.heading   # ('escitalopram', 'Adverse reactions')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from medora.compose import Evidence, compose, modifiers_of, not_answered
from medora.compose.extractive import PATIENT_SECTIONS
from medora.drugnames import WORD, Aspect, aspect_of
from medora.models import Answer, Audience, DrugName, Hit, Status
from medora.retrieval import Expansion, SearchEngine
from medora.settings import Settings

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


@dataclass
class LabelEvidence:
    drugs: list[DrugName] = field(default_factory=list)
    aspect: Aspect | None = None
    hits: list[Hit] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # the question's words plus their expansions
    asked: list[str] = field(default_factory=list)  # the question's own words
    missing: str | None = None  # a drug the question asks about that has no label here

    @property
    def title(self) -> str:
        names = " and ".join(_display(d) for d in self.drugs[:2])
        return f"{names}: {self.aspect.title}" if self.aspect else names


def label_evidence(query: str, engine: SearchEngine, exp: Expansion) -> LabelEvidence | None:
    """The label passages answering a drug question; `missing` set for a drug without a label; None otherwise."""
    drugs = engine.drugs_named(query)
    aspect = aspect_of(query)
    if drugs and not (exp.topics and aspect.name in TOPIC_FIRST):
        ids = list(dict.fromkeys(sid for d in drugs for sid in d.source_ids))
        names = {w for d in drugs for n in [d.generic, d.matched, *d.brands] for w in WORD.findall(n)}
        rest = [t for t in exp.terms if t not in names]
        words = rest if len(rest) > 1 else rest + list(ASPECT_TERMS.get(aspect.name, ()))
        hits = engine.label_search(query, ids, aspect.sections, words=words)
        if hits:
            return LabelEvidence(drugs, aspect, hits, exp.terms + exp.added, exp.terms)
    if drugs or exp.topics:
        return None  # a house topic the question names answers it
    missing = engine.unlabelled_drug(query)
    return LabelEvidence(missing=missing) if missing else None


def label_answer(
    label: LabelEvidence, question: str, query: str, audience: Audience, engine: SearchEngine, settings: Settings
) -> Answer:
    """The answer composed from the label's passages, or the plain "no label" answer."""
    if not label.hits:
        name = label.missing or "this medicine"
        reason = (
            f"We have no FDA label for {name} in the library, so we cannot answer from its prescribing "
            "information. A pharmacist can answer questions about it, and its current label is on DailyMed "
            "(https://dailymed.nlm.nih.gov)."
        )
        declined = not_answered(question, audience, Status.INSUFFICIENT_EVIDENCE, reason)
        return declined.model_copy(update={"title": f"No FDA label for {name} in the library"})
    hits = _for_patients(label, query, engine) if audience == Audience.PATIENT else label.hits
    answer: Answer | None = None
    for terms in _term_choices(label):
        ev = Evidence(question=question, standalone=query, hits=hits, terms=terms, modifiers=modifiers_of(query))
        answer = compose(ev, engine.reader, audience, settings.compose)
        if answer.references:
            return answer.model_copy(update={"title": label.title})
    assert answer is not None  # _term_choices returns at least one choice
    return answer


def _for_patients(label: LabelEvidence, query: str, engine: SearchEngine) -> list[Hit]:
    """The label's passages for a patient: its patient sections (Medication Guide, patient information, patient
    counselling) ranked among the professional sections by the same retrieval score plus PATIENT_SECTION_LEAD
    (the professional sections keep the lead the question type gives them). Written for patients, a sentence
    from them reads plainer."""
    ids = list(dict.fromkeys(sid for d in label.drugs for sid in d.source_ids))
    names = {w for d in label.drugs for n in [d.generic, d.matched, *d.brands] for w in WORD.findall(n)}
    words = [t for t in label.asked if t not in names] or None
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


def _term_choices(label: LabelEvidence) -> list[list[str]]:
    """Words to choose the label's sentences by, most specific first. Every passage is about the drug, so its
    names go first ("Can I drink alcohol with lisinopril?" wants sentences on alcohol); if no sentence has
    the other words, the names come back, then the words naming the kind of question ("interactions")."""
    names = {w for d in label.drugs for n in [d.generic, d.matched, *d.brands] for w in WORD.findall(n)}
    rest = [t for t in label.asked if t not in names]
    cues = [w for w in ASPECT_TERMS.get(label.aspect.name, ()) if w not in rest] if label.aspect else []
    # the question's own words lead; the label's words for the kind of question help only a bare question
    choices = [rest + cues, rest] if len(rest) <= 1 else [rest, rest + cues]
    choices += [label.terms, label.terms + cues]
    return [c for i, c in enumerate(choices) if c and c not in choices[:i]] or [label.terms]


def _display(drug: DrugName) -> str:
    generic = drug.generic[:1].upper() + drug.generic[1:]
    return f"{generic} ({drug.brands[0].title()})" if drug.brands else generic
