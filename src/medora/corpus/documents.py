"""The user's own documents: Markdown, plain text and PDF (through pypdf)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from medora.corpus.base import ReadResult, clean_ws, first_words, pack
from medora.errors import SourceFileError
from medora.models import Passage, Source, SourceType

SUFFIXES = {".md", ".markdown", ".txt", ".pdf"}


def _text_of(path: Path) -> tuple[str, list[tuple[str, str]]]:
    """Title and (heading, body) blocks of a text or Markdown file."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8") from exc
    raw = re.sub(r"\A---\s*\n.*?\n---\s*\n", "", raw, flags=re.S)
    blocks: list[tuple[str, str]] = []
    buf: list[str] = []
    heading, title = "", ""
    for line in raw.splitlines():
        m = re.match(r"^(#{1,6})\s+(.*)$", line)
        if m and path.suffix.lower() in {".md", ".markdown"}:
            if buf:
                blocks.append((heading, "\n".join(buf)))
            heading, buf = m.group(2).strip(), []
            title = title or heading
            continue
        buf.append(line)
    if buf:
        blocks.append((heading, "\n".join(buf)))
    return title, blocks


def _pdf_of(path: Path) -> tuple[str, list[tuple[str, str]]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [(f"page {i + 1}", page.extract_text() or "") for i, page in enumerate(reader.pages)]
        title = str(reader.metadata.get("/Title") or "") if reader.metadata else ""
    except (PdfReadError, ValueError, OSError) as exc:
        raise SourceFileError(path, f"unreadable PDF: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf raises AttributeError, KeyError... on damaged structures
        raise SourceFileError(path, f"unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if not any(t.strip() for _, t in pages):
        raise SourceFileError(path, "PDF has no extractable text (scanned image? run OCR first)")
    return title, pages


def read_document(path: Path, root: Path | None = None) -> ReadResult:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SourceFileError(path, f"unsupported file type {suffix!r}; use one of {sorted(SUFFIXES)}")
    title, blocks = _pdf_of(path) if suffix == ".pdf" else _text_of(path)
    rel = str(path.relative_to(root)) if root and path.is_relative_to(root) else path.name
    sid = "doc:" + hashlib.sha1(rel.encode()).hexdigest()[:12]
    source = Source(
        id=sid,
        type=SourceType.RESEARCH if suffix == ".pdf" else SourceType.TEXTBOOK,
        title=title or path.stem.replace("_", " ").replace("-", " "),
        organization="Local document",
        url=path.resolve().as_uri(),
        corpus="documents",
        extra={"path": rel},
    )
    out = ReadResult([source])
    pos = 0
    for heading, body in blocks:
        paras = [clean_ws(p.replace("\n", " ")) for p in re.split(r"\n\s*\n", body) if p.strip()]
        for chunk in pack(paras):
            if len(chunk.split()) < 5:
                continue
            out.passages.append(
                Passage(
                    id=f"{sid}#{pos}",
                    source_id=sid,
                    heading=heading,
                    text=chunk,
                    position=pos,
                    cites=[sid],
                    embed_text=f"{heading}: {first_words(chunk, 40)}",
                )
            )
            pos += 1
    if not out.passages:
        raise SourceFileError(path, "no text found")
    return out
