"""Does an edited bullet keep the meaning of its cited passage? Negation and direction, clause by clause.

Word overlap cannot tell "needs urgent medical care" from "does not need urgent medical care": the
negation is not a content word (issue #14, audit M4). So every clause of an edited bullet is compared with
the passage clauses that share most of its content words:

- **negation**: the parity of negation cues (not, no, never, without, avoid, stop, ...) must agree, so
  "do not stop allopurinol" and "continue allopurinol" agree, "stop allopurinol" and "do not stop" do not;
- **direction**: for each antonym family pair (increase/decrease, high/low, more/less, above/below,
  maximum/minimum, early/late, ...) the bullet may not use only one side where the passage uses only the other.

A clause agrees when any of its best-matching passage clauses agrees; clauses sharing no content word with
the passage are left to the support check. This is a screen for reviewers, not a proof of meaning.
"""

from __future__ import annotations

from medora.review.matching import content_words
from medora.text import EDIT_CLAUSE, INSTRUCTION_NEGATIONS, WORD_APOSTROPHE, clauses, straight_quotes

# (one side, the other side): words that point in opposite directions; a trailing * is a stem
DIRECTIONS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("increas*", "rais*", "escalat*", "uptitrat*"), ("decreas*", "reduc*", "taper*", "downtitrat*")),
    (("high", "higher", "highest"), ("low", "lower", "lowest")),
    (("more", "greater", "larger"), ("less", "fewer", "smaller")),
    (("above", "over", "exceed*"), ("below", "under")),
    (("maximum", "max", "maximal"), ("minimum", "min", "minimal")),
    (("early", "earlier", "immediately", "urgent", "urgently", "emergency"), ("late", "later", "delay*", "routine")),
    (("worse", "worsen*"), ("better", "improv*")),
    (("safe", "safely"), ("unsafe", "dangerous", "harmful")),
]


def _uses(ws: list[str], side: tuple[str, ...]) -> bool:
    return any(w.startswith(s[:-1]) if s.endswith("*") else w == s for w in ws for s in side)


def words(text: str) -> list[str]:
    return WORD_APOSTROPHE.findall(straight_quotes(text.lower()))


def negated(text: str) -> bool:
    """An odd number of negation cues: 'do not stop' is positive, 'does not need' negative."""
    cues = sum(1 for w in words(text) if w in INSTRUCTION_NEGATIONS or w.endswith("n't"))
    return cues % 2 == 1


def directions(text: str) -> list[tuple[bool, bool]]:
    """For each direction pair: (uses the first side, uses the second side)."""
    ws = words(text)
    return [(_uses(ws, first), _uses(ws, second)) for first, second in DIRECTIONS]


def _negation_agrees(clause: str, passage_clause: str) -> bool:
    return negated(clause) == negated(passage_clause)


def _direction_conflict(clause: str, related: list[str]) -> str | None:
    """A direction pair where the clause uses only one side and the related passage clauses only the other."""
    theirs = [directions(c) for c in related]
    for k, ((b1, b2), (first, second)) in enumerate(zip(directions(clause), DIRECTIONS, strict=True)):
        p1, p2 = any(d[k][0] for d in theirs), any(d[k][1] for d in theirs)
        if (b1 and not b2 and p2 and not p1) or (b2 and not b1 and p1 and not p2):
            return f"direction ({first[0].rstrip('*')}/{second[0].rstrip('*')})"
    return None


def conflict(text: str, passage: str) -> str | None:
    """Why `text` says the opposite of `passage` (e.g. 'negation'), or None when no clause contradicts it.

    Negation is compared with the passage clauses sharing most content words with each clause of the text;
    direction with every passage clause sharing at least two (a bullet often joins two clauses).
    """
    parts = [(c, content_words(c)) for c in clauses(passage, EDIT_CLAUSE)]
    for clause in clauses(text, EDIT_CLAUSE):
        mine = content_words(clause)
        if not mine:
            continue
        overlaps = [(len(mine & theirs), c) for c, theirs in parts]
        best = max((n for n, _ in overlaps), default=0)
        if best == 0:
            continue
        if not any(_negation_agrees(clause, c) for n, c in overlaps if n == best):
            return f"negation differs in “{clause}”"
        related = [c for n, c in overlaps if n >= min(2, best)]
        if reason := _direction_conflict(clause, related):
            return f"{reason} differs in “{clause}”"
    return None
