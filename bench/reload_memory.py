"""Memory across index reloads (issue #14, audit L4): RSS of a serving process over N reloads.

A helper process plays `medora ingest` (each round adds one changed user document, so every round is a new
index version); this process plays the server: after each ingest it calls `get_engine()` (which reloads)
and answers a few questions, then prints its RSS. `--old` reloads the way get_engine did before #14 (a new
engine with its own embedder per reload, the old one left to the garbage collector) for comparison.

    python bench/reload_memory.py                  # house knowledge base, 30 reloads
    python bench/reload_memory.py --old            # the same with the pre-#14 reload
    python bench/reload_memory.py --topics 20      # a quicker look on 20 topics
"""

from __future__ import annotations

import argparse
import gc
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import medora.qa as qa
from medora.qa import ask, get_engine
from medora.retrieval import SearchEngine
from medora.settings import REPO_DIR, Settings

QUESTIONS = (
    "What is the initial approach to managing endplate vertebral body compression?",
    "How is gout treated?",
    "What are the red flags in acute low back pain?",
)
INGESTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from medora.ingest import ingest
    from medora.settings import Settings

    data, kb, docs = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    settings = Settings(data_dir=data, knowledge_dir=kb, shared_dir=None)
    ingest([kb], settings, progress=False)
    print("ready", flush=True)
    for line in sys.stdin:
        n = int(line)
        (docs / "note.md").write_text(f"# Ward note {n}\\n\\nRound {n} of the reload benchmark: nothing clinical.\\n")
        ingest([docs], settings, progress=False)
        print("done", flush=True)
    """
)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def open_fds_to_deleted() -> int:
    n = 0
    for fd in Path("/proc/self/fd").iterdir():
        try:
            n += "(deleted)" in str(fd.readlink())
        except OSError:
            pass
    return n


def old_reload(settings: Settings) -> SearchEngine:
    """get_engine before #14: a fresh SearchEngine.open (embedder included); the old one is simply dropped."""
    key = str(settings.index_dir)
    engine = qa._engines.get(key)
    current = (settings.index_dir / "current").resolve()
    if engine is None or engine.reader.dir != current:
        engine = SearchEngine.open(settings)
        qa._engines[key] = engine
    return engine


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reloads", type=int, default=30)
    ap.add_argument("--topics", type=int, default=0, help="only the first N KB topics (0: all)")
    ap.add_argument("--old", action="store_true", help="reload the way get_engine did before #14")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="medora-reload-"))
    kb, docs = work / "kb", work / "docs"
    docs.mkdir()
    topics = sorted((REPO_DIR / "knowledge").rglob("*.yaml"))
    for f in topics[: args.topics or None]:
        (kb / f.parent.name).mkdir(parents=True, exist_ok=True)
        shutil.copy(f, kb / f.parent.name / f.name)
    settings = Settings(data_dir=work / "data", knowledge_dir=kb, shared_dir=None)
    child = subprocess.Popen(
        [sys.executable, "-c", INGESTER, str(settings.data_dir), str(kb), str(docs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin and child.stdout
    t0 = time.perf_counter()
    assert child.stdout.readline().strip() == "ready"
    reload = old_reload if args.old else get_engine
    print(f"index built in {time.perf_counter() - t0:.0f} s; reload: {'pre-#14' if args.old else 'current'}")
    for q in QUESTIONS:
        ask(q, settings=settings, engine=reload(settings))
    print(f"{'reload':>6} {'RSS MB':>8} {'fds to deleted files':>21}")
    print(f"{0:>6} {rss_mb():>8.0f} {open_fds_to_deleted():>21}")
    figures = []
    for n in range(1, args.reloads + 1):
        child.stdin.write(f"{n}\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done"
        for q in QUESTIONS:
            ask(q, settings=settings, engine=reload(settings))
        figures.append(rss_mb())
        print(f"{n:>6} {figures[-1]:>8.0f} {open_fds_to_deleted():>21}", flush=True)
    gc.collect()
    print(f"after gc.collect(): RSS {rss_mb():.0f} MB, fds to deleted files {open_fds_to_deleted()}")
    first, last = figures[0], figures[-1]
    print(f"RSS after reload 1: {first:.0f} MB, after {args.reloads}: {last:.0f} MB, max {max(figures):.0f} MB")
    child.stdin.close()
    child.wait()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
