"""USPSTF recommendation statements (JSON list): each a Guideline with its letter grade."""

from __future__ import annotations

import json
from pathlib import Path

from medora.corpus.base import ReadResult, clean_ws
from medora.errors import SourceFileError
from medora.models import Passage, Source, SourceType

GRADE_MEANING = {
    "A": "recommended: high certainty of substantial net benefit",
    "B": "recommended: net benefit is moderate, or small with high certainty",
    "C": "offer selectively: net benefit is small",
    "D": "recommended against: no net benefit or harms outweigh benefits",
    "I": "insufficient evidence to weigh benefits and harms",
}


def read_uspstf(path: Path) -> ReadResult:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SourceFileError(path, f"invalid JSON: {exc}") from exc
    if not isinstance(data, list):
        raise SourceFileError(path, "expected a JSON list of recommendations")
    out = ReadResult()
    for i, rec in enumerate(data):
        if not isinstance(rec, dict) or not all(
            isinstance(rec.get(k), str) and rec[k] for k in ("title", "recommendation")
        ):
            raise SourceFileError(path, f"entry {i} lacks a title or recommendation")
        rid = str(rec.get("id") or i)
        grade = str(rec.get("grade") or "").strip()
        src = Source(
            id=f"uspstf:{rid}",
            type=SourceType.GUIDELINE,
            title=f"USPSTF recommendation: {clean_ws(rec['title'])}",
            organization="U.S. Preventive Services Task Force",
            corpus="uspstf",
            url="https://www.uspreventiveservicestaskforce.org/uspstf/recommendation-topics",
            extra={
                "grade": grade,
                "sex": str(rec.get("sex") or ""),
                "age_min": str(rec.get("age_min") or ""),
                "age_max": str(rec.get("age_max") or ""),
            },
        )
        text = clean_ws(rec["recommendation"]).replace(".See ", ". See ")
        if grade:
            text += f" (Grade {grade}: {GRADE_MEANING.get(grade, 'see USPSTF grade definitions')}.)"
        out.sources.append(src)
        out.passages.append(
            Passage(
                id=f"uspstf:{rid}#0",
                source_id=src.id,
                heading=clean_ws(rec["title"]),
                text=text,
                kind="prevention",
                cites=[src.id],
                embed_text=f"{rec['title']}: {rec['recommendation'][:300]}",
                meta={"grade": grade},
            )
        )
        if rec.get("risk_factor"):
            out.passages.append(
                Passage(
                    id=f"uspstf:{rid}#1",
                    source_id=src.id,
                    heading=f"{clean_ws(rec['title'])}: who is at risk",
                    text=clean_ws(rec["risk_factor"]),
                    position=1,
                    kind="background",
                    cites=[src.id],
                    embed_text=f"{rec['title']} risk factors",
                    meta={"grade": grade},
                )
            )
    return out
