"""Readers never crash on malformed files (issue #14): each returns a ReadResult or raises SourceFileError
(KnowledgeBaseError for topics), whatever bytes it is given. Property-based, on real files written to disk.

Each reader is called directly (not through `corpus.read`, which would turn any crash into a
SourceFileError and hide it). Example counts are small so the unit suite stays fast.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medora.corpus.base import ReadResult
from medora.corpus.documents import read_document
from medora.corpus.kb import read_topic
from medora.corpus.medquad import read_medquad
from medora.corpus.nci import read_nci
from medora.corpus.pubmed import read_medline_xml, read_pubmedqa
from medora.corpus.uspstf import read_uspstf
from medora.errors import SourceFileError
from medora.settings import REPO_DIR

pytestmark = pytest.mark.unit
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOPIC = next((REPO_DIR / "knowledge").rglob("*.yaml"))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)
# keys the readers look for, so generated objects reach past the first type check
USPSTF_KEYS = ["title", "topic", "grade", "recommendation", "rationale", "url", "date", "population", "id"]
PUBMEDQA_KEYS = ["QUESTION", "CONTEXTS", "LABELS", "LONG_ANSWER", "final_decision", "YEAR", "MESHES"]


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for every example (a fresh temporary folder per example cost more than the reading)."""
    return tmp_path_factory.mktemp("fuzz")


def outcome(scratch: Path, reader: Callable[[Path], object], name: str, data: bytes, folder: str = "") -> None:
    path = scratch / folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    try:
        result = reader(path)
    except SourceFileError as exc:
        assert exc.path and exc.reason
        return
    finally:
        path.unlink()  # the next example starts from nothing
    assert isinstance(result, ReadResult | object)


def mutate(base: bytes, cut: int, junk: bytes) -> bytes:
    """Cut the file at a point and splice junk in: the malformed-but-plausible files ingest meets."""
    at = cut % (len(base) + 1)
    return base[:at] + junk + base[at + len(junk) :]


@FUZZ
@given(cut=st.integers(0, 100_000), junk=st.binary(max_size=40))
def test_a_damaged_topic_file_is_a_knowledge_base_error(scratch: Path, cut: int, junk: bytes) -> None:
    outcome(scratch, read_topic, TOPIC.name, mutate(TOPIC.read_bytes(), cut, junk), TOPIC.parent.name)


@FUZZ
@given(doc=json_values)
def test_any_yaml_value_as_a_topic_is_refused_cleanly(scratch: Path, doc: object) -> None:
    outcome(scratch, read_topic, TOPIC.name, json.dumps(doc).encode(), TOPIC.parent.name)  # JSON is YAML


MEDQUAD = b"""<?xml version="1.0" encoding="UTF-8"?>
<Document id="0000001" source="GARD" url="https://example.org/x">
<Focus>Gout</Focus>
<QAPairs><QAPair pid="1"><Question qid="1" qtype="information">What is gout?</Question>
<Answer>Gout is a form of arthritis.</Answer></QAPair></QAPairs></Document>"""
MEDLINE = b"""<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID>
<Article><ArticleTitle>Gout</ArticleTitle><Abstract><AbstractText>Colchicine helps.</AbstractText></Abstract>
</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"""
NCI = b"""---
title: Gout (PDQ)
source: NCI
url: https://www.cancer.gov/x
---
# Gout

## Treatment

Colchicine helps in a flare.
"""


@FUZZ
@given(cut=st.integers(0, 2000), junk=st.binary(max_size=30))
def test_malformed_medquad_xml(scratch: Path, cut: int, junk: bytes) -> None:
    outcome(scratch, read_medquad, "x.xml", mutate(MEDQUAD, cut, junk))


@FUZZ
@given(cut=st.integers(0, 2000), junk=st.binary(max_size=30))
def test_malformed_medline_xml(scratch: Path, cut: int, junk: bytes) -> None:
    outcome(scratch, read_medline_xml, "x.xml", mutate(MEDLINE, cut, junk))


@FUZZ
@given(text=st.text(max_size=300))
def test_any_text_as_medline_or_medquad(scratch: Path, text: str) -> None:
    outcome(scratch, read_medline_xml, "x.xml", text.encode("utf-8", "surrogatepass"))
    outcome(scratch, read_medquad, "x.xml", text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(cut=st.integers(0, 2000), junk=st.binary(max_size=30))
def test_malformed_nci_markdown(scratch: Path, cut: int, junk: bytes) -> None:
    outcome(scratch, read_nci, "x.md", mutate(NCI, cut, junk))


@FUZZ
@given(
    front=st.dictionaries(st.sampled_from(["title", "source", "url", "date", "audience"]), json_values),
    body=st.text(max_size=200),
)
def test_odd_nci_front_matter(scratch: Path, front: dict, body: str) -> None:
    outcome(scratch, read_nci, "x.md", f"---\n{json.dumps(front)}\n---\n{body}".encode("utf-8", "surrogatepass"))


@FUZZ
@given(items=st.lists(st.dictionaries(st.sampled_from(USPSTF_KEYS), json_values, max_size=6), max_size=3) | json_values)
def test_odd_uspstf_json(scratch: Path, items: object) -> None:
    outcome(scratch, read_uspstf, "x.json", json.dumps(items).encode())


@FUZZ
@given(
    data=st.dictionaries(
        st.text(max_size=8), st.dictionaries(st.sampled_from(PUBMEDQA_KEYS), json_values, max_size=6), max_size=3
    )
    | json_values
)
def test_odd_pubmedqa_json(scratch: Path, data: object) -> None:
    outcome(scratch, read_pubmedqa, "x.json", json.dumps(data).encode())


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".md", ".txt", ".pdf"]))
def test_any_bytes_as_a_document(scratch: Path, data: bytes, suffix: str) -> None:
    outcome(scratch, read_document, f"notes{suffix}", data)


def _pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    out = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(out)
    return out.getvalue()


PDF = _pdf()


@FUZZ
@given(cut=st.integers(0, 5000), junk=st.binary(max_size=30))
def test_a_damaged_pdf(scratch: Path, cut: int, junk: bytes) -> None:
    outcome(scratch, read_document, "x.pdf", mutate(PDF, cut, junk))
