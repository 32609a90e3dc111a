"""What changed between two versions of an article: bullet by bullet, word by word."""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel

from medora.models import Answer
from medora.review.edits import bullets


class Words(BaseModel):
    op: Literal["equal", "insert", "delete"]
    text: str


class BulletDiff(BaseModel):
    op: Literal["equal", "changed", "added", "removed"]
    section: str
    old: str | None = None
    new: str | None = None
    old_citations: list[int] = []
    new_citations: list[int] = []
    words: list[Words] = []  # for "changed": the word-level edit


def _rows(a: Answer) -> list[tuple[str, str, list[int]]]:
    return [(label, b.text, b.citations) for _, label, b in bullets(a)]


def word_diff(old: str, new: str) -> list[Words]:
    a, b = old.split(), new.split()
    out: list[Words] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.append(Words(op="equal", text=" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Words(op="delete", text=" ".join(a[i1:i2])))
        if j2 > j1:
            out.append(Words(op="insert", text=" ".join(b[j1:j2])))
    return out


def diff_answers(old: Answer, new: Answer) -> list[BulletDiff]:
    ra, rb = _rows(old), _rows(new)
    keys_a = [(s, t) for s, t, _ in ra]
    keys_b = [(s, t) for s, t, _ in rb]
    out: list[BulletDiff] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False).get_opcodes():
        if tag == "equal":
            for (s, t, ca), (_, _, cb) in zip(ra[i1:i2], rb[j1:j2], strict=True):
                op = "equal" if ca == cb else "changed"
                out.append(
                    BulletDiff(
                        op=op,
                        section=s,
                        old=t,
                        new=t,
                        old_citations=ca,
                        new_citations=cb,
                        words=[Words(op="equal", text=t)],
                    )
                )
            continue
        olds, news = ra[i1:i2], rb[j1:j2]
        for k in range(max(len(olds), len(news))):
            o = olds[k] if k < len(olds) else None
            n = news[k] if k < len(news) else None
            if o and n:
                out.append(
                    BulletDiff(
                        op="changed",
                        section=n[0],
                        old=o[1],
                        new=n[1],
                        old_citations=o[2],
                        new_citations=n[2],
                        words=word_diff(o[1], n[1]),
                    )
                )
            elif o:
                out.append(BulletDiff(op="removed", section=o[0], old=o[1], old_citations=o[2]))
            elif n:
                out.append(BulletDiff(op="added", section=n[0], new=n[1], new_citations=n[2]))
    return out
