"""`medora backup` and `medora restore`: the database and the serving index version in one checked archive.

The archive is a tar file (gzip-compressed when its name ends in .gz or .tgz)::

    MANIFEST.json        format, versions, when, and the size and SHA-256 of every other member
    database/medora.db   a consistent copy of the SQLite database (SQLite's online backup; the server may run)
    index/...            the files of the index version that was current

Restore checks every member against the manifest before it touches anything, then swaps the index
in atomically and puts the database in place (the one it replaces is kept as `medora.db.pre-restore-*`).

Usage example::

    report = backup(Path("medora-2026-12-01.tar.gz"), settings)
    restore(Path("medora-2026-12-01.tar.gz"), settings)
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from medora import __version__
from medora.db import database_url
from medora.errors import BackupError, MedoraError
from medora.index.durable import fsync_dir, fsync_file, fsync_tree, storage_errors
from medora.index.store import current_dir, install_version
from medora.settings import Settings

FORMAT = "medora-backup"
FORMAT_VERSION = 1
DB_MEMBER = "database/medora.db"
INDEX_FILES = ("index/manifest.json", "index/medora.sqlite", "index/vectors.npy")


@dataclass
class BackupReport:
    path: Path
    files: int
    bytes: int
    index_version: str | None
    database: bool

    def summary(self) -> str:
        what = [
            f"index {self.index_version}" if self.index_version else "no index",
            "database" if self.database else "",
        ]
        return f"{self.path}: {self.files} files, {self.bytes / 1e6:.1f} MB ({', '.join(w for w in what if w)})"


def sqlite_path(settings: Settings) -> Path | None:
    """The SQLite database file, or None when the database is elsewhere (PostgreSQL: use pg_dump)."""
    url = database_url(settings)
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///"))


def backup(target: Path, settings: Settings) -> BackupReport:
    """Write the database and the current index version to `target`, completely or not at all."""
    index = current_dir(settings.index_dir)
    db = sqlite_path(settings)
    has_db = db is not None and db.exists()
    if index is None and not has_db:
        raise MedoraError(f"nothing to back up in {settings.data_dir}", hint="Check MEDORA_DATA_DIR or --data-dir.")
    target = target.expanduser().resolve()
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    with storage_errors(target.parent, "write the backup"), tempfile.TemporaryDirectory(dir=target.parent) as work:
        try:
            members: dict[str, Path] = {}
            if has_db:
                assert db is not None
                members[DB_MEMBER] = _snapshot(db, Path(work) / "medora.db")
            if index is not None:
                for f in sorted(index.iterdir()):
                    if f.is_file():
                        members[f"index/{f.name}"] = f
            files: dict[str, dict] = {n: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for n, p in members.items()}
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "medora_version": __version__,
                "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "index_version": index.name if index else None,
                "files": files,
            }
            _write_tar(tmp, manifest, members)
            os.replace(tmp, target)
            fsync_dir(target.parent)
        finally:
            tmp.unlink(missing_ok=True)
    size = sum(int(f["bytes"]) for f in files.values())
    return BackupReport(target, len(members), size, index.name if index else None, has_db)


def _snapshot(db: Path, out: Path) -> Path:
    """A consistent copy of a live SQLite database (WAL included), without stopping the server."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return out


def _write_tar(path: Path, manifest: dict, members: dict[str, Path]) -> None:
    gz = path.name.removesuffix(f".tmp-{os.getpid()}").endswith((".gz", ".tgz"))
    with path.open("wb") as raw:
        tar = tarfile.open(fileobj=raw, mode="w:gz", compresslevel=1) if gz else tarfile.open(fileobj=raw, mode="w")
        with tar:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("MANIFEST.json")
            info.size, info.mtime = len(data), int(time.time())
            tar.addfile(info, io.BytesIO(data))
            for name, p in members.items():
                tar.add(p, arcname=name, recursive=False)
        raw.flush()
        os.fsync(raw.fileno())


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def restore(archive: Path, settings: Settings) -> dict:
    """Check `archive` completely, then put its index and database in place. Stop `medora serve` first."""
    data_dir = Path(settings.data_dir).expanduser()
    with storage_errors(data_dir, "restore the backup"):
        data_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=data_dir))
        try:
            manifest = _unpack(archive, staging)
            db = sqlite_path(settings)
            if DB_MEMBER in manifest["files"] and db is None:
                raise BackupError(
                    "the backup holds a SQLite database but this installation's database is not SQLite",
                    hint="Restore into an installation with the default database, or load it yourself.",
                )
            fsync_tree(staging)
            if manifest.get("index_version"):
                install_version(settings.index_dir, staging / "index")
            if DB_MEMBER in manifest["files"]:
                assert db is not None
                _put_database(staging / DB_MEMBER, db)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return manifest


def _unpack(archive: Path, staging: Path) -> dict:
    """Extract into `staging`, refusing anything the manifest does not vouch for, byte for byte."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            manifest = _read_manifest(tar)
            expected = manifest["files"]
            seen: set[str] = set()
            for member in tar:
                if member.name == "MANIFEST.json":
                    continue
                name = _safe_name(member, expected)
                seen.add(name)
                out = staging / name
                out.parent.mkdir(parents=True, exist_ok=True)
                src = tar.extractfile(member)
                assert src is not None
                h = hashlib.sha256()
                with out.open("wb") as fh:
                    while block := src.read(1 << 20):
                        h.update(block)
                        fh.write(block)
                if h.hexdigest() != expected[name]["sha256"] or out.stat().st_size != expected[name]["bytes"]:
                    raise BackupError(f"{archive}: {name} does not match its checksum (the archive is damaged)")
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(f"{archive}: incomplete, missing {', '.join(missing)}")
    except FileNotFoundError:
        raise BackupError(f"{archive}: no such file", hint="Check the path of the backup.") from None
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(f"{archive}: not a readable backup archive ({exc or type(exc).__name__})") from exc
    return manifest


def _read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != "MANIFEST.json" or not first.isfile():
        raise BackupError("not a Medora backup: MANIFEST.json is not the first member")
    raw = tar.extractfile(first)
    try:
        manifest = json.loads(raw.read() if raw else b"")
    except ValueError as exc:
        raise BackupError(f"the backup's MANIFEST.json is not valid JSON ({exc})") from exc
    if (
        not isinstance(manifest, dict)
        or manifest.get("format") != FORMAT
        or not isinstance(manifest.get("files"), dict)
    ):
        raise BackupError("not a Medora backup: MANIFEST.json has no 'format': 'medora-backup' and 'files'")
    if manifest.get("index_version") and not all(f in manifest["files"] for f in INDEX_FILES):
        raise BackupError("the backup's index is incomplete: it needs " + ", ".join(INDEX_FILES))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"backup format {manifest.get('format_version')} is not {FORMAT_VERSION}",
            hint="Restore it with the Medora version that wrote it (see medora_version in MANIFEST.json).",
        )
    return manifest


def _safe_name(member: tarfile.TarInfo, expected: dict) -> str:
    path = PurePosixPath(member.name)
    if not member.isfile() or path.is_absolute() or ".." in path.parts or member.name not in expected:
        raise BackupError(f"unexpected member {member.name!r} in the backup; nothing was restored")
    if path.parts[0] not in ("index", "database") or len(path.parts) != 2:
        raise BackupError(f"unexpected member {member.name!r} in the backup; nothing was restored")
    return member.name


def _put_database(staged: Path, db: Path) -> None:
    """Swap the database file in; the old one (with its WAL, which must not meet the new file) is kept aside."""
    db.parent.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    for suffix in ("", "-wal", "-shm"):
        old = Path(f"{db}{suffix}")
        if old.exists():
            os.replace(old, db.with_name(f"{db.name}.pre-restore-{stamp}{suffix}"))
    os.replace(staged, db)
    fsync_file(db)
    fsync_dir(db.parent)
