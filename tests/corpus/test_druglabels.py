"""The openFDA drug-label reader on the real shared labels, and on bulk files built from them."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from medora.corpus import discover, read, sniff
from medora.corpus.druglabels import SECTIONS, read_druglabels, read_label
from medora.errors import SourceFileError
from medora.models import SourceType

pytestmark = pytest.mark.unit

LEXAPRO_SET_ID = "13bb8267-1cab-43e5-acae-55a4d957630a"
ELIQUIS_SET_ID = "a454cd24-0c6d-46e8-b1e4-197388606175"


@pytest.fixture(scope="module")
def labels(shared: Path) -> Path:
    return shared / "corpus" / "druglabels"


@pytest.fixture(scope="module")
def common(labels: Path):  # noqa: ANN201 - ReadResult
    return read_druglabels(labels / "druglabels-common.jsonl")


def _record(path: Path, set_id: str) -> dict:
    for line in path.read_text(encoding="utf-8").splitlines():
        if set_id in line[:2000] or f'"set_id": "{set_id}"' in line:
            rec = json.loads(line)
            if rec["set_id"] == set_id:
                return rec
    raise AssertionError(f"{set_id} not in {path}")


def test_one_drug_label_source_per_record(common) -> None:  # noqa: ANN001
    assert len(common.sources) == 11  # the README: 11 common drugs
    assert all(s.type == SourceType.DRUG_LABEL for s in common.sources)
    assert all(s.organization == "US Food and Drug Administration (openFDA drug label)" for s in common.sources)
    eliquis = next(s for s in common.sources if s.id == f"druglabel:{ELIQUIS_SET_ID}")
    assert eliquis.title == "Eliquis (apixaban) — FDA prescribing information"
    assert eliquis.url == f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={ELIQUIS_SET_ID}"
    assert eliquis.year == 2026 and eliquis.extra["effective_date"] == "2026-04-24"
    assert eliquis.extra["brand_name"] == "ELIQUIS" and eliquis.extra["generic_name"] == "apixaban"
    assert eliquis.extra["route"] == "oral" and eliquis.extra["set_id"] == ELIQUIS_SET_ID
    lisinopril = next(s for s in common.sources if "Lisinopril" in s.title)
    assert lisinopril.title == "Lisinopril — FDA prescribing information"  # brand = generic: named once
    aspirin = next(s for s in common.sources if "aspirin" in s.title)
    assert aspirin.title.endswith("FDA Drug Facts label")  # an OTC label


def test_sections_are_named_as_the_label_names_them(common) -> None:  # noqa: ANN001
    eliquis = [p for p in common.passages if p.source_id == f"druglabel:{ELIQUIS_SET_ID}"]
    headings = {p.heading for p in eliquis}
    for expected in (
        "Indications and usage",
        "Dosage and administration",
        "Contraindications",
        "Warnings and precautions",
        "Adverse reactions",
        "Drug interactions",
        "Pregnancy",
        "Lactation",
        "Pediatric use",
        "Patient counseling information",
        "Mechanism of action",
        "How supplied/storage and handling",
    ):
        assert expected in headings, expected
    assert any(h.startswith("Boxed warning: (a) premature discontinuation of eliquis") for h in headings)
    for p in common.passages:
        if p.id.endswith(":0"):  # no section number or title left at the start of a section's text
            assert not re.match(r"^\d+(\.\d+)*\s+[A-Z]{4}", p.text), p.text[:60]
            assert not p.text.startswith(("INDICATIONS AND USAGE", "ADVERSE REACTIONS", "CONTRAINDICATIONS"))
        assert p.cites == [p.source_id] and p.meta["section"] in SECTIONS
        assert len(p.text.split()) <= 400  # long sections are packed into chunks
    assert sum(p.meta["section"] == "adverse_reactions" for p in eliquis) > 1


def test_repeated_text_is_kept_once(labels: Path) -> None:
    rec = _record(labels / "druglabels-drug.jsonl", LEXAPRO_SET_ID)
    result = read_label(rec)
    assert result is not None
    texts = [p.text for p in result.passages]
    moa = [p for p in result.passages if p.meta["section"] == "mechanism_of_action"]
    assert moa and not any(
        p.meta["section"] == "clinical_pharmacology" and moa[0].text[:200] in p.text for p in result.passages
    )
    assert len(texts) == len(set(texts))
    # tables-only fields are not indexed, the dropped fields never appear
    assert not any(p.meta["section"].endswith("_table") for p in result.passages)


def test_lexapro_names_set_id_and_date(labels: Path) -> None:
    result = read_label(_record(labels / "druglabels-drug.jsonl", LEXAPRO_SET_ID))
    assert result is not None
    (src,) = result.sources
    assert src.title == "Lexapro (escitalopram) — FDA prescribing information"
    assert src.extra["set_id"] == LEXAPRO_SET_ID and src.last_reviewed == "2023-11-17" and src.year == 2023
    assert ("lexapro", "escitalopram", "druglabel") in result.synonyms
    assert ("escitalopram", "lexapro", "druglabel") in result.synonyms
    headings = {p.heading for p in result.passages}
    assert "Boxed warning: suicidal thoughts and behaviors" in headings
    assert {"Pregnancy", "Lactation", "Pediatric use", "Geriatric use", "Medication guide"} <= headings
    lactation = next(p for p in result.passages if p.heading == "Lactation")
    assert "human milk" in lactation.text


def test_sniff_picks_the_label_reader(labels: Path) -> None:
    found = discover(labels)
    assert [k for k, _ in found] == ["druglabels"] * 3
    assert sniff(labels / "README.md") is None


def _bulk(labels: Path, n: int = 3) -> dict:
    lines = (labels / "druglabels-common.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    return {
        "meta": {
            "disclaimer": "Do not rely on openFDA to make decisions regarding medical care.",
            "license": "https://open.fda.gov/license/",
            "last_updated": "2026-11-28",
            "results": {"skip": 0, "limit": n, "total": n},
        },
        "results": [json.loads(line) for line in lines],
    }


def test_bulk_download_and_zipped_bulk_download(labels: Path, tmp_path: Path) -> None:
    bulk = _bulk(labels)
    plain = tmp_path / "drug-label-0001-of-0001.json"
    plain.write_text(json.dumps(bulk, indent=1), encoding="utf-8")
    zipped = tmp_path / "drug-label-0001-of-0001.json.zip"
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(plain, plain.name)
    assert sniff(plain) == "druglabels" and sniff(zipped) == "druglabels"
    from_plain, from_zip = read("druglabels", plain), read("druglabels", zipped)
    expected = [f"druglabel:{r['set_id']}" for r in bulk["results"]]
    assert [s.id for s in from_plain.sources] == expected == [s.id for s in from_zip.sources]
    assert [p.id for p in from_plain.passages] == [p.id for p in from_zip.passages]
    single = tmp_path / "lisinopril.json"  # one compact record, as some projects save them
    single.write_text(json.dumps(bulk["results"][0]), encoding="utf-8")
    assert sniff(single) == "druglabels" and [s.id for s in read("druglabels", single).sources] == expected[:1]


def test_a_newer_version_of_a_label_replaces_the_older_in_one_file(labels: Path, tmp_path: Path) -> None:
    rec = json.loads((labels / "druglabels-common.jsonl").read_text(encoding="utf-8").splitlines()[0])
    older = {**rec, "effective_time": "20200101", "indications_and_usage": ["1 INDICATIONS AND USAGE old text " * 5]}
    path = tmp_path / "labels.jsonl"
    path.write_text(json.dumps(older) + "\n" + json.dumps(rec) + "\n", encoding="utf-8")
    result = read_druglabels(path)
    assert len(result.sources) == 1 and result.sources[0].year == int(rec["effective_time"][:4])
    assert not any("old text" in p.text for p in result.passages)


def test_malformed_lines_are_a_clear_error(labels: Path, tmp_path: Path) -> None:
    lines = (labels / "druglabels-common.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    bad = tmp_path / "broken.jsonl"
    bad.write_text("\n".join([*lines, '{"set_id": "x", "openfda": {'] + [""]), encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"line 3 is not valid JSON"):
        read("druglabels", bad)
    not_object = tmp_path / "list.jsonl"
    not_object.write_text(lines[0] + "\n[1, 2]\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"line 2 is not a JSON object"):
        read("druglabels", not_object)
    truncated = tmp_path / "cut.json"
    truncated.write_text(json.dumps(_bulk(labels, 1))[:-500], encoding="utf-8")
    with pytest.raises(SourceFileError, match="invalid JSON"):
        read("druglabels", truncated)


def test_records_without_a_name_are_skipped(labels: Path) -> None:
    rec = json.loads((labels / "druglabels-common.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert read_label({**rec, "openfda": {}}) is None  # unharmonised bulk records carry no names to cite


def test_each_section_carries_the_question_it_answers(common) -> None:  # noqa: ANN001
    """Retrieval matches the user's question against these (#13 part 6); sections answering none carry none."""
    eliquis = [p for p in common.passages if p.source_id == f"druglabel:{ELIQUIS_SET_ID}"]
    by_section = {p.meta["section"]: p.meta.get("question") for p in eliquis}
    assert by_section["adverse_reactions"] == "What are the side effects of Eliquis (apixaban)?"
    assert by_section["drug_interactions"] == "What drugs interact with Eliquis (apixaban)?"
    assert by_section["indications_and_usage"] == "What is Eliquis (apixaban) used for?"
    metformin = {p.heading: p.meta.get("question") for p in common.passages if p.meta["focus"] == "metformin"}
    assert metformin["Renal impairment"] == "Can people with kidney disease take metformin?"  # salt name dropped
    assert sum(1 for p in common.passages if p.meta.get("question")) > 0.9 * len(common.passages)
