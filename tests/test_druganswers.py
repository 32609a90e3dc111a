"""Drug questions on the small real index (it holds the 11 everyday-drug labels): answered from the label,
brand names expanded to generic ones, and a plain "no label" answer for a drug the library lacks."""

from __future__ import annotations

import re

import pytest

from medora.compose.extractive import MAKER
from medora.eval.medicationqa import load_medicationqa, reference_statements
from medora.eval.medicationqa import run as run_medicationqa
from medora.models import Status
from medora.qa import ask
from medora.settings import Settings

pytestmark = pytest.mark.integration

ELIQUIS = "druglabel:a454cd24-0c6d-46e8-b1e4-197388606175"
IBUPROFEN = "druglabel:0fa4cd66-66ad-4ec9-b38c-6b5840df39df"


def test_brand_names_expand_to_generic_and_back(engine) -> None:  # noqa: ANN001
    assert "apixaban" in engine.expand("Is Eliquis safe?").added
    assert "eliquis" in engine.expand("apixaban and bleeding").added
    (drug,) = engine.drugs_named("Does Eliquis cause bleeding?")
    assert (drug.generic, drug.brands, drug.source_ids) == ("apixaban", ["eliquis"], [ELIQUIS])
    assert "metformin" in engine.expand("how much metfromin a day").added  # a misspelling, corrected
    assert engine.drugs_named("How is uncomplicated cystitis treated?") == []


def test_a_labelled_drug_is_answered_from_its_label(engine, index_settings: Settings) -> None:  # noqa: ANN001
    answer = ask("Does Eliquis cause bleeding?", settings=index_settings, engine=engine)
    assert answer.status == Status.ANSWERED
    assert answer.title == "Apixaban (Eliquis): side effects"
    assert [r.source_id for r in answer.references] == [ELIQUIS]
    assert answer.references[0].type.value == "Drug label"
    assert "bleed" in " ".join(b.text for s in answer.sections for b in s.bullets).lower()


def test_the_section_follows_the_question(engine, index_settings: Settings) -> None:  # noqa: ANN001
    answer = ask(
        "Can I take ibuprofen while breastfeeding?", audience="patient", settings=index_settings, engine=engine
    )
    assert answer.status == Status.ANSWERED and {r.source_id for r in answer.references} == {IBUPROFEN}
    cited = {
        pid.split(":")[2]
        for b in [answer.summary, *(b for s in answer.sections for b in s.bullets)]
        for pid in b.passages
    }
    assert cited & {"nursing_mothers", "pregnancy", "use_in_specific_populations", "spl_medguide"}


def test_a_drug_without_a_label_gets_a_plain_answer(engine, index_settings: Settings) -> None:  # noqa: ANN001
    answer = ask("What are the side effects of Humira?", settings=index_settings, engine=engine)
    assert answer.status == Status.INSUFFICIENT_EVIDENCE  # not out of scope: a drug question is in scope
    assert answer.summary.text.startswith("We have no FDA label for Humira in the library")
    assert answer.title == "No FDA label for Humira in the library" and not answer.references


def test_house_topics_are_untouched(engine, index_settings: Settings) -> None:  # noqa: ANN001
    answer = ask("How is uncomplicated cystitis treated?", settings=index_settings, engine=engine)
    assert answer.topic and not any(r.source_id.startswith("druglabel:") for r in answer.references)


def test_medicationqa_suite_reports_by_question_type(index_settings: Settings) -> None:
    items = load_medicationqa(index_settings.shared_dir / "bench" / "medicationqa" / "medicationqa-dev.jsonl")
    assert len(items) == 345 and items[0].id == "mqa-001" and items[0].focus == "rivastigmine"
    assert all(len(s.split()) >= 5 for s in reference_statements(items[0].answer))
    result = run_medicationqa(index_settings, limit=6, progress=False, calibrate=False)
    assert result.figures["questions"] == 6
    assert 0.0 <= result.figures["answered"] <= 1.0 and 0.0 <= result.figures["reference_coverage"] <= 1.0
    by_type = result.tables[0]
    assert by_type.title == "By question type" and by_type.rows[-1][0] == "all" and by_type.rows[-1][1] == 6


def _all_bullets(answer):  # noqa: ANN001, ANN202
    return [answer.summary, *(b for s in answer.sections for b in s.bullets)]


@pytest.mark.parametrize("audience", ["patient", "clinician"])
def test_a_drug_overview_leads_with_what_it_treats(engine, index_settings: Settings, audience: str) -> None:  # noqa: ANN001
    answer = ask("Tell me about Eliquis", audience=audience, settings=index_settings, engine=engine)
    assert answer.status == Status.ANSWERED and answer.title == "Apixaban (Eliquis): overview"
    assert answer.summary.passages[0].split(":")[2] == "indications_and_usage"
    said = " ".join(b.text for b in _all_bullets(answer))
    assert not MAKER.search(said) and "[see" not in said
    # follow-ups about a medicine, not "How is apixaban treated?"
    assert answer.follow_up_suggestions and all("apixaban" in q for q in answer.follow_up_suggestions)
    assert not any(w in q for q in answer.follow_up_suggestions for w in ("treated", "diagnosed", "prevented"))


def test_a_side_effect_question_is_answered_in_the_labels_words(engine, index_settings: Settings) -> None:  # noqa: ANN001
    answer = ask("What are the side effects of lisinopril?", settings=index_settings, engine=engine)
    assert answer.title == "Lisinopril: side effects"
    assert answer.summary.passages[0].split(":")[2] == "adverse_reactions"
    assert not any("side effects" in q or "adverse reactions" in q for q in answer.follow_up_suggestions)
    # no run-in subsection heading opens a bullet ("Heart Failure In patients...")
    assert not any(re.match(r"(?:[A-Z][a-z]+ ){1,3}In ", b.text) for b in _all_bullets(answer))


def test_an_adults_dosing_answer_does_not_lead_with_the_childrens_dose(engine, index_settings: Settings) -> None:  # noqa: ANN001
    answer = ask("what is the dose of metformin", audience="patient", settings=index_settings, engine=engine)
    assert answer.summary.passages[0].split(":")[2] == "dosage_and_administration"
    assert "mg" in answer.summary.text and not re.search(r"child|pediatric|years of age", answer.summary.text)
