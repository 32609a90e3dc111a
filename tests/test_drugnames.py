"""Drug names in questions: label drugs by brand, generic or misspelling; drugs we have no label for; question kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from medora.corpus.druglabels import read_druglabels
from medora.drugnames import DrugNames, aspect_of

pytestmark = pytest.mark.unit

ENGLISH = frozenset(
    """does can cause weight gain what are the side effects of is safe take with alcohol how much should
    dose tablets pregnancy while breastfeeding used for tell me about diabetes medicine taking blood pressure
    pills daily morning tabloid newspaper headache""".split()
)


@pytest.fixture(scope="module")
def names(shared: Path) -> DrugNames:
    result = read_druglabels(shared / "corpus" / "druglabels" / "druglabels-common.jsonl")
    rows = [(s.id, s.extra["names"], s.extra["brand_names"], s.extra["effective_date"]) for s in result.sources] + [
        ("druglabel:thioguanine", "thioguanine", "tabloid", "2022-12-29")
    ]
    return DrugNames.from_rows(rows, ENGLISH)


def known(word: str) -> bool:
    return word in ENGLISH


def test_brand_and_generic_names_find_the_same_label(names: DrugNames) -> None:
    (by_brand,) = names.named("Does Eliquis cause bleeding?", known)
    (by_generic,) = names.named("is apixaban safe with alcohol", known)
    assert by_brand.generic == by_generic.generic == "apixaban"
    assert by_brand.source_ids == by_generic.source_ids == ["druglabel:a454cd24-0c6d-46e8-b1e4-197388606175"]
    assert by_brand.brands == ["eliquis"] and by_brand.matched == "eliquis"
    (sertraline,) = names.named("What dose of sertraline hydrochloride tablets?", known)
    assert sertraline.generic == "sertraline"  # salt words are not part of the name


def test_an_international_name_finds_the_us_label(names: DrugNames) -> None:
    (drug,) = names.named("How much paracetamol can I take in a day?", known)
    assert drug.generic == "acetaminophen" and drug.matched == "paracetamol"
    assert drug.source_ids == names.named("acetaminophen", known)[0].source_ids
    assert names.unlabelled("How much paracetamol can I take in a day?", known) is None
    assert names.named("Is salbutamol safe in pregnancy?", known) == []  # no albuterol label in this set


def test_misspelt_drug_names_are_corrected(names: DrugNames) -> None:
    (drug,) = names.named("how much metfromin should I take", known)
    assert drug.generic == "metformin" and drug.matched == "metfromin"
    assert names.correct("headache", known) is None  # an everyday word is never "corrected" into a drug


def test_brand_names_that_are_everyday_words_do_not_name_drugs(names: DrugNames) -> None:
    assert names.named("I read it in a tabloid newspaper", known) == []
    assert [d.generic for d in names.named("thioguanine dose", known)] == ["thioguanine"]


def test_drugs_without_a_label_are_named_plainly(names: DrugNames) -> None:
    assert names.unlabelled("What are the side effects of amlodipine?", known) == "amlodipine"
    assert names.unlabelled("Tell me about Humira side effects", known) == "Humira"
    assert names.unlabelled("is azithromycin safe while breastfeeding", known) == "azithromycin"
    assert names.unlabelled("What are the side effects of apixaban?", known) is None  # we have its label
    assert names.unlabelled("Does diabetes medicine cause weight gain?", known) is None
    assert names.unlabelled("I am taking medicine for diabetis", known) is None  # a misspelt everyday word


@pytest.mark.parametrize(
    ("question", "aspect", "first_section"),
    [
        ("How much Lexapro should I take?", "dose", "dosage_and_administration"),
        ("Does Lexapro cause weight gain?", "side effects", "adverse_reactions"),
        ("Can I drink alcohol with Lexapro?", "interactions", "drug_interactions"),
        ("Is Lexapro safe while breastfeeding?", "pregnancy", "pregnancy"),
        ("Who should not take lisinopril?", "contraindications", "contraindications"),
        ("What is metformin used for?", "indications", "indications_and_usage"),
        ("How does metformin work?", "mechanism", "mechanism_of_action"),
        ("How long does sertraline take to work?", "time", "pharmacokinetics"),
        ("Tell me about Lexapro", "overview", "indications_and_usage"),
    ],
)
def test_question_kind_chooses_label_sections(question: str, aspect: str, first_section: str) -> None:
    got = aspect_of(question)
    assert (got.name, got.sections[0]) == (aspect, first_section)
