"""Index build: wall time and peak memory of a from-scratch build of every default source.

python bench/build_index.py [--data-dir /tmp/medora-bench]   (default: a fresh temporary folder)
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

from medora.ingest import default_paths, ingest
from medora.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="medora-bench-"))
    s = Settings(data_dir=data_dir)
    paths = default_paths(s)
    print("sources: " + ", ".join(str(p) for p in paths), flush=True)
    t = time.perf_counter()
    report = ingest(paths, s, rebuild=True, progress=sys.stderr.isatty())
    wall = time.perf_counter() - t
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(report.summary())
    print(f"build: {wall / 60:.1f} min ({wall:.0f} s) wall   peak RSS {peak_mb:,.0f} MB   index at {report.index_dir}")
    t = time.perf_counter()
    again = ingest(paths, s, progress=False)
    print(
        f"re-ingest with nothing changed: {time.perf_counter() - t:.1f} s, files read {again.files_read}, "
        f"unchanged {again.files_unchanged}"
    )


if __name__ == "__main__":
    main()
