"""An editor's change to an answer, bullet by bullet, keeping every citation valid.

Bullets are addressed as ``summary`` (the bottom line) or ``s<section>.b<bullet>`` (1-based), the keys the
review page shows. A cited reference must exist and must hold a passage that supports the edited text:
enough of the bullet's content words appear in the passage, or (with an embedder) the two mean the same.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Annotated

import numpy as np
from pydantic import BaseModel, Field

from medora.compose.citations import PassageLookup
from medora.compose.citations import evidence_texts as evidence
from medora.errors import InvalidRequest
from medora.models import Answer, Bullet, Reference
from medora.review.matching import content_words
from medora.review.meaning import conflict

KEY = re.compile(r"^(summary|s(\d+)\.b(\d+))$")
MAX_TEXT = 1500
MIN_WORDS = 3  # "Gout" alone is not a statement a reader can act on (audit M4)
LEXICAL_SUPPORT = 0.5  # share of the bullet's content words found in one passage
SEMANTIC_SUPPORT = 0.8  # cosine similarity of a close paraphrase (MiniLM; topical neighbours sit at 0.5-0.7)

Encode = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows (Embedder.encode)


class BulletEdit(BaseModel):
    bullet: str = Field(description="'summary' or 's<section>.b<bullet>', 1-based, as on the review page")
    text: str = Field(description="the new wording")
    citations: list[Annotated[int, Field(ge=1, le=999)]] | None = Field(
        None, description="reference numbers; default: keep the bullet's own"
    )


def bullets(answer: Answer) -> Iterator[tuple[str, str, Bullet]]:
    """(key, label, bullet) for the bottom line and every section bullet, in reading order."""
    yield "summary", "Bottom line", answer.summary
    for i, section in enumerate(answer.sections, 1):
        for j, b in enumerate(section.bullets, 1):
            yield f"s{i}.b{j}", section.heading, b


NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def numbers(text: str) -> set[str]:
    """Doses, thresholds and time windows: '0.6 mg', '72 hours', '≥ 140' -> {'0.6', '72', '140'}."""
    return {n.replace(",", ".") for n in NUMBER.findall(text)}


def support(text: str, ref: Reference, encode: Encode | None = None, reader: PassageLookup | None = None) -> float:
    """How well the best passage of `ref` supports `text`, 0..1.

    Lexical: the share of the text's content words found in the passage. With an embedder, a close
    paraphrase (cosine >= SEMANTIC_SUPPORT) also counts. Either way every number in the text (a dose, a
    threshold, a duration) must appear in that passage: a changed dose is never "supported".
    With the index `reader`, each passage's plain-language version counts as a passage too (see evidence()).
    """
    scored = passage_support(text, ref, encode, reader)
    return max((sc for sc, _ in scored), default=0.0)


def passage_support(
    text: str, ref: Reference, encode: Encode | None = None, reader: PassageLookup | None = None
) -> list[tuple[float, str]]:
    """(support score, passage text) for every passage of `ref` (see support())."""
    passages = evidence(ref, reader)
    words = content_words(text)
    if not passages or not words:
        return []
    needed = numbers(text)
    scores = [len(words & content_words(p)) / len(words) if needed <= numbers(p) else 0.0 for p in passages]
    if encode is not None and max(scores) < LEXICAL_SUPPORT:
        vecs = encode([text, *passages])
        sims = vecs[1:] @ vecs[0]
        scores = [
            max(sc, LEXICAL_SUPPORT if float(sim) >= SEMANTIC_SUPPORT and needed <= numbers(p) else 0.0)
            for sc, sim, p in zip(scores, sims, passages, strict=True)
        ]
    return list(zip(scores, passages, strict=True))


def supported(text: str, ref: Reference, encode: Encode | None = None, reader: PassageLookup | None = None) -> bool:
    return support(text, ref, encode, reader) >= LEXICAL_SUPPORT


def support_problem(
    text: str, ref: Reference, encode: Encode | None = None, reader: PassageLookup | None = None
) -> str | None:
    """None when a passage of `ref` supports `text` and says the same thing (negation, direction), else why not."""
    backing = [p for sc, p in passage_support(text, ref, encode, reader) if sc >= LEXICAL_SUPPORT]
    if not backing:
        return (
            f"reference [{ref.n}] has no passage that supports the new text; cite the "
            "reference that says it, or keep closer to its wording"
        )
    reasons = [conflict(text, p) for p in backing]
    if all(reasons):
        return f"reference [{ref.n}] says the opposite: {reasons[0]}; keep the passage's meaning"
    return None


def apply_edits(
    answer: Answer, edits: list[BulletEdit], encode: Encode | None = None, reader: PassageLookup | None = None
) -> Answer:
    """A copy of `answer` with the edits applied, or InvalidRequest listing every problem.

    Pass the index `reader` so that patient answers are checked against their passages' lay text too.
    """
    if not edits:
        raise InvalidRequest("no edits given", hint="Change at least one bullet's text or citations.")
    new = answer.model_copy(deep=True)
    refs = {r.n: r for r in new.references}
    found = {key: b for key, _, b in bullets(new)}
    problems: list[str] = []
    for e in edits:
        key = e.bullet.strip()
        if not KEY.match(key) or key not in found:
            problems.append(f"{key}: no such bullet (use 'summary' or s<section>.b<bullet>, e.g. s1.b2)")
            continue
        text = " ".join(e.text.split())
        target = found[key]
        cites = target.citations if e.citations is None else sorted(set(e.citations))
        if not text:
            problems.append(f"{key}: the text is empty")
        elif len(text.split()) < MIN_WORDS:
            problems.append(f"{key}: a statement needs at least {MIN_WORDS} words")
        elif len(text) > MAX_TEXT:
            problems.append(f"{key}: the text is {len(text):,} characters; the limit is {MAX_TEXT:,}")
        if not cites:
            problems.append(f"{key}: every statement needs at least one citation")
        for n in cites:
            if n not in refs:
                problems.append(f"{key}: citation [{n}] is not in the reference list (1-{len(refs)})")
            elif text and (problem := support_problem(text, refs[n], encode, reader)):
                problems.append(f"{key}: {problem}")
        if text != target.text or cites != target.citations:
            target.passages = []  # reworded: the page finds the supporting passage by word overlap again
        target.text, target.citations = text, cites
    if problems:
        raise InvalidRequest(
            "the edit was not saved: " + "; ".join(problems),
            hint="A citation must point to a passage that supports the statement.",
        )
    if new == answer:
        raise InvalidRequest("the edit changes nothing", hint="Change the text or the citations of a bullet.")
    return new
