"""One clear error for a refused write, whatever says it (an OSError or SQLite), and all-or-nothing file writes."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from medora.errors import StorageError
from medora.index.durable import storage_errors, write_atomic

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("exc", "says", "advice"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), "No space left on device", "disk is full"),
        (OSError(errno.EROFS, os.strerror(errno.EROFS)), "Read-only file system", "remount it read-write"),
        (PermissionError(errno.EACCES, os.strerror(errno.EACCES)), "Permission denied", "fix its permissions"),
        (sqlite3.OperationalError("database or disk is full"), "No space left on device", "disk is full"),
        (sqlite3.OperationalError("attempt to write a readonly database"), "Read-only file system", "read-write"),
    ],
)
def test_refused_writes_become_one_error_with_advice(tmp_path: Path, exc: Exception, says: str, advice: str) -> None:
    with pytest.raises(StorageError) as caught:
        with storage_errors(tmp_path, "build the index"):
            raise exc
    err = caught.value
    assert err.message == f"could not build the index in {tmp_path}: {says}"
    assert advice in err.hint and "unchanged" in err.hint and err.status == 507


def test_other_errors_pass_through(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        with storage_errors(tmp_path, "build the index"):
            raise FileNotFoundError(errno.ENOENT, "gone")
    with pytest.raises(sqlite3.OperationalError):
        with storage_errors(tmp_path, "build the index"):
            raise sqlite3.OperationalError("no such table: passages")


def test_write_atomic_is_all_or_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "manifest.json"
    write_atomic(target, b"first")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("medora.index.durable.os.fsync", full)
    with pytest.raises(OSError):
        write_atomic(target, b"second, never complete")
    assert target.read_bytes() == b"first" and [p.name for p in tmp_path.iterdir()] == ["manifest.json"]
