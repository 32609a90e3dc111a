"""Files that survive a crash or a power loss, and one clear error when the disk refuses a write.

A rename is atomic, but after a power loss it may point at data the disk never received: the
data must be fsynced before the rename, and the folder holding the new name after it.

Usage example::

    with storage_errors(settings.index_dir, "build the index"):
        write_atomic(root / "notes.json", b"{}")
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from medora.errors import StorageError

# errno -> what the operator should do; anything else gets the generic hint of StorageError
ADVICE = {
    errno.ENOSPC: "The disk is full: free space under {where} and run the command again.",
    errno.EDQUOT: "The disk quota is used up: free space under {where} and run the command again.",
    errno.EROFS: "{where} is on a read-only file system: remount it read-write or set MEDORA_DATA_DIR elsewhere.",
    errno.EACCES: "This user may not write to {where}: fix its permissions or set MEDORA_DATA_DIR elsewhere.",
    errno.EPERM: "This user may not write to {where}: fix its permissions or set MEDORA_DATA_DIR elsewhere.",
}
# SQLite reports the same conditions as messages, not errno values
SQLITE_ERRNO = {
    "database or disk is full": errno.ENOSPC,
    "readonly database": errno.EROFS,
    "unable to open database": errno.EACCES,
    "disk i/o error": errno.EIO,
}


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make the names in a folder (a new file, a rename) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Every file below `path`, then every folder, deepest first."""
    dirs: list[Path] = []
    for top, _subdirs, files in os.walk(path):
        dirs.append(Path(top))
        for name in files:
            fsync_file(Path(top) / name)
    for folder in reversed(dirs):
        fsync_dir(folder)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `path` completely or not at all (temporary file, fsync, rename, fsync of the folder)."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def storage_error(exc: OSError | sqlite3.Error, where: Path, doing: str) -> StorageError:
    """The one error for a refused write: what failed, where, and what to do about it."""
    code = getattr(exc, "errno", None)
    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        code = next((c for msg, c in SQLITE_ERRNO.items() if msg in text), None)
    reason = os.strerror(code) if code else str(exc)
    hint = ADVICE.get(code or 0, StorageError.hint).format(where=where)
    return StorageError(f"could not {doing} in {where}: {reason}", hint=hint + " What was there before is unchanged.")


def is_storage_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError):
        return exc.errno in ADVICE or exc.errno == errno.EIO
    if isinstance(exc, sqlite3.OperationalError):
        return any(msg in str(exc).lower() for msg in SQLITE_ERRNO)
    return False


@contextmanager
def storage_errors(where: Path, doing: str) -> Iterator[None]:
    """Turn a full disk, a read-only folder or a refused permission into a StorageError."""
    try:
        yield
    except (OSError, sqlite3.OperationalError) as exc:
        if not is_storage_failure(exc):
            raise
        raise storage_error(exc, where, doing) from exc
