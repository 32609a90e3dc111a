"""Patient answers read plainly without losing the facts (#13): the glossary, plainness in sentence choice."""

from __future__ import annotations

import re

import pytest

from medora.compose import Evidence, compose
from medora.compose.audience import GLOSSARY, MODES, PlainWriter, plain, sentence_grade, shorter
from medora.compose.extractive import PLAIN_CAP, candidates, plain_score
from medora.models import Audience, Hit, Passage, Source
from medora.settings import ComposeSettings

pytestmark = pytest.mark.unit

NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
NEGATION = re.compile(r"\b(not|no|never|without|cannot|do not|don't|avoid)\b", re.I)
DRUGS = ("lisinopril", "ibuprofen", "warfarin", "metformin", "sertraline", "apixaban", "aspirin", "NSAIDs")

# Sentences in the style of label and guideline text, dense with the glossary's terms, numbers and negations.
SENTENCES = [
    "Lisinopril is contraindicated in patients with a history of angioedema related to previous treatment.",
    "Lisinopril is not contraindicated in patients with renal impairment, but the dose is 2.5 mg daily.",
    "Do not administer ibuprofen 400 mg orally more often than every 4 to 6 hours.",
    "Discontinue warfarin approximately 5 days prior to surgery; it is not necessary in minor procedures.",
    "Metformin is contraindicated in severe renal impairment (eGFR below 30 mL/min/1.73 m2).",
    "Hypertension, hyperkalemia and hypotension were reported in 3% to 5% of patients.",
    "Concomitant use of NSAIDs with anticoagulants such as warfarin increases the risk of hemorrhage.",
    "Sertraline was not associated with myocardial infarction in 1,203 patients over 12 weeks.",
    "Never exceed 4 g of acetaminophen in 24 hours; hepatotoxicity can occur without symptoms.",
    "Apixaban should not be discontinued prematurely because thrombosis risk rises after 2 days.",
    "Pediatric patients younger than 6 months should not receive aspirin because of Reye syndrome.",
    "Insufficient data exist on lactation; human milk levels were below 1% of the maternal dose.",
]


def test_glossary_entries_are_short_and_carry_no_numbers_or_drug_names() -> None:
    assert len(GLOSSARY) >= 150
    for term, entry in GLOSSARY.items():
        assert entry.mode in MODES, term
        assert not NUMBER.search(entry.plain), term
        assert len(entry.plain.split()) <= 8, term
        assert not any(d.lower() in entry.plain.lower() for d in DRUGS), term
        if entry.mode == "keep":
            assert entry.plain.lower() == term


@pytest.mark.parametrize("sentence", SENTENCES)
def test_numbers_negations_and_drug_names_survive(sentence: str) -> None:
    out = plain(sentence)
    assert NUMBER.findall(out) == NUMBER.findall(sentence)
    before = [m.lower() for m in NEGATION.findall(sentence)]
    after = [m.lower() for m in NEGATION.findall(out)]
    assert all(after.count(n) >= before.count(n) for n in set(before)), (sentence, out)
    for drug in DRUGS:
        assert sentence.count(drug) == out.count(drug), (drug, out)
    assert "not not" not in out.lower()


def test_a_negated_term_keeps_its_technical_word_rather_than_doubling_the_negation() -> None:
    assert plain("Lisinopril is not contraindicated in pregnancy.") == "Lisinopril is not contraindicated in pregnancy."
    assert (
        plain("Ibuprofen is contraindicated after heart surgery.")
        == "Ibuprofen is not safe to use after heart surgery."
    )


def test_a_technical_name_is_introduced_once_then_the_plain_words_carry_on() -> None:
    w = PlainWriter()
    first = w("Hypertension raises the risk of stroke.")
    second = w("Hypertension is treated with lisinopril.")
    assert first == "High blood pressure (hypertension) raises the risk of stroke."
    assert second == "High blood pressure is treated with lisinopril."
    assert plain("High blood pressure (hypertension) is common.") == "High blood pressure (hypertension) is common."
    assert plain("Myocardial infarction (MI) is rare.") == "Heart attack (MI) is rare."


def test_names_that_contain_glossary_words_stay_as_written() -> None:
    for name in ("chronic obstructive pulmonary disease", "sickle cell anemia", "Medication Guide", "cardiac arrest"):
        assert plain(f"Read about {name} here.") == f"Read about {name} here."
    assert plain("Take it orally.") == "Take it by mouth."


def test_sentence_grade_prefers_plain_words() -> None:
    assert sentence_grade("Take one pill by mouth each day with food.") < sentence_grade(
        "Administer the medication orally once daily concomitantly with nutritional intake."
    )


def _hit(pid: str, text: str, kind: str = "Patient information", section: str | None = None, score: float = 1.0) -> Hit:
    src = Source(id=f"src-{pid}", type=kind, title=f"Source {pid}", organization="Org", year=2020)
    meta = {"section": section} if section else {}
    return Hit(passage=Passage(id=pid, source_id=src.id, text=text, cites=[src.id], meta=meta), source=src, score=score)


PROFESSIONAL = (
    "Gout flares are managed with colchicine, nonsteroidal anti-inflammatory drugs or glucocorticoids, selected "
    "according to comorbidities, contraindications and concomitant pharmacotherapy considerations."
)
CONSUMER = "Doctors treat gout flares with colchicine, anti-inflammatory pain pills or steroid medicines."


def test_clinician_candidates_are_unchanged_by_the_patient_terms() -> None:
    hits = [_hit("a", PROFESSIONAL, kind="Textbook"), _hit("b", CONSUMER)]
    terms = ["gout", "flares", "colchicine", "treat"]
    default = [(c.text, round(c.score, 9)) for c in candidates(terms, hits)]
    clinician = [(c.text, round(c.score, 9)) for c in candidates(terms, hits, patient=False)]
    assert default == clinician
    patient = {c.text: c.score for c in candidates(terms, hits, patient=True)}
    base = dict(default)
    assert patient[PROFESSIONAL] < base[PROFESSIONAL]  # professional text, long words: it loses ground
    assert patient[CONSUMER] - base[CONSUMER] > patient[PROFESSIONAL] - base[PROFESSIONAL] + 0.5


def test_plain_score_is_bounded_and_rewards_patient_sections() -> None:
    label = _hit("l", CONSUMER, kind="Drug label", section="spl_medguide")
    pro = _hit("p", CONSUMER, kind="Drug label", section="clinical_pharmacology")
    assert plain_score(CONSUMER, label.passage, label.source) > plain_score(CONSUMER, pro.passage, pro.source)
    assert -PLAIN_CAP <= plain_score(PROFESSIONAL * 3, pro.passage, pro.source) <= 0.0


class _Library:
    def topic_passages(self, topic: str) -> list[Passage]:
        return []

    def source(self, sid: str) -> Source | None:
        return None


def test_clinician_answer_quotes_the_source_and_patient_answer_keeps_its_citations() -> None:
    text = (
        "Hypertension is treated with lisinopril 10 mg daily. "
        "Lisinopril is contraindicated in patients with a history of angioedema. "
        "Hypertension is not treated with lisinopril in pregnancy."
    )
    hits = [_hit("h", text, kind="Textbook")]
    ev = Evidence(
        question="How is hypertension treated?",
        standalone="How is hypertension treated?",
        hits=hits,
        terms=["hypertension", "treated", "lisinopril"],
    )
    clin = compose(ev, _Library(), Audience.CLINICIAN, ComposeSettings())
    pat = compose(ev, _Library(), Audience.PATIENT, ComposeSettings())
    clin_texts = [clin.summary.text, *(b.text for s in clin.sections for b in s.bullets)]
    pat_bullets = [clin.summary, *(b for s in clin.sections for b in s.bullets)]
    assert all(t in text for t in clin_texts)  # the clinician reads the source's own words
    pat_texts = [pat.summary.text, *(b.text for s in pat.sections for b in s.bullets)]
    assert sorted(NUMBER.findall(" ".join(pat_texts))) == sorted(NUMBER.findall(" ".join(clin_texts)))
    assert " ".join(pat_texts).count("not") >= " ".join(clin_texts).count("not")
    assert all(b.citations for b in [pat.summary, *(b for s in pat.sections for b in s.bullets)])
    assert len(pat_bullets) == len(pat_texts)
    assert sum("(hypertension)" in t for t in pat_texts) <= 1


def test_a_house_statement_reaches_a_patient_as_its_reviewed_plain_version() -> None:
    src = Source(id="guideline:x", type="Guideline", title="Gout guideline", organization="Org", year=2020)
    passage = Passage(
        id="kb:gout:1",
        source_id="kb:gout",
        text="Treat a gout flare with colchicine 1 mg then 0.5 mg one hour later, or an NSAID, started within 24 hours.",
        lay_text="A gout flare is treated with colchicine or an anti-inflammatory pill. Start within 24 hours.",
        cites=[src.id],
        topic="gout",
    )
    hit = Hit(passage=passage, source=src, score=1.0)
    terms = ["gout", "flare", "treat", "colchicine"]
    clin = candidates(terms, [hit])
    pat = candidates(terms, [hit], patient=True)
    assert [c.text for c in clin] == [passage.text]
    assert [c.lay for c in pat] == [passage.lay_text] and [c.text for c in pat] == [passage.text]
    assert all(c.lay is None for c in clin)
    assert pat[0].cites == [src.id]


def test_shorter_sentences_keep_every_word_that_carries_a_fact() -> None:
    assert (
        shorter("2.2 Pediatric Dosage for Metformin Tablets The recommended starting dose is 500 mg twice a day.")
        == "Pediatric Dosage for Metformin Tablets: The recommended starting dose is 500 mg twice a day."
    )
    assert shorter("Paracetamol is preferred in pregnancy; avoid aspirin under 16 years.") == (
        "Paracetamol is preferred in pregnancy. Avoid aspirin under 16 years."
    )
    assert shorter("Metformin is not used below an eGFR of 30; eGFR should be checked every year.") == (
        "Metformin is not used below an eGFR of 30. eGFR should be checked every year."
    )
    for unchanged in (
        "Symptoms include: fever; a dry cough; rash.",
        "Risk factors include strabismus; high refractive errors (eg, myopia; hyperopia); and media opacity.",
        "Stop the drip when all of these hold: levels below 10 mcg/mL; the patient is well.",
    ):
        assert shorter(unchanged) == unchanged
    for s in SENTENCES:
        out = shorter(s)
        assert NUMBER.findall(out) == NUMBER.findall(s)
        assert [w.lower() for w in NEGATION.findall(out)] == [w.lower() for w in NEGATION.findall(s)]


def test_leaflet_boilerplate_never_becomes_a_patient_bullet() -> None:
    text = (
        "Call your doctor for medical advice about side effects. You may report side effects to FDA at "
        "1-800-FDA-1088. Ibuprofen can cause stomach bleeding, ulcers and tears in the stomach lining."
    )
    hit = _hit("m", text, kind="Drug label", section="spl_medguide")
    terms = ["ibuprofen", "side", "effects", "stomach"]
    assert [c.text for c in candidates(terms, [hit], patient=True)] == [
        "Ibuprofen can cause stomach bleeding, ulcers and tears in the stomach lining."
    ]
    assert len(candidates(terms, [hit])) == 3  # the clinician's choice is unchanged
