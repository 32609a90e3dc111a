"""Ingest: read source files, write the next index version beside the current one, swap it in.

Connects `corpus` (which makes passages) and `index` (which stores them); neither imports the other.
The user's own documents (paths outside the default corpora) are recorded in every version, so a
rebuild reads them again, or keeps their passages when the file is gone: they are never lost.

Usage example::

    report = ingest([Path("knowledge"), Path("../shared/data/corpus/medquad")], settings)
    print(report.summary())
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from medora import __version__
from medora.corpus import discover, read
from medora.errors import SourceFileError
from medora.index.durable import storage_errors
from medora.index.embedder import Embedder
from medora.index.store import IndexWriter, sha256_file, user_sources, version_files
from medora.settings import PACKAGE_DIR, Settings

SHARED_CORPORA = ("nci", "medquad", "uspstf", "pubmedqa", "druglabels")


@dataclass
class IngestReport:
    files_read: int = 0
    files_unchanged: int = 0
    passages_added: int = 0
    passages_total: int = 0
    embedded: int = 0
    questions_embedded: int = 0
    files_kept: int = 0  # a rebuild: user documents no longer on disk, carried over from the last version
    rejected: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    index_dir: str = ""

    def summary(self) -> str:
        lines = [
            f"files read: {self.files_read}   unchanged (skipped): {self.files_unchanged}   "
            f"files rejected: {len(self.rejected)}"
            + (f"   kept from the last version (file gone): {self.files_kept}" if self.files_kept else ""),
            f"passages added: {self.passages_added}   passages in index: {self.passages_total}   "
            f"newly embedded: {self.embedded} (questions: {self.questions_embedded})   time: {self.seconds:.1f}s",
        ]
        lines += [f"  rejected {path}: {reason}" for path, reason in self.rejected]
        return "\n".join(lines)


def default_paths(settings: Settings) -> list[Path]:
    """The embedded default: the house knowledge base, plus the shared corpora when present."""
    paths = [settings.knowledge_dir]
    if settings.shared_dir is not None:
        paths += [
            settings.shared_dir / "corpus" / name
            for name in SHARED_CORPORA
            if (settings.shared_dir / "corpus" / name).exists()
        ]
    return paths


def builtin_synonyms() -> list[tuple[str, str, str]]:
    rows = []
    for line in (PACKAGE_DIR / "data" / "abbreviations.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            term, _, expansions = line.partition("\t")
            for exp in expansions.split("|"):
                if exp.strip():
                    rows.append((term.strip().lower(), exp.strip().lower(), "builtin"))
    return rows


def _progress(total: int, desc: str, enabled: bool):  # noqa: ANN202 - tqdm or a no-op
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit="",
        disable=not enabled or total == 0,
        file=sys.stderr,
        mininterval=1.0,
        dynamic_ncols=True,
    )


def ingest(paths: list[Path], settings: Settings, *, rebuild: bool = False, progress: bool = True) -> IngestReport:
    """Read every file under `paths` into a new index version; bad files are reported, not fatal.

    `rebuild=True` starts the new version empty (and reads the user's own documents again); the
    current version serves until the new one is complete either way. A full disk or a read-only
    data folder raises `StorageError` and leaves the current version as it was.
    """
    t0 = time.perf_counter()
    report = IngestReport()
    root = settings.index_dir
    writer = IndexWriter(root, rebuild=rebuild)
    try:
        with storage_errors(root, "build the index"):
            report.index_dir = str(_build(writer, paths, settings, rebuild, report, progress))
    except BaseException:
        writer.abort()  # the previous version stays current
        raise
    report.seconds = time.perf_counter() - t0
    return report


def _build(
    writer: IndexWriter, paths: list[Path], settings: Settings, rebuild: bool, report: IngestReport, progress: bool
) -> Path:
    files: list[tuple[str, Path]] = []
    for p in paths:
        try:
            files += discover(p)
        except SourceFileError as exc:
            report.rejected.append((exc.path, exc.reason))
    defaults = [d.resolve() for d in default_paths(settings)]
    own = [str(p.resolve()) for p in paths if p.exists() and not _under(p.resolve(), defaults)]
    writer.set_user_sources(_recorded(writer.previous) + own)
    if rebuild and writer.previous is not None:
        files += _user_documents(writer, [*defaults, *(p.resolve() for p in paths)], files, report)
    writer.add_synonyms(builtin_synonyms())
    with _progress(len(files), "reading", progress) as bar:
        for kind, path in files:
            _ingest_file(writer, kind, path, report)
            bar.update(1)
    writer.drop_topics_without_passages()
    todo_rows, todo_texts, matrix = writer.pending_embeddings()
    q_rows, q_texts, questions = writer.pending_questions()  # the questions passages answer (#13 part 6)
    if todo_texts or q_texts:
        emb = Embedder.load(
            settings.data_dir / "models",
            max_tokens=settings.embed_max_tokens,
            batch=settings.embed_batch,
            threads=settings.threads,
        )
        if todo_texts:
            with _progress(len(todo_texts), "embedding", progress) as bar:
                matrix[todo_rows] = emb.encode(todo_texts, progress=bar)
        if q_texts:
            with _progress(len(q_texts), "embedding questions", progress) as bar:
                questions[q_rows] = emb.encode(q_texts, progress=bar)
        fingerprint = emb.fingerprint
    else:
        fingerprint = (
            writer.previous and json.loads((writer.previous / "manifest.json").read_text()).get("embedder")
        ) or ""
    report.embedded = len(todo_texts)
    report.questions_embedded = len(q_texts)
    report.passages_total = int(matrix.shape[0])
    hashes = writer.file_hashes()
    manifest = {
        "medora_version": __version__,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "embedder": fingerprint,
        "embed_max_tokens": settings.embed_max_tokens,
        "lexical": "sqlite-fts5 porter unicode61, bm25(heading=2, text=1)",
        "corpus_hash": hashlib.sha256("".join(hashes).encode()).hexdigest(),
        "files": len(hashes),
    }
    return writer.commit(matrix, manifest, questions)


def _recorded(version: Path | None) -> list[str]:
    try:
        return user_sources(version)
    except (OSError, ValueError):
        return []  # unreadable: the rebuild still carries the documents over from the version's files table


def _under(path: Path, roots: list[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _user_documents(
    writer: IndexWriter, covered: list[Path], found: list[tuple[str, Path]], report: IngestReport
) -> list[tuple[str, Path]]:
    """For a rebuild: the user's documents of the last version, read again (or carried over if gone)."""
    prev = writer.previous
    assert prev is not None
    try:
        return _carry_over(writer, prev, covered, found, report)
    except (sqlite3.DatabaseError, OSError, ValueError) as exc:  # a rebuild is how a damaged index is fixed
        report.rejected.append((str(prev), f"the last version cannot be read ({exc}); ingest your own documents again"))
        return []


def _carry_over(
    writer: IndexWriter, prev: Path, covered: list[Path], found: list[tuple[str, Path]], report: IngestReport
) -> list[tuple[str, Path]]:
    files: list[tuple[str, Path]] = []
    for src in map(Path, user_sources(prev)):
        if src.exists() and not _under(src, covered):
            try:
                files += discover(src)  # the folder again: documents added to it since are read too
            except SourceFileError as exc:
                report.rejected.append((exc.path, exc.reason))
    seen = {str(p.resolve()) for _, p in [*found, *files]}
    for path, kind in version_files(prev):
        if path in seen or _under(Path(path), covered):
            continue  # read again from where it lies (or, in a default corpus, gone on purpose)
        if Path(path).is_file():
            files.append((kind, Path(path)))
        elif writer.copy_file_from(prev, path):
            report.files_kept += 1
    return files


def _ingest_file(writer: IndexWriter, kind: str, path: Path, report: IngestReport) -> None:
    key = str(path.resolve())
    try:
        sha = sha256_file(path)
    except OSError as exc:
        report.rejected.append((str(path), f"cannot read: {exc.strerror}"))
        return
    if writer.file_hash(key) == sha:
        report.files_unchanged += 1
        return
    try:
        result = read(kind, path)
    except SourceFileError as exc:
        report.rejected.append((exc.path, exc.reason))
        return
    report.passages_added += writer.replace_file(key, kind, sha, result.sources, result.passages)
    report.files_read += 1
    writer.add_topics(result.topics)  # house topics (the knowledge base's files)
    writer.add_synonyms(result.synonyms)  # names a reader knows are the same thing (drug brand and generic...)
