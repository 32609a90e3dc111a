"""MedQuAD XML: NIH question/answer pairs with focus, synonyms, question type and source URL.

Passage ids follow the LiveQA judgments' answer ids: medquad:<source>_<document id>_Sec<pair id>.
"""

from __future__ import annotations

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


def read_medquad(path: Path) -> ReadResult:
    try:
        root = ET.fromstring(path.read_bytes())
    except ET.ParseError as exc:
        raise SourceFileError(path, f"malformed XML: {exc}") from exc
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror}") from exc
    if root.tag != "Document":
        raise SourceFileError(path, f"not a MedQuAD document (root element <{root.tag}>)")
    src_name = root.get("source", "MedQuAD")
    doc_id = root.get("id") or path.stem
    focus = clean_ws(root.findtext("Focus") or "")
    synonyms = [clean_ws(s.text or "") for s in root.iter("Synonym") if (s.text or "").strip()]
    source = Source(
        id=f"medquad:{src_name}_{doc_id}", type=SourceType.PATIENT_INFORMATION,
        title=focus or doc_id, organization=ORGANIZATIONS.get(src_name, src_name),
        url=root.get("url"), corpus="medquad",
        extra={"focus": focus, "synonyms": "|".join(synonyms), "dataset": "MedQuAD (Ben Abacha & Demner-Fushman 2019), CC BY 4.0"},
    )
    passages = []
    for pair in root.iter("QAPair"):
        q = pair.find("Question")
        answer = clean_ws(pair.findtext("Answer") or "")
        if q is None or not answer:
            continue  # answers removed for copyright (ADAM, MedlinePlus drugs/herbs)
        question = clean_ws(q.text or "")
        pid = pair.get("pid", "0")
        passages.append(Passage(
            id=f"medquad:{src_name}_{doc_id}_Sec{pid}", source_id=source.id, heading=question,
            text=answer, position=int(pid) if pid.isdigit() else 0, cites=[source.id],
            embed_text=f"{question} {focus}".strip(),
            meta={"qtype": q.get("qtype", ""), "focus": focus, "qid": q.get("qid", "")},
        ))
    return ReadResult([source], passages)
