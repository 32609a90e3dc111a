"""What every reader returns, and the text helpers readers share."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from medora.models import Passage, Source


@dataclass
class ReadResult:
    """The sources and passages one file yields, and the synonyms its names teach query expansion."""

    sources: list[Source] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # (term, expansion, origin), e.g. ("lexapro", "escitalopram", "druglabel")
    synonyms: list[tuple[str, str, str]] = field(default_factory=list)


_WS = re.compile(r"[ \t\r\f\v]+")
_SENT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


def clean_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def sentences(text: str) -> list[str]:
    """Split prose into sentences (good enough for extractive answers)."""
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n(?=\s*[-*•] )", text):
        para = clean_ws(para.replace("\n", " "))
        if para:
            out.extend(s.strip() for s in _SENT.split(para) if s.strip())
    return out


def pack(paragraphs: list[str], target_words: int = 180, max_words: int = 320) -> list[str]:
    """Pack paragraphs into chunks of about target_words, splitting very long paragraphs."""
    chunks: list[str] = []
    cur: list[str] = []
    n = 0
    for para in paragraphs:
        words = len(para.split())
        if words > max_words:
            if cur:
                chunks.append("\n\n".join(cur))
                cur, n = [], 0
            sents = sentences(para)
            buf: list[str] = []
            m = 0
            for s in sents:
                buf.append(s)
                m += len(s.split())
                if m >= target_words:
                    chunks.append(" ".join(buf))
                    buf, m = [], 0
            if buf:
                chunks.append(" ".join(buf))
            continue
        if n and n + words > target_words:
            chunks.append("\n\n".join(cur))
            cur, n = [], 0
        cur.append(para)
        n += words
    if cur:
        chunks.append("\n\n".join(cur))
    return chunks


def first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n])
