"""PubMed abstracts: PubMedQA's JSON and the PubMed/MEDLINE baseline XML format."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from medora.corpus.base import ReadResult, clean_ws, first_words
from medora.errors import SourceFileError
from medora.models import Passage, Source, SourceType

KIND_BY_LABEL = {"METHODS": "background", "RESULTS": "background", "CONCLUSIONS": "background"}


def _pubmedqa_shape(rec: dict) -> bool:
    """CONTEXTS a list of texts; QUESTION and LONG_ANSWER texts if present; LABELS and MESHES lists of texts."""
    texts = lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)  # noqa: E731
    return (
        texts(rec.get("CONTEXTS"))
        and isinstance(rec.get("QUESTION", ""), str)
        and isinstance(rec.get("LONG_ANSWER") or "", str)
        and texts(rec.get("LABELS") or [])
        and texts(rec.get("MESHES") or [])
    )


def read_pubmedqa(path: Path) -> ReadResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFileError(path, f"invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SourceFileError(path, "expected a JSON object keyed by PMID")
    out = ReadResult()
    for pmid, rec in data.items():
        if not str(pmid).isdigit() or not isinstance(rec, dict) or not _pubmedqa_shape(rec):
            raise SourceFileError(path, f"entry {pmid!r} is not a PubMedQA record")
        year = int(rec["YEAR"]) if str(rec.get("YEAR", "")).isdigit() else None
        src = Source(
            id=f"pmid:{pmid}",
            type=SourceType.RESEARCH,
            title=clean_ws(rec.get("QUESTION", "")),
            organization="PubMed abstract",
            year=year,
            pmid=str(pmid),
            corpus="pubmedqa",
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        )
        out.sources.append(src)
        parts = list(zip(rec.get("LABELS") or [], rec["CONTEXTS"], strict=False))
        if rec.get("LONG_ANSWER"):
            parts.append(("CONCLUSIONS", rec["LONG_ANSWER"]))
        for pos, (label, text) in enumerate(parts):
            out.passages.append(
                Passage(
                    id=f"pmid:{pmid}#{pos}",
                    source_id=src.id,
                    heading=str(label).title(),
                    text=clean_ws(text),
                    position=pos,
                    cites=[src.id],
                    embed_text=f"{src.title} {first_words(clean_ws(text), 30)}",
                    meta={"mesh": "|".join(rec.get("MESHES") or [])},
                )
            )
    return out


def read_medline_xml(path: Path) -> ReadResult:
    """A PubMed baseline/update file (<PubmedArticleSet>), plain or gzipped."""
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise SourceFileError(path, f"malformed XML: {exc}") from exc
    except (OSError, EOFError) as exc:
        raise SourceFileError(path, f"cannot read: {exc}") from exc
    if root.tag != "PubmedArticleSet":
        raise SourceFileError(path, f"not a PubMed article set (root element <{root.tag}>)")
    out = ReadResult()
    for art in root.iter("PubmedArticle"):
        pmid = (art.findtext(".//MedlineCitation/PMID") or "").strip()
        title_el = art.find(".//ArticleTitle")
        title = clean_ws("".join(title_el.itertext())) if title_el is not None else ""
        if not pmid or not title:
            continue
        journal = clean_ws(art.findtext(".//Journal/Title") or art.findtext(".//MedlineTA") or "PubMed")
        year_txt = (
            art.findtext(".//JournalIssue/PubDate/Year")
            or (art.findtext(".//JournalIssue/PubDate/MedlineDate") or "")[:4]
        )
        doi = None
        for aid in art.iter("ArticleId"):
            if aid.get("IdType") == "doi" and aid.text:
                doi = aid.text.strip()
        types = {clean_ws(t.text or "") for t in art.iter("PublicationType")}
        if types & {"Practice Guideline", "Guideline"}:
            stype = SourceType.GUIDELINE
        elif types & {"Systematic Review", "Meta-Analysis"}:
            stype = SourceType.SYSTEMATIC_REVIEW
        else:
            stype = SourceType.RESEARCH
        src = Source(
            id=f"pmid:{pmid}",
            type=stype,
            title=title,
            organization=journal,
            year=int(year_txt) if year_txt.isdigit() else None,
            pmid=pmid,
            doi=doi,
            corpus="pubmed",
            url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        )
        out.sources.append(src)
        for pos, ab in enumerate(art.iter("AbstractText")):
            text = clean_ws("".join(ab.itertext()))
            if text:
                out.passages.append(
                    Passage(
                        id=f"pmid:{pmid}#{pos}",
                        source_id=src.id,
                        heading=(ab.get("Label") or "Abstract").title(),
                        text=text,
                        position=pos,
                        cites=[src.id],
                        embed_text=f"{title} {text}",
                    )
                )
    return out
