"""Readers, one per real source format, and how a path is matched to its reader.

Usage example::

    for reader, path in discover(Path("../shared/data/corpus/medquad")):
        result = read(reader, path)   # ReadResult(sources, passages) or SourceFileError
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from medora.corpus.base import ReadResult
from medora.corpus.documents import SUFFIXES as DOC_SUFFIXES
from medora.corpus.documents import read_document
from medora.corpus.druglabels import read_druglabels
from medora.corpus.kb import read_topic, topic_records
from medora.corpus.medquad import read_medquad
from medora.corpus.nci import read_nci
from medora.corpus.pubmed import read_medline_xml, read_pubmedqa
from medora.corpus.uspstf import read_uspstf
from medora.errors import SourceFileError
from medora.models import Topic


def read_kb(path: Path) -> ReadResult:
    """One house topic: its sources and statements, the topic itself, and its aliases as synonyms of its title."""
    topic = read_topic(path)
    sources, passages = topic_records(topic)
    synonyms = [(a.lower(), topic.title.lower(), "kb") for a in topic.aliases]
    entry = Topic(topic.id, topic.title, tuple(topic.aliases), topic.emergency, f"kb:{topic.id}")
    return ReadResult(sources, passages, synonyms, [entry])


READERS: dict[str, Callable[[Path], ReadResult]] = {
    "kb": read_kb,
    "nci": read_nci,
    "medquad": read_medquad,
    "uspstf": read_uspstf,
    "druglabels": read_druglabels,
    "pubmedqa": read_pubmedqa,
    "medline": read_medline_xml,
    "documents": read_document,
}
IGNORED = {".ds_store", "license", "license.txt", "readme.txt", "readme.md", "thumbs.db"}


def sniff(path: Path) -> str | None:
    """Which reader a file needs, from its name and first bytes; None to skip it quietly."""
    name, suffix = path.name.lower(), path.suffix.lower()
    if name in IGNORED or name.startswith("."):
        return None
    if suffix in {".yaml", ".yml"}:
        return "kb"
    try:
        head = path.open("rb").read(2048)
    except OSError:
        return "documents"  # the reader reports why it cannot be read
    if suffix == ".gz" or head[:2] == b"\x1f\x8b":
        return "medline"
    if suffix == ".zip" or head[:4] == b"PK\x03\x04":
        return "druglabels" if _zipped_label(path) else None
    text = head.decode("utf-8", "replace").lstrip("\ufeff \n\r\t")
    if suffix == ".xml":
        return "medline" if "PubmedArticleSet" in text else "medquad"
    if suffix in {".json", ".jsonl"} and _openfda_label(text):
        return "druglabels"
    if suffix == ".json":
        return "uspstf" if text.startswith("[") else "pubmedqa"
    if suffix == ".md" and text.startswith("---") and ("cancer.gov" in text or "source: NCI" in text):
        return "nci"
    if suffix in DOC_SUFFIXES:
        return "documents"
    return None


def _openfda_label(head: str) -> bool:
    """openFDA drug/label data: a record (its fields) or an API response / bulk file (its meta block)."""
    if not head.startswith(("{", "[")):
        return False
    record = '"openfda"' in head or ('"set_id"' in head and '"effective_time"' in head)
    bulk = '"meta"' in head and "open.fda.gov" in head
    return record or bulk


def _zipped_label(path: Path) -> bool:
    """A zipped openFDA bulk download (drug-label-0001-of-0013.json.zip)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            name = next((n for n in zf.namelist() if n.lower().endswith((".json", ".jsonl"))), None)
            if name is None:
                return False
            with zf.open(name) as fh:
                return _openfda_label(fh.read(4096).decode("utf-8", "replace").lstrip("\ufeff \n\r\t"))
    except (OSError, zipfile.BadZipFile):
        return False


def discover(root: Path) -> list[tuple[str, Path]]:
    """Every readable file under root (or root itself), with its reader name, in a stable order."""
    if root.is_file():
        kind = sniff(root)
        return [(kind or "documents", root)]
    if not root.is_dir():
        raise SourceFileError(root, "no such file or folder")
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        kind = sniff(path)
        if kind:
            found.append((kind, path))
    return found


def read(kind: str, path: Path) -> ReadResult:
    if kind not in READERS:
        raise SourceFileError(path, f"unknown reader {kind!r}; choose from {sorted(READERS)}")
    try:
        return READERS[kind](path)
    except SourceFileError:
        raise
    except Exception as exc:  # a reader bug must not stop the whole ingest
        raise SourceFileError(path, f"{type(exc).__name__}: {exc}") from exc
