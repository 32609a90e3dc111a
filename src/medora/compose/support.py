"""A local judge of "does this text support that statement?" (no LLM, no network).

The judge behind the evaluation suites (`medora.eval.support` calibrates it on K-QA and documents the
method) and behind generative mode's verification (`compose/verify.py`, issue #15), so it lives on the
runtime side: the runtime never imports the evaluation harness.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import numpy as np

from medora.text import ALNUM as WORD
from medora.text import SENTENCE_OR_ITEM as SENTENCE
from medora.text import STATEMENT_STOP_WORDS as STOP
from medora.text import negated, stem

# Used when no calibration data is at hand (no K-QA file); the values the calibration chose on the
# K-QA development half, rounded (see the kqa report for the current figures).
DEFAULT_COSINE = 0.43
DEFAULT_OVERLAP = 0.5


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in WORD.findall(text.lower()) if w not in STOP and (len(w) > 2 or w.isdigit()))


def windows(text: str) -> list[str]:
    """Sentences plus pairs of neighbouring sentences."""
    sents = [s.strip() for s in SENTENCE.split(text) if s and len(s.strip()) > 3]
    return sents + [f"{a} {b}" for a, b in zip(sents, sents[1:], strict=False)]


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
