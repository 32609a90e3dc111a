"""Ingest and the on-disk index: idempotent, atomic, and loud about bad files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medora.errors import IndexMissing
from medora.index.store import IndexReader, current_dir
from medora.ingest import ingest
from medora.settings import REPO_DIR, Settings

pytestmark = pytest.mark.integration

KB_FILE = REPO_DIR / "knowledge" / "musculoskeletal" / "osteoporotic-vertebral-compression-fracture.yaml"


def _corpus(tmp_path: Path, shared: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "kb" / "musculoskeletal").mkdir(parents=True)
    (root / "kb" / "musculoskeletal" / KB_FILE.name).write_bytes(KB_FILE.read_bytes())
    (root / "medquad").mkdir()
    for name in ("0000001.xml", "0000002.xml", "0000003.xml"):
        (root / "medquad" / name).write_bytes((shared / "corpus" / "medquad" / "5_NIDDK_QA" / name).read_bytes())
    return root


def test_ingest_summary_idempotence_and_manifest(tmp_path: Path, shared: Path) -> None:
    root = _corpus(tmp_path, shared)
    settings = Settings(data_dir=tmp_path / "data", shared_dir=shared)
    first = ingest([root], settings, progress=False)
    assert first.files_read == 4 and first.passages_added > 20 and not first.rejected
    assert first.passages_total == first.embedded == first.passages_added
    second = ingest([root], settings, progress=False)
    assert second.files_read == 0 and second.files_unchanged == 4 and second.embedded == 0
    assert second.passages_total == first.passages_total
    manifest = json.loads((current_dir(settings.index_dir) / "manifest.json").read_text())
    assert manifest["embedder"].startswith("sentence-transformers/all-MiniLM-L6-v2")
    assert manifest["files"] == 4 and len(manifest["corpus_hash"]) == 64
    assert manifest["passages"] == first.passages_total


def test_changed_file_replaces_its_passages_and_reuses_other_vectors(tmp_path: Path, shared: Path) -> None:
    root = _corpus(tmp_path, shared)
    settings = Settings(data_dir=tmp_path / "data", shared_dir=shared)
    first = ingest([root], settings, progress=False)
    kb = next((root / "kb").rglob("*.yaml"))
    kb.write_text(kb.read_text(encoding="utf-8").replace("6-12 weeks", "6 to 12 weeks"), encoding="utf-8")
    second = ingest([root], settings, progress=False)
    assert second.files_read == 1 and second.files_unchanged == 3
    assert second.passages_total == first.passages_total
    assert 0 < second.embedded < 5  # only the changed statements are embedded again
    reader = IndexReader(settings.index_dir)
    texts = [p.text for p in reader.topic_passages("osteoporotic-vertebral-compression-fracture")]
    assert any("6 to 12 weeks" in t for t in texts) and not any("6-12 weeks" in t for t in texts)


def test_bad_files_are_reported_and_the_rest_go_in(tmp_path: Path, shared: Path) -> None:
    root = _corpus(tmp_path, shared)
    good = (root / "medquad" / "0000001.xml").read_bytes()
    (root / "medquad" / "truncated.xml").write_bytes(good[: len(good) // 3])
    (root / "kb" / "musculoskeletal" / "broken.yaml").write_text("id: broken\ntitle: [unclosed\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", shared_dir=shared)
    report = ingest([root], settings, progress=False)
    rejected = dict(report.rejected)
    assert len(rejected) == 2
    assert any(p.endswith("truncated.xml") and "malformed XML" in r for p, r in rejected.items())
    assert any(p.endswith("broken.yaml") and "YAML" in r for p, r in rejected.items())
    assert report.files_read == 4
    assert "files rejected: 2" in report.summary()


def test_interrupted_ingest_keeps_previous_index(tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _corpus(tmp_path, shared)
    settings = Settings(data_dir=tmp_path / "data", shared_dir=shared)
    ingest([root], settings, progress=False)
    before = IndexReader(settings.index_dir)
    n_before, dir_before = before.vectors.shape[0], before.dir
    (root / "medquad" / "0000004.xml").write_bytes(
        (shared / "corpus" / "medquad" / "5_NIDDK_QA" / "0000004.xml").read_bytes()
    )

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("medora.index.embedder.Embedder.encode", boom)
    with pytest.raises(KeyboardInterrupt):
        ingest([root], settings, progress=False)
    after = IndexReader(settings.index_dir)
    assert after.dir == dir_before and after.vectors.shape[0] == n_before
    assert [d for d in settings.index_dir.glob("v*") if d != dir_before] == []  # the partial version is gone


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexMissing) as exc:
        IndexReader(tmp_path / "nothing")
    assert "medora ingest" in exc.value.hint


def test_a_missing_path_is_reported_not_fatal(tmp_path: Path, shared: Path) -> None:
    root = _corpus(tmp_path, shared)
    settings = Settings(data_dir=tmp_path / "data", shared_dir=shared)
    report = ingest([root, tmp_path / "does-not-exist"], settings, progress=False)
    assert report.files_read == 4
    assert any("no such file" in reason for _, reason in report.rejected)
