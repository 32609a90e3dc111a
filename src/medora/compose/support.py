"""A local judge of "does this text support that statement?" (no LLM, no network).

The judge behind the evaluation suites (`medora.eval.support` calibrates it on K-QA and documents the
method) and behind generative mode's verification (`compose/verify.py`, issue #15), so it lives on the
runtime side: the runtime never imports the evaluation harness.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np

STOP = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each few for from further had has have having he her
here hers him his how i if in into is it its itself just may me might more most must my no nor not of off on once only
or other our out over own same she should so some such than that the their them then there these they this those
through to too under until up very was we were what when where which while who whom why will with would you your
yours one two use used usually often many much people person patients patient""".split()
)
WORD = re.compile(r"[a-z0-9]+")
SENTENCE = re.compile(r"(?<=[.!?;])\s+|\n+|\s+[-*\u2022]\s+")
NEGATION = re.compile(
    r"\b(?:no|not|never|none|neither|nor|without|cannot|can't|don't|doesn't|didn't|isn't|aren't|"
    r"wasn't|shouldn't|won't|mustn't|unable|avoid|lack|lacks)\b|n't\b"
)

# Used when no calibration data is at hand (no K-QA file); the values the calibration chose on the
# K-QA development half, rounded (see the kqa report for the current figures).
DEFAULT_COSINE = 0.43
DEFAULT_OVERLAP = 0.5


def stem(word: str) -> str:
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in WORD.findall(text.lower()) if w not in STOP and (len(w) > 2 or w.isdigit()))


def windows(text: str) -> list[str]:
    """Sentences plus pairs of neighbouring sentences."""
    sents = [s.strip() for s in SENTENCE.split(text) if s and len(s.strip()) > 3]
    return sents + [f"{a} {b}" for a, b in zip(sents, sents[1:], strict=False)]


def negated(text: str) -> bool:
    return bool(NEGATION.search(text.lower().replace("\u2019", "'")))


@dataclass
class Match:
    cosine: float
    overlap: float
    window: str


class Encoder(Protocol):
    """What the judge embeds with: medora.index.embedder.Embedder, or anything returning unit vectors."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass
class SupportJudge:
    """Judge statements against texts; embeddings are cached per text."""

    embedder: Encoder
    cosine: float = DEFAULT_COSINE
    overlap: float = DEFAULT_OVERLAP
    _cache: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    def vectors(self, texts: Sequence[str]) -> np.ndarray:
        todo = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if todo:
            for t, v in zip(todo, self.embedder.encode(todo), strict=True):
                self._cache[t] = v
        return np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 384), dtype=np.float32)

    def prime(self, statements: Sequence[str], texts: Sequence[str]) -> None:
        """Embed many statements and texts' windows in one batched pass (much faster than one by one)."""
        self.vectors([*statements, *(w for t in texts for w in windows(t))])

    def matches(self, statement: str, text: str) -> list[Match]:
        wins = windows(text)
        if not wins:
            return []
        sv = self.vectors([statement])[0]
        cos = self.vectors(wins) @ sv
        words = content_words(statement)
        out = []
        for w, c in zip(wins, cos, strict=True):
            ov = len(words & content_words(w)) / len(words) if words else 0.0
            out.append(Match(float(c), ov, w))
        return out

    def best(self, statement: str, text: str) -> Match | None:
        """The window that supports the statement best (meets both thresholds, highest cosine)."""
        ok = [m for m in self.matches(statement, text) if m.cosine >= self.cosine and m.overlap >= self.overlap]
        return max(ok, key=lambda m: m.cosine) if ok else None

    def supports(self, text: str, statement: str) -> bool:
        return self.best(statement, text) is not None

    def contradicts(self, text: str, statement: str) -> bool:
        m = self.best(statement, text)
        return m is not None and negated(m.window) != negated(statement)
