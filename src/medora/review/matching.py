"""Near-identical questions map to one article: a normalised key plus a token-overlap test."""

from __future__ import annotations

from medora.text import ALNUM, QUESTION_NEGATIONS, QUESTION_STOP_WORDS, ascii_fold, singular


def content_words(question: str) -> set[str]:
    """A question's words, folded to ASCII, without function words, plurals made singular."""
    return {singular(w) for w in ALNUM.findall(ascii_fold(question)) if w not in QUESTION_STOP_WORDS}


def question_key(question: str) -> str:
    """Order- and punctuation-free key: 'How is gout treated?' == 'gout: how is it treated'."""
    return " ".join(sorted(content_words(question)))[:500]


def stem_key(key: str) -> str:
    """The key with each word cut to 5 letters: equal for any two keys that same_question() accepts, so the
    near-match can look up its few candidates by index instead of scanning every article."""
    return " ".join(sorted({w[:5] for w in key.split()}))[:500]


def _inflections(a: str, b: str) -> bool:
    """'treated'/'treatment', 'diagnosed'/'diagnosis': one stem; 'hypertension'/'hyperthyroidism' are not."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= 5 and n >= 0.7 * min(len(a), len(b))


def same_question(key_a: str, key_b: str) -> bool:
    """Same key, or the keys differ only by inflections of the same words ('How is gout treated?' and
    'gout treatment?'). A word added or swapped ('... in pregnancy', 'adults' -> 'children'), a negation or
    a number always makes a different question: an approved answer must never be served for another one."""
    if key_a == key_b:
        return True
    wa, wb = set(key_a.split()), set(key_b.split())
    only_a, only_b = wa - wb, wb - wa
    if any(w in QUESTION_NEGATIONS or any(c.isdigit() for c in w) for w in only_a | only_b):
        return False
    return (
        bool(only_a)
        and bool(only_b)
        and all(any(_inflections(x, y) for y in only_b) for x in only_a)
        and all(any(_inflections(y, x) for x in only_a) for y in only_b)
    )
