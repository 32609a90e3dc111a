"""What an answer rests on: the ids of its sources and a hash of their indexed text.

An approved article serves the fast path only while this hash is unchanged: a re-ingest that edits,
adds or removes a passage of any cited source sends the article back to review.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel

from medora.index.store import IndexReader
from medora.models import Answer
from medora.review.models import Version


class Fingerprint(BaseModel):
    source_ids: list[str]
    hash: str
    index_version: str | None = None


def source_ids(answer: Answer) -> list[str]:
    return sorted({r.source_id or f"{r.title}|{r.source}" for r in answer.references})


def source_digest(reader: IndexReader, sid: str) -> bytes:
    """SHA-256 of one source's indexed passages, computed once per index version (a reader never changes)."""
    cache: dict[str, bytes] = reader.__dict__.setdefault("_source_digests", {})
    if sid not in cache:
        h = hashlib.sha256()
        for p in reader.source_passages(sid, limit=100_000):
            h.update(p.id.encode() + b"\0" + p.text.encode() + b"\1")
        cache[sid] = h.digest()
    return cache[sid]


def fingerprint(answer: Answer, reader: IndexReader | None) -> Fingerprint:
    ids = source_ids(answer)
    h = hashlib.sha256()
    for sid in ids:
        h.update(sid.encode() + b"\0")
        if reader is not None:
            h.update(source_digest(reader, sid))
    corpus = reader.manifest.get("corpus_hash") if reader is not None else None
    return Fingerprint(source_ids=ids, hash=h.hexdigest(), index_version=str(corpus)[:64] if corpus else None)


def stale(version: Version, reader: IndexReader | None) -> bool:
    """True if the sources a stored version cites have changed in the index since it was written."""
    return fingerprint(version.answer, reader).hash != version.sources_fingerprint
