"""MedQuAD XML: NIH question/answer pairs with focus, synonyms, question type and source URL.

Passage ids follow the LiveQA judgments' answer ids: medquad:<source>_<document id>_Sec<pair id>.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from medora.corpus.base import ReadResult, clean_ws
from medora.errors import SourceFileError
from medora.models import Passage, Source, SourceType

ORGANIZATIONS = {
    "CancerGov": "National Cancer Institute (cancer.gov)",
    "GARD": "Genetic and Rare Diseases Information Center (NIH)",
    "GHR": "Genetics Home Reference (NLM)",
    "MPlusHealthTopics": "MedlinePlus (NLM)",
    "NIDDK": "National Institute of Diabetes and Digestive and Kidney Diseases",
    "NINDS": "National Institute of Neurological Disorders and Stroke",
    "NIHSeniorHealth": "NIHSeniorHealth (NIH)",
    "NHLBI": "National Heart, Lung, and Blood Institute",
    "CDC": "Centers for Disease Control and Prevention",
}


def _answer_text(raw: str) -> str:
    """Keep the answer's bullet lists as lines ("- item") and its paragraphs; collapse other spacing."""
    raw = re.sub(r"\s{2,}-\s+", "\n- ", raw)
    raw = re.sub(r"\n\s*\n+", "\n\n", raw)
    lines = [clean_ws(line) for line in raw.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _find(el: ET.Element, *names: str) -> ET.Element | None:
    wanted = {n.lower() for n in names}
    return next((c for c in el.iter() if c.tag.lower() in wanted), None)


def read_medquad(path: Path) -> ReadResult:
    """Three XML dialects occur in MedQuAD: <Document>, <DiseaseFile> (CDC) and <doc> (NINDS)."""
    try:
        root = ET.fromstring(path.read_bytes())
    except (ET.ParseError, LookupError, ValueError) as exc:  # LookupError: an unknown encoding declared
        raise SourceFileError(path, f"malformed XML: {exc}") from exc
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror}") from exc
    if root.tag.lower() not in {"document", "diseasefile", "doc"}:
        raise SourceFileError(path, f"not a MedQuAD document (root element <{root.tag}>)")
    src_name = root.get("source") or root.get("corpus") or "MedQuAD"
    doc_id = root.get("id") or root.get("fid") or root.get("docid") or path.stem
    focus_el = _find(root, "Focus", "doctitle-focus")
    focus = clean_ws(focus_el.text or "") if focus_el is not None else ""
    synonyms = [clean_ws(s.text or "") for s in root.iter() if s.tag.lower() == "synonym" and (s.text or "").strip()]
    source = Source(
        id=f"medquad:{src_name}_{doc_id}",
        type=SourceType.PATIENT_INFORMATION,
        title=focus or doc_id,
        organization=ORGANIZATIONS.get(src_name, src_name),
        url=root.get("url"),
        corpus="medquad",
        extra={
            "focus": focus,
            "synonyms": "|".join(synonyms),
            "dataset": "MedQuAD (Ben Abacha & Demner-Fushman 2019), CC BY 4.0",
        },
    )
    passages = []
    pairs = [el for el in root.iter() if el.tag.lower() in {"qapair", "pair"}]
    if not pairs and _find(root, "QAPairs", "qaPairs") is None:
        raise SourceFileError(path, "no <QAPairs> element: not a MedQuAD document")
    for pair in pairs:
        q = _find(pair, "Question")
        a = _find(pair, "Answer")
        answer = _answer_text(a.text or "") if a is not None else ""
        if q is None or not answer:
            continue  # answers removed for copyright (ADAM, MedlinePlus drugs/herbs)
        question = clean_ws(q.text or "")
        pid = pair.get("pid", "0")
        passages.append(
            Passage(
                id=f"medquad:{src_name}_{doc_id}_Sec{pid}",
                source_id=source.id,
                heading=question,
                text=answer,
                position=int(pid) if pid.isdigit() else 0,
                cites=[source.id],
                embed_text=f"{question} {focus}".strip(),
                # the question it answers, matched against the user's (retrieval's question signal, #13)
                meta={"qtype": q.get("qtype", ""), "focus": focus, "qid": q.get("qid", ""), "question": question},
            )
        )
    return ReadResult([source], passages, focus_synonyms(focus, source.extra["synonyms"]))


def focus_synonyms(focus: str, synonyms: str) -> list[tuple[str, str, str]]:
    """The document's other names for its focus ("|"-joined), each way round; long or listed names are left out."""
    if not synonyms:
        return []
    rows = []
    focus = focus.lower()
    for syn in synonyms.split("|"):
        syn = syn.strip().lower()
        if syn and syn != focus and len(syn) < 60 and "," not in syn:
            rows += [(syn, focus, "medquad"), (focus, syn, "medquad")]
    return rows
