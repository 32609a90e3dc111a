"""Check the knowledge base: `python -m medora.corpus.kbcheck [knowledge-dir]` (also `medora kb check`)."""

from __future__ import annotations

import datetime as dt
import sys
from collections import Counter
from pathlib import Path

from medora.corpus.kb import Topic, cross_check, load_catalog, load_topics
from medora.settings import get_settings


def check(root: Path) -> int:
    settings = get_settings()
    topics, errors = load_topics(root)
    for err in errors:
        print(f"ERROR {err.path}: {err.reason}")
    catalog = load_catalog(settings.catalog_path) if settings.catalog_path and settings.catalog_path.exists() else None
    if catalog is None:
        print("note: catalog not found; catalog ids not checked")
    problems = cross_check(topics, catalog)
    for p in problems:
        print(f"PROBLEM {p}")
    return 1 if errors or problems else 0


def stale_findings(
    topics: list[Topic], catalog: dict[str, dict] | None, *, today: dt.date, max_age_years: int
) -> list[str]:
    """Why each topic may be out of date: a superseded reference, an old reference, no review or an old one."""
    out = []
    for t in topics:
        for r in t.references:
            row = (catalog or {}).get(r.catalog_id or "")
            if row and row.get("superseded_by"):
                out.append(f"{t.id}: superseded reference {r.key} ({r.catalog_id} -> {row['superseded_by']})")
            elif today.year - r.year > max_age_years:
                out.append(f"{t.id}: reference {r.key} is from {r.year}, over {max_age_years} years old")
        if t.review is None:
            out.append(f"{t.id}: no clinical review recorded")
        elif (today - t.review.date).days > 365:
            out.append(f"{t.id}: last reviewed {t.review.date.isoformat()}, over a year ago")
    return out


def stale(root: Path, *, max_age_years: int = 10, today: dt.date | None = None) -> int:
    """`medora kb stale`: exit 1 only for superseded references (CI keeps those at zero); the rest is advice."""
    settings = get_settings()
    topics, _ = load_topics(root)
    catalog = load_catalog(settings.catalog_path) if settings.catalog_path and settings.catalog_path.exists() else None
    findings = stale_findings(topics, catalog, today=today or dt.date.today(), max_age_years=max_age_years)
    for f in findings:
        print(f)
    superseded = sum("superseded reference" in f for f in findings)
    print(
        f"{len(findings)} findings in {len({f.split(':')[0] for f in findings})} topics; superseded references: {superseded}"
    )
    return 1 if superseded else 0


def report(root: Path) -> None:
    topics, errors = load_topics(root)
    by_spec = Counter(t.specialty for t in topics)
    kinds = Counter(s.section for t in topics for s in t.statements)
    refs = [r for t in topics for r in t.references]
    with_id = sum(1 for r in refs if r.doi or r.pmid)
    n_st = sum(len(t.statements) for t in topics)
    print(f"topics: {len(topics)}   statements: {n_st}   references: {len(refs)}   files rejected: {len(errors)}")
    print(f"references with a DOI or PMID: {with_id}/{len(refs)} = {with_id / max(1, len(refs)):.1%}")
    print(f"references with a catalog id: {sum(1 for r in refs if r.catalog_id)}")
    print("\ntopics per specialty:")
    for spec, n in sorted(by_spec.items()):
        print(f"  {spec:24s} {n}")
    print("\nstatements per section kind:")
    for kind, n in kinds.most_common():
        print(f"  {kind:24s} {n}")


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else get_settings().knowledge_dir
    code = check(root)
    report(root)
    sys.exit(code)
