"""Near-identical questions map to one article: a normalised key plus a token-overlap test."""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[a-z0-9]+")
# Function words that do not change what is asked. Negations and numbers are kept on purpose:
# "should I take aspirin" and "should I not take aspirin" are different questions.
STOP = frozenset("""a an the of for to in on at by with and or is are was were be been being do does did can could
should would will shall may might must what whats which who whom how when where why please tell me i my we our you
your it its this that these those there their about any some""".split())
SIMILAR = 0.8  # Jaccard overlap of content words above which two questions are the same question


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def content_words(question: str) -> set[str]:
    words = WORD.findall(_fold(question))
    return {w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w for w in words if w not in STOP}


def question_key(question: str) -> str:
    """Order- and punctuation-free key: 'How is gout treated?' == 'gout: how is it treated'."""
    return " ".join(sorted(content_words(question)))[:500]


def similarity(a: str, b: str) -> float:
    """Jaccard overlap of two question keys (or questions)."""
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)


def same_question(key_a: str, key_b: str) -> bool:
    return key_a == key_b or similarity(key_a, key_b) >= SIMILAR
