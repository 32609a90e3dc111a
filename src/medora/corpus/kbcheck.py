"""Check the knowledge base: `python -m medora.corpus.kbcheck [knowledge-dir]` (also `medora kb check`)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from medora.corpus.kb import cross_check, load_catalog, load_topics
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
