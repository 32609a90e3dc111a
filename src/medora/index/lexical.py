"""BM25 over the passages' FTS5 table (SQLite's own ranking), the lexical half of hybrid search.

SQLite's `bm25()` is Okapi BM25 with k1 = 1.2 and b = 0.75 (Robertson & Zaragoza 2009); the two weights give
a heading match twice the weight of a text match. FTS5 returns lower-is-better scores: they are negated here.
"""

from __future__ import annotations

import sqlite3

BM25 = "bm25(fts, 2.0, 1.0)"  # weights: heading 2, text 1 (the manifest records them)


def match_expression(terms: list[str]) -> str:
    """Any of the terms, each as a quoted phrase (a term's own quotes removed), duplicates once."""
    return " OR ".join('"' + t.replace('"', "") + '"' for t in dict.fromkeys(terms))


def bm25(db: sqlite3.Connection, terms: list[str], k: int, corpus: str | None = None) -> list[tuple[int, float]]:
    """(passage rowid, BM25 score) of the k best matches for any of the terms, best first.

    `corpus` (e.g. "medquad") keeps only passages whose id starts with that reader's prefix.
    """
    if not terms:
        return []
    match = match_expression(terms)
    if corpus:
        sql = (
            f"SELECT fts.rowid, {BM25} AS s FROM fts JOIN passages p ON p.rowid = fts.rowid "
            "WHERE fts MATCH ? AND p.id LIKE ? ORDER BY s LIMIT ?"
        )
        args: tuple = (match, f"{corpus}:%", k)
    else:
        sql = f"SELECT rowid, {BM25} AS s FROM fts WHERE fts MATCH ? ORDER BY s LIMIT ?"
        args = (match, k)
    return [(r, -s) for r, s in db.execute(sql, args)]
