"""One reader per real format, each on the real files under ../shared/data/corpus."""

from __future__ import annotations

import json
import zlib
from pathlib import Path

import pytest

from medora.corpus import discover, read, sniff
from medora.corpus.documents import read_document
from medora.corpus.medquad import read_medquad
from medora.corpus.nci import parse_reference, read_nci
from medora.corpus.pubmed import read_medline_xml, read_pubmedqa
from medora.corpus.uspstf import read_uspstf
from medora.errors import SourceFileError
from medora.models import SourceType

from ..conftest import NCI_HP

pytestmark = pytest.mark.unit


def test_nci_health_professional_summary_cites_pubmed(shared: Path) -> None:
    result = read_nci(shared / "corpus" / "nci" / "pdq" / NCI_HP)
    summary = result.sources[0]
    assert summary.type == SourceType.TEXTBOOK
    assert summary.url and summary.url.startswith("https://www.cancer.gov/")
    assert summary.last_reviewed and summary.year
    studies = [s for s in result.sources if s.type == SourceType.RESEARCH]
    assert len(studies) > 100 and all(s.pmid and s.pmid.isdigit() for s in studies)
    cited = [p for p in result.passages if len(p.cites) > 1]
    assert len(cited) > 50
    study_ids = {s.id for s in studies}
    for p in cited:
        assert set(p.cites[1:]) <= study_ids  # every inline [n] resolves to a parsed reference
        assert "#cit/" not in p.text and "\u27e6" not in p.text  # markers removed from the text
    assert any("Treatment" in p.heading for p in result.passages)


def test_nci_reference_line_parsing() -> None:
    line = (
        "3. Smith AB, Jones C: Radiotherapy after breast-conserving surgery. N Engl J Med 347 (16): 1233-41, 2002. "
        "[[PUBMED Abstract]](http://www.ncbi.nlm.nih.gov/entrez/query.fcgi?cmd=Retrieve&db=PubMed&list_uids=12393820&dopt=Abstract)"
    )
    title, journal, year, pmid = parse_reference(line)  # type: ignore[misc]
    assert (title, journal, year, pmid) == (
        "Radiotherapy after breast-conserving surgery",
        "N Engl J Med",
        2002,
        "12393820",
    )


def test_nci_patient_page(shared: Path) -> None:
    path = sorted((shared / "corpus" / "nci" / "cancer-types").glob("*.md"))[0]
    result = read_nci(path)
    assert result.sources[0].type == SourceType.PATIENT_INFORMATION
    assert result.passages and all("](" not in p.text for p in result.passages)


def test_nci_without_front_matter_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "page.md"
    bad.write_text("# Just a heading\n\nNo front matter here.\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match="front matter"):
        read_nci(bad)


def test_medquad_pairs_keep_liveqa_ids(shared: Path) -> None:
    result = read_medquad(shared / "corpus" / "medquad" / "3_GHR_QA" / "0000804.xml")
    ids = {p.id for p in result.passages}
    assert "medquad:GHR_0000804_Sec2" in ids
    assert all(p.meta["question"] == p.heading for p in result.passages)  # the question each answer answers
    p = result.passages[0]
    assert p.meta["qtype"] and p.meta["focus"] and p.heading.endswith("?")
    assert result.sources[0].url and result.sources[0].type == SourceType.PATIENT_INFORMATION


def test_medquad_synonyms_are_read(shared: Path) -> None:
    result = read_medquad(shared / "corpus" / "medquad" / "2_GARD_QA" / "0000004.xml")
    assert result.sources[0].extra["synonyms"]


def test_truncated_xml_names_file_and_reason(shared: Path, tmp_path: Path) -> None:
    raw = (shared / "corpus" / "medquad" / "3_GHR_QA" / "0000804.xml").read_bytes()
    bad = tmp_path / "0000804.xml"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(SourceFileError) as exc:
        read_medquad(bad)
    assert str(bad) in str(exc.value) and "malformed XML" in exc.value.reason


def test_uspstf_recommendations_carry_grades(shared: Path) -> None:
    result = read_uspstf(shared / "corpus" / "uspstf" / "uspstf_enriched.json")
    assert len(result.sources) == 142
    graded = [s for s in result.sources if s.extra["grade"] in {"A", "B", "C", "D", "I"}]
    assert len(graded) >= 130
    assert all(s.type == SourceType.GUIDELINE for s in result.sources)
    assert any("Grade A" in p.text for p in result.passages)


def test_pubmedqa_abstracts(shared: Path) -> None:
    result = read_pubmedqa(shared / "corpus" / "pubmedqa" / "ori_pqal.json")
    assert len(result.sources) == 1000
    src = result.sources[0]
    assert src.pmid and src.year and src.type == SourceType.RESEARCH
    assert len(result.passages) > 3000


MEDLINE = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE PubmedArticleSet>
<PubmedArticleSet>
 <PubmedArticle>
  <MedlineCitation Status="MEDLINE" Owner="NLM">
   <PMID Version="1">900001</PMID>
   <Article PubModel="Print">
    <Journal><Title>Synthetic Journal of Reader Tests</Title>
     <JournalIssue CitedMedium="Print"><PubDate><Year>2021</Year></PubDate></JournalIssue></Journal>
    <ArticleTitle>A synthetic record used only to test the <i>MEDLINE</i> reader</ArticleTitle>
    <Abstract>
     <AbstractText Label="BACKGROUND">This record is written for the test suite and is not a real article.</AbstractText>
     <AbstractText Label="CONCLUSIONS">The reader keeps labelled abstract sections as separate passages.</AbstractText>
    </Abstract>
    <PublicationTypeList><PublicationType UI="D016454">Review</PublicationType>
     <PublicationType UI="D017418">Meta-Analysis</PublicationType></PublicationTypeList>
   </Article>
  </MedlineCitation>
  <PubmedData><ArticleIdList><ArticleId IdType="pubmed">900001</ArticleId>
   <ArticleId IdType="doi">10.0000/synthetic.900001</ArticleId></ArticleIdList></PubmedData>
 </PubmedArticle>
</PubmedArticleSet>
"""


def test_medline_xml_reader(tmp_path: Path) -> None:
    path = tmp_path / "pubmed26n0001.xml"
    path.write_text(MEDLINE, encoding="utf-8")
    assert sniff(path) == "medline"
    result = read_medline_xml(path)
    src = result.sources[0]
    assert (src.pmid, src.year, src.doi) == ("900001", 2021, "10.0000/synthetic.900001")
    assert src.type == SourceType.SYSTEMATIC_REVIEW and "MEDLINE reader" in src.title
    assert [p.heading for p in result.passages] == ["Background", "Conclusions"]


def test_medline_gzip_is_read(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "pubmed26n0002.xml.gz"
    path.write_bytes(gzip.compress(MEDLINE.encode()))
    assert read("medline", path).sources[0].pmid == "900001"


def _pdf_with_text(text: str) -> bytes:
    """A minimal one-page PDF whose content stream draws `text` (Helvetica)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_user_documents_markdown_text_and_pdf(tmp_path: Path) -> None:
    (tmp_path / "protocol.md").write_text(
        "# Ward protocol\n\nCheck the lactate within one hour when sepsis is suspected on our ward.\n", encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text(
        "Local antibiogram notes: nitrofurantoin resistance is low in our region.\n", encoding="utf-8"
    )
    (tmp_path / "leaflet.pdf").write_bytes(_pdf_with_text("Hand hygiene before and after every patient contact."))
    found = discover(tmp_path)
    assert {k for k, _ in found} == {"documents"}
    texts = {p.name: read("documents", p).passages[0].text for _, p in found}
    assert "lactate" in texts["protocol.md"]
    assert "nitrofurantoin" in texts["notes.txt"]
    assert "Hand hygiene" in texts["leaflet.pdf"]


def test_broken_pdf_and_non_utf8_text_are_rejected_clearly(tmp_path: Path) -> None:
    pdf = tmp_path / "broken.pdf"
    pdf.write_bytes(b"%PDF-1.4\n" + zlib.compress(b"garbage") + b"\n")
    with pytest.raises(SourceFileError) as exc:
        read_document(pdf)
    assert "broken.pdf" in str(exc.value)
    txt = tmp_path / "latin.txt"
    txt.write_bytes("fi\u00e8vre et toux".encode("latin-1"))
    with pytest.raises(SourceFileError, match="not UTF-8"):
        read_document(txt)


def test_sniffing_routes_real_files(shared: Path) -> None:
    c = shared / "corpus"
    assert sniff(c / "uspstf" / "uspstf_enriched.json") == "uspstf"
    assert sniff(c / "pubmedqa" / "ori_pqal.json") == "pubmedqa"
    assert sniff(c / "medquad" / "3_GHR_QA" / "0000804.xml") == "medquad"
    assert sniff(c / "nci" / "pdq" / NCI_HP) == "nci"
    assert sniff(c / "medquad" / "LICENSE.txt") is None


def test_unknown_json_shape_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text(json.dumps({"12345": {"no": "contexts"}}), encoding="utf-8")
    with pytest.raises(SourceFileError, match="not a PubMedQA record"):
        read(sniff(path) or "", path)


def test_medquad_other_dialects_and_empty_documents(shared: Path) -> None:
    ninds = read_medquad(shared / "corpus" / "medquad" / "6_NINDS_QA" / "0000007.xml")  # <doc> dialect
    assert ninds.passages[0].id == "medquad:NINDS_0000007_Sec1" and ninds.sources[0].title
    cdc = read_medquad(shared / "corpus" / "medquad" / "9_CDC_QA" / "0000397.xml")  # <DiseaseFile> dialect
    assert cdc.passages and cdc.sources[0].id == "medquad:CDC_0000397"
    empty = read_medquad(shared / "corpus" / "medquad" / "5_NIDDK_QA" / "0000056.xml")  # no pairs published
    assert empty.passages == [] and empty.sources
