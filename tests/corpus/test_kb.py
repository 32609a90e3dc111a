"""The house knowledge base: schema, cross-file checks, and clear errors for bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from medora.corpus import read, sniff
from medora.corpus.kb import Topic, cross_check, load_catalog, load_topics, read_topic, topic_records
from medora.errors import KnowledgeBaseError
from medora.settings import REPO_DIR

pytestmark = pytest.mark.unit

KB = REPO_DIR / "knowledge"
VCF = KB / "musculoskeletal" / "osteoporotic-vertebral-compression-fracture.yaml"


@pytest.fixture(scope="module")
def house() -> tuple[list[Topic], list[KnowledgeBaseError]]:
    """The house knowledge base, read once for the tests that check all of it (about a second each time)."""
    return load_topics(KB)


def test_every_topic_file_validates(house: tuple[list[Topic], list[KnowledgeBaseError]]) -> None:
    topics, errors = house
    assert not errors, [str(e) for e in errors]
    assert len(topics) >= 3


def test_cross_checks_pass_against_the_catalog(
    shared: Path, house: tuple[list[Topic], list[KnowledgeBaseError]]
) -> None:
    topics, _ = house
    catalog = load_catalog(shared / "catalog" / "guidelines.jsonl")
    assert cross_check(topics, catalog) == []


def test_every_statement_has_plain_language_and_resolving_refs(
    house: tuple[list[Topic], list[KnowledgeBaseError]],
) -> None:
    topics, _ = house
    for t in topics:
        keys = {r.key for r in t.references}
        for s in t.statements:
            assert s.lay.strip(), (t.id, s.text)
            assert set(s.refs) <= keys


def test_vcf_topic_becomes_cited_passages() -> None:
    topic = read_topic(VCF)
    sources, passages = topic_records(topic)
    ids = {s.id for s in sources}
    assert "pmid:21368099" in ids  # the AAOS guideline, by its PMID
    assert passages[0].kind == "summary"
    assert all(p.cites and set(p.cites) <= ids for p in passages)
    assert all(p.lay_text for p in passages)


def _write(tmp_path: Path, data: dict, specialty: str = "musculoskeletal", name: str | None = None) -> Path:
    folder = tmp_path / specialty
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or data.get('id', 'x')}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _vcf_data() -> dict:
    return yaml.safe_load(VCF.read_text(encoding="utf-8"))


def test_missing_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    data = _vcf_data()
    del data["statements"][0]["lay"]
    path = _write(tmp_path, data)
    with pytest.raises(KnowledgeBaseError) as exc:
        read_topic(path)
    assert str(path) in str(exc.value)
    assert "statements.0.lay" in exc.value.reason


def test_unknown_reference_key_is_rejected(tmp_path: Path) -> None:
    data = _vcf_data()
    data["statements"][1]["refs"] = ["nope"]
    with pytest.raises(KnowledgeBaseError, match="unknown reference keys"):
        read_topic(_write(tmp_path, data))


def test_made_up_identifier_shapes_are_rejected(tmp_path: Path) -> None:
    data = _vcf_data()
    data["references"][0]["pmid"] = "PMID-21368099"
    with pytest.raises(KnowledgeBaseError, match="pmid must be digits"):
        read_topic(_write(tmp_path, data))


def test_folder_must_match_specialty(tmp_path: Path) -> None:
    path = _write(tmp_path, _vcf_data(), specialty="cardiology")
    with pytest.raises(KnowledgeBaseError, match="folder"):
        read_topic(path)


def test_non_utf8_file_gives_clear_error(tmp_path: Path) -> None:
    path = _write(tmp_path, _vcf_data())
    path.write_bytes(path.read_bytes() + "caf\u00e9".encode("latin-1"))
    with pytest.raises(KnowledgeBaseError, match="not UTF-8"):
        read(sniff(path) or "kb", path)


def test_shared_alias_between_topics_is_reported(tmp_path: Path) -> None:
    a = _vcf_data()
    b = _vcf_data()
    b["id"] = "other-topic"
    b["title"] = "Another topic"
    b["aliases"] = ["VCF"]
    topics = [read_topic(_write(tmp_path, a)), read_topic(_write(tmp_path, b))]
    problems = cross_check(topics, None)
    assert any("'vcf'" in p for p in problems)


def test_catalog_mismatch_is_reported(shared: Path, tmp_path: Path) -> None:
    data = _vcf_data()
    ref = next(r for r in data["references"] if r.get("catalog_id"))
    ref["doi"] = "10.9999/not-the-real-doi"
    topic = read_topic(_write(tmp_path, data))
    problems = cross_check([topic], load_catalog(shared / "catalog" / "guidelines.jsonl"))
    assert any("doi" in p for p in problems), problems


def test_catalog_rows_are_current(house: tuple[list[Topic], list[KnowledgeBaseError]]) -> None:
    """Catalog references point at current guideline versions (none superseded)."""
    catalog_path = REPO_DIR.parent / "shared" / "data" / "catalog" / "guidelines.jsonl"
    if not catalog_path.exists():
        pytest.skip("no catalog")
    rows = {json.loads(line)["id"]: json.loads(line) for line in catalog_path.open() if line.strip()}
    topics, _ = house
    for t in topics:
        for r in t.references:
            if r.catalog_id:
                assert rows[r.catalog_id]["superseded_by"] is None, (t.id, r.catalog_id)


def test_kb_stale_flags_superseded_old_and_unreviewed_topics_and_main_has_no_superseded_reference(
    house: tuple[list[Topic], list[KnowledgeBaseError]],
) -> None:
    import datetime as dt

    from medora.corpus.kbcheck import stale_findings

    topics, errors = house
    assert not errors
    from tests.conftest import need_shared

    catalog = load_catalog(need_shared() / "catalog" / "guidelines.jsonl")
    today = dt.date(2026, 12, 2)
    findings = stale_findings(topics, catalog, today=today, max_age_years=10)
    assert not [f for f in findings if "superseded reference" in f], findings
    old = topics[0].model_copy(deep=True)
    old.references[0].catalog_id = "ssc-sepsis-2021"
    old.references[0].year = 2001
    old.review = None
    found = stale_findings([old], catalog, today=today, max_age_years=10)
    assert any("superseded reference" in f for f in found)
    assert any("no clinical review" in f for f in found)
    assert not [
        f
        for f in stale_findings(topics, catalog, today=today + dt.timedelta(days=400), max_age_years=99)
        if "over a year ago" not in f and "no clinical review" not in f
    ]


def test_statements_carry_the_implicit_question_of_their_topic_and_section() -> None:
    """Retrieval matches the user's question against these (#13 part 6)."""
    _, passages = topic_records(read_topic(VCF))
    questions = {p.kind: p.meta["question"] for p in passages}
    assert questions["summary"] == "What is osteoporotic vertebral compression fracture?"
    assert questions["management"] == "What are the treatments for osteoporotic vertebral compression fracture?"
    assert all(p.meta["question"] for p in passages)
