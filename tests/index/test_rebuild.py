"""Rebuild without an outage (issue #14, audit H1): the new version is built beside the serving one and
swapped in only when complete; a rebuild killed at any step leaves the old version serving, the next run
starts cleanly, and the user's own documents are read again (or kept) instead of lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from medora.errors import Conflict
from medora.index.store import IndexReader, IndexWriter, current_dir, user_sources
from medora.ingest import default_paths, ingest
from medora.settings import REPO_DIR, Settings
from tests.index.tiny import QUESTION, tiny_install

pytestmark = pytest.mark.integration
Tiny = Callable[[], tuple[Settings, Path]]

# Where a killed rebuild stops: before each step that writes (`vectors-half` mid-way through vectors.npy).
STEPS = ("reading", "embedding", "vectors-half", "manifest", "swap", "prune")
CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    import medora.index.store as store
    from medora.index.embedder import Embedder
    from medora.ingest import default_paths, ingest
    from medora.settings import Settings

    step, data, kb = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])

    def pause():
        print("AT", step, flush=True)
        time.sleep(600)  # the test kills us here

    def stop_before(cls, name):
        real = getattr(cls, name)
        def wrapper(*args, **kwargs):
            pause()
            return real(*args, **kwargs)
        setattr(cls, name, wrapper)

    def half_save(fh, matrix):
        fh.write(b"\\x93NUMPY" + bytes(4096))
        fh.flush()
        pause()

    where = {"reading": (store.IndexWriter, "replace_file"), "embedding": (Embedder, "encode"),
             "manifest": (store.IndexWriter, "_write_manifest"), "swap": (store.IndexWriter, "_swap"),
             "prune": (store.IndexWriter, "_prune")}
    if step == "vectors-half":
        store.np.save = half_save
    else:
        stop_before(*where[step])
    settings = Settings(data_dir=data, knowledge_dir=kb, shared_dir=None)
    ingest(default_paths(settings), settings, rebuild=True, progress=False)
    print("DONE", flush=True)
    """
)


def _install(tiny: Callable[[], tuple[Settings, Path]]) -> tuple[Settings, Path]:
    settings, docs = tiny()
    assert not ingest(default_paths(settings), settings, progress=False).rejected
    assert ingest([docs], settings, progress=False).passages_added > 0  # the user's own protocol
    return settings, docs


def _protocol_passages(settings: Settings) -> list[str]:
    reader = IndexReader(settings.index_dir)
    try:
        rows = reader.db.execute("SELECT json FROM passages WHERE json LIKE '%ZETA07QX%'").fetchall()
        return [r[0] for r in rows]
    finally:
        reader.close()


def test_rebuild_reads_user_documents_again_and_keeps_the_old_version(tiny: Tiny) -> None:
    settings, docs = _install(tiny)
    old = current_dir(settings.index_dir)
    report = ingest(default_paths(settings), settings, rebuild=True, progress=False)
    new = current_dir(settings.index_dir)
    assert new != old and old is not None and old.exists()  # the previous version stays for a running server
    assert report.files_read == 2 and report.embedded == report.passages_total  # empty start, all re-embedded
    assert _protocol_passages(settings)  # the user's document was read again
    assert user_sources(new) == [str(docs.resolve())]


def test_rebuild_keeps_a_user_document_whose_file_is_gone(tiny: Tiny) -> None:
    settings, docs = _install(tiny)
    before = _protocol_passages(settings)
    (docs / "zeta07qx.md").unlink()
    report = ingest(default_paths(settings), settings, rebuild=True, progress=False)
    assert report.files_kept == 1 and "kept from the last version" in report.summary()
    assert _protocol_passages(settings) == before


def test_rebuild_repairs_a_damaged_index(tiny: Tiny) -> None:
    settings, _ = _install(tiny)
    damaged = current_dir(settings.index_dir)
    assert damaged is not None
    (damaged / "medora.sqlite").write_bytes(b"not a database" * 100)
    report = ingest(default_paths(settings), settings, rebuild=True, progress=False)
    assert any(
        "cannot be read" in reason and "ingest your own documents again" in reason for _, reason in report.rejected
    )
    reader = IndexReader(settings.index_dir)
    assert reader.dir != damaged and reader.stats()["passages"] == report.passages_total > 0
    reader.close()


def test_one_ingest_at_a_time(tmp_path: Path) -> None:
    settings, _ = tiny_install(tmp_path)
    writer = IndexWriter(settings.index_dir)
    try:
        with pytest.raises(Conflict) as exc:
            IndexWriter(settings.index_dir)
        assert "another ingest" in exc.value.message and "keeps serving" in exc.value.hint
    finally:
        writer.abort()


def _asker(url: str, stop: threading.Event, results: list[tuple[int, str]]) -> None:
    """A client that keeps asking (and checking health) until told to stop; records every status."""
    with httpx.Client(base_url=url, timeout=60) as http:
        while not stop.is_set():
            for r in (http.post("/api/ask", json={"question": QUESTION}), http.get("/health")):
                results.append((r.status_code, r.text[:200]))
            time.sleep(0.05)


def _kill_at(step: str, settings: Settings) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_DIR / "src")}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, step, str(settings.data_dir), str(settings.knowledge_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        line = child.stdout.readline() if child.stdout else ""
        assert line.strip() == f"AT {step}", f"rebuild did not reach {step}: {line!r} {child.stderr.read()[-2000:]}"
        time.sleep(0.3)  # the server keeps answering while the rebuild sits at this step
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)


def test_rebuild_killed_at_every_step_never_interrupts_answers(tmp_path: Path, tiny: Tiny) -> None:
    from medora.web.app import create_app
    from medora.web.config import WebSettings
    from tests.web.conftest import serving, with_database

    settings, _ = _install(tiny)
    settings = with_database(settings, tmp_path / "medora.db")
    app = create_app(settings, WebSettings(ask_per_minute=0, submit_per_hour=0))
    results: list[tuple[int, str]] = []
    stop = threading.Event()
    with serving(app) as url:
        asker = threading.Thread(target=_asker, args=(url, stop, results), daemon=True)
        asker.start()
        try:
            for step in STEPS:
                before = current_dir(settings.index_dir)
                _kill_at(step, settings)
                after = current_dir(settings.index_dir)
                if step == "prune":  # killed after the swap: the complete new version serves
                    assert after != before and (after / "manifest.json").exists()
                else:
                    assert after == before, f"killed at {step}, yet current moved"
                served = len(results)
                deadline = time.monotonic() + 30
                while len(results) < served + 2 and time.monotonic() < deadline:
                    time.sleep(0.05)  # still answering after the kill
            final = ingest(default_paths(settings), settings, rebuild=True, progress=False)  # a re-run succeeds
            served = len(results)
            while len(results) < served + 2 and asker.is_alive():
                time.sleep(0.05)
        finally:
            stop.set()
            asker.join(timeout=60)
    failed = [r for r in results if r[0] != 200]
    assert len(results) > 2 * len(STEPS) and failed == [], failed[:3]
    assert current_dir(settings.index_dir) == Path(final.index_dir).resolve()
    assert _protocol_passages(settings)  # the user's document survived six killed rebuilds
    versions = sorted(d.name for d in settings.index_dir.glob("v*"))
    assert len(versions) == 2, versions  # the new one and the one before it: every abandoned build is gone
