"""Numbered references in order of first citation, each with the exact passages used."""

from __future__ import annotations

from typing import Protocol

from medora.models import Bullet, Passage, PassageRef, Reference, Section, Source

MAX_PASSAGE_CHARS = 1500


class ReferenceBook:
    """Hands out reference numbers as bullets cite sources, and keeps the passages behind each."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._refs: list[Reference] = []

    def cite(self, source: Source, passage: Passage, text: str | None = None) -> int:
        n = self._numbers.get(source.id)
        if n is None:
            n = len(self._refs) + 1
            self._numbers[source.id] = n
            self._refs.append(
                Reference(
                    n=n,
                    type=source.type,
                    title=source.title,
                    source=source.organization,
                    year=source.year,
                    url=source.url,
                    doi=source.doi,
                    pmid=source.pmid,
                    source_id=source.id,
                )
            )
        ref = self._refs[n - 1]
        if all(p.id != passage.id for p in ref.passages):
            body = text if text is not None else passage.text
            if len(body) > MAX_PASSAGE_CHARS:
                body = body[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
            ref.passages.append(PassageRef(id=passage.id, text=body))
        return n

    @property
    def references(self) -> list[Reference]:
        return list(self._refs)


def unresolved_citations(summary: Bullet, sections: list[Section], references: list[Reference]) -> list[int]:
    """Citation numbers that point at no reference (should always be empty; the review queue flags any)."""
    known = {r.n for r in references}
    bad = [n for n in summary.citations if n not in known]
    for sec in sections:
        for b in sec.bullets:
            bad += [n for n in b.citations if n not in known]
    return bad


def renumber(summary: Bullet, sections: list[Section], references: list[Reference]) -> list[Reference]:
    """Renumber references in order of first citation (summary first, then sections top to bottom)."""
    order: list[int] = []
    for b in [summary, *(b for s in sections for b in s.bullets)]:
        for n in b.citations:
            if n not in order:
                order.append(n)
    mapping = {old: new for new, old in enumerate(order, start=1)}
    for b in [summary, *(b for s in sections for b in s.bullets)]:
        b.citations = sorted({mapping[n] for n in b.citations if n in mapping})
    by_old = {r.n: r for r in references}
    out = []
    for old in order:
        if old in by_old:
            out.append(by_old[old].model_copy(update={"n": mapping[old]}))
    return out


class PassageLookup(Protocol):
    """Where full passages are found by id: the index reader (medora.index.store.IndexReader)."""

    def passage(self, pid: str) -> Passage | None: ...


def evidence_texts(ref: Reference, reader: PassageLookup | None = None) -> list[str]:
    """The passages `ref` quotes, plus (given the index reader) each one's plain-language version.

    A patient answer's bullets are the reviewed lay text of the cited statements, while the reference quotes
    the clinician text; without the lay text a patient bullet would not count as supported by its own source.
    Used by the citation judge (eval) and by the check on editors' edits (review).
    """
    texts = [p.text for p in ref.passages]
    if reader is not None:
        for p in ref.passages:
            full = reader.passage(p.id)
            if full is not None and full.lay_text:
                texts.append(full.lay_text)
    return texts
