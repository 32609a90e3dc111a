"""Durability and recovery (issue #14, audit L4, L9): a full disk or a read-only data folder is one clear error
and leaves the serving index as it was; backup and restore round-trip, and a damaged archive is refused;
an engine reload closes the old version's handles and keeps the embedder."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from medora.backup import backup, restore
from medora.cli import main
from medora.errors import BackupError, StorageError
from medora.index.store import IndexReader, current_dir
from medora.ingest import default_paths, ingest
from medora.qa import ask, get_engine
from medora.review import open_review
from medora.settings import Settings
from tests.index.tiny import QUESTION

pytestmark = pytest.mark.integration
Tiny = Callable[[], tuple[Settings, Path]]
PASSWORD = "a long enough passphrase"


@pytest.fixture
def installed(tiny: Tiny) -> tuple[Settings, Path]:
    settings, docs = tiny()
    assert not ingest(default_paths(settings), settings, progress=False).rejected
    return settings, docs


def _versions(settings: Settings) -> list[str]:
    return sorted(d.name for d in settings.index_dir.glob("v*"))


def _full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_full_disk_while_writing_vectors_is_a_clear_error_and_changes_nothing(
    installed: tuple[Settings, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, docs = installed
    before, versions = current_dir(settings.index_dir), _versions(settings)
    monkeypatch.setattr("medora.index.store.np.save", _full_disk)
    with pytest.raises(StorageError) as exc:
        ingest([docs], settings, progress=False)
    assert "No space left on device" in exc.value.message and "free space" in exc.value.hint
    assert current_dir(settings.index_dir) == before and _versions(settings) == versions  # no half version left
    assert ask(QUESTION, settings=settings).references


@contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make `path` read-only for this process: a read-only bind mount as root, file modes otherwise."""
    if os.geteuid() == 0:
        mount = subprocess.run(["mount", "--bind", str(path), str(path)], capture_output=True)
        if mount.returncode != 0:
            pytest.skip(f"cannot bind-mount as root here: {mount.stderr.decode()[-200:]}")
        try:
            subprocess.run(["mount", "-o", "remount,bind,ro", str(path)], check=True, capture_output=True)
            yield
        finally:
            subprocess.run(["umount", "--lazy", str(path)], check=True)  # open index files keep it busy
    else:
        modes = {p: p.stat().st_mode for p in [path, *path.rglob("*")] if not p.is_symlink()}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)


def test_read_only_data_folder_is_a_clear_error_and_answers_go_on(installed: tuple[Settings, Path]) -> None:
    settings, docs = installed
    before = current_dir(settings.index_dir)
    with read_only(settings.data_dir):
        with pytest.raises(OSError):
            (settings.data_dir / "probe").write_text("x")  # the folder really is read-only
        with pytest.raises(StorageError) as exc:
            ingest([docs], settings, progress=False)
        assert str(settings.index_dir) in exc.value.message and "unchanged" in exc.value.hint
        with pytest.raises(StorageError):
            backup(settings.data_dir / "backup.tar", settings)
        assert ask(QUESTION, settings=settings).references  # the serving index reads fine
    assert current_dir(settings.index_dir) == before


def test_backup_and_restore_round_trip(installed: tuple[Settings, Path], tmp_path: Path) -> None:
    settings, docs = installed
    open_review(settings).add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer")
    saved = current_dir(settings.index_dir)
    assert saved is not None
    files = {f.name: f.read_bytes() for f in saved.iterdir()}
    archive = tmp_path / "medora-backup.tar.gz"
    assert main(["--data-dir", str(settings.data_dir), "backup", str(archive)]) == 0
    ingest([docs], settings, progress=False)  # after the backup: a new version, another account
    open_review(settings).add_user("sam", PASSWORD, "editor", "Sam Editor")
    assert main(["--data-dir", str(settings.data_dir), "restore", str(archive)]) == 0
    restored = current_dir(settings.index_dir)
    assert restored is not None and restored != saved
    assert {f.name: f.read_bytes() for f in restored.iterdir()} == files
    reader = IndexReader(settings.index_dir)
    assert reader.db.execute("SELECT COUNT(*) FROM passages WHERE json LIKE '%ZETA07QX%'").fetchone()[0] == 0
    reader.close()
    assert [u.username for u in open_review(settings).list_users()] == ["rita"]
    assert list(settings.data_dir.glob("medora.db.pre-restore-*"))  # the replaced database is kept aside


def _damage(archive: Path, tmp_path: Path) -> Path:
    """One flipped byte inside the vectors (not in a tar header, which tarfile checks itself)."""
    with tarfile.open(archive) as tar:
        member = tar.getmember("index/vectors.npy")
    data = bytearray(archive.read_bytes())
    data[member.offset_data + member.size // 2] ^= 0xFF
    out = tmp_path / "damaged.tar"
    out.write_bytes(bytes(data))
    return out


def test_restore_refuses_a_damaged_archive_and_changes_nothing(
    installed: tuple[Settings, Path], tmp_path: Path
) -> None:
    settings, _ = installed
    archive = tmp_path / "b.tar"
    backup(archive, settings)
    before, versions = current_dir(settings.index_dir), _versions(settings)
    truncated = tmp_path / "cut.tar.gz"
    backup(tmp_path / "full.tar.gz", settings)
    truncated.write_bytes((tmp_path / "full.tar.gz").read_bytes()[:5000])
    not_ours = tmp_path / "notes.tar"
    not_ours.write_bytes(b"hello" * 100)
    cases = {_damage(archive, tmp_path): "checksum", truncated: "not a readable", not_ours: "not a readable"}
    for bad, says in cases.items():
        with pytest.raises(BackupError) as exc:
            restore(bad, settings)
        assert says in exc.value.message and "Nothing was restored" in exc.value.hint
    assert current_dir(settings.index_dir) == before and _versions(settings) == versions
    assert not list(settings.data_dir.glob(".restore-*"))  # the staging folder is gone
    assert main(["--data-dir", str(settings.data_dir), "restore", str(not_ours)]) == 2


def test_full_disk_during_backup_leaves_no_partial_archive(
    installed: tuple[Settings, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, _ = installed
    monkeypatch.setattr("medora.backup.os.fsync", _full_disk)
    with pytest.raises(StorageError) as exc:
        backup(tmp_path / "b.tar", settings)
    assert "No space left" in exc.value.message
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("b.tar", ".b.tar"))) == []


def test_reload_closes_the_old_version_and_keeps_the_embedder(installed: tuple[Settings, Path]) -> None:
    settings, docs = installed
    old = get_engine(settings)
    old_db, old_dir, embedder = old.reader.db, old.reader.dir, old.embedder  # the connection, not the reader
    ingest([docs], settings, progress=False)
    new = get_engine(settings)
    assert new is not old and new.embedder is embedder and new.reader.dir != old_dir
    assert old.search("vertebral compression", k=3)[0]  # a request still holding the old engine keeps working
    assert get_engine(settings) is new
    old_db.execute("SELECT 1")  # still open: `old` is held
    del old
    assert get_engine(settings) is new  # the next lookup closes what nobody holds any more
    with pytest.raises(sqlite3.ProgrammingError):
        old_db.execute("SELECT 1")
