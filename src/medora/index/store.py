"""The index on disk: one SQLite file (sources, passages, FTS5) plus a vector matrix and a manifest.

Each ingest (a rebuild too) writes a complete new version directory beside the current one, fsyncs
it, and then swaps the `current` symlink in one atomic rename, so an interrupted ingest leaves the
previous index untouched and serving. One ingest at a time (`.ingest.lock`); the next one removes
what an interrupted one left behind.

    index/
      current -> v20261124T191500-1234
      .ingest.lock
      v20261124T191500-1234/
        medora.sqlite      sources, passages, files (content hashes), FTS5 table, synonyms
        vectors.npy        float32 (passages x 384), row i = passage with vec_row i
        questions.npy      float32 (questions x 384): each distinct question a passage answers (its
                           meta["question"]), row j = the question of the passages with q_row j
        question_rows.npy  int32 (passages): the q_row of the passage with vec_row i, -1 for none (read at
                           start-up instead of q_row, which SQLite stores after each passage's JSON)
        user_sources.json  the paths given to `medora ingest <paths>`, read again by a rebuild
        manifest.json      versions, parameters, corpus hash, counts (written last: a version is complete)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from medora.errors import Conflict, IndexCorrupt, IndexMissing
from medora.index.durable import fsync_dir, fsync_file, storage_errors, write_atomic
from medora.index.lexical import bm25
from medora.models import Passage, Source, Topic

# 2: passages carry the question they answer (question_hash, q_row) and questions.npy holds their vectors.
# An ingest over a version-1 index reads every file again (the readers add the questions) and embeds only
# the questions: passage vectors are reused by their text's hash. A version-1 index still serves, without
# the question signal, until then.
SCHEMA_VERSION = 2
READABLE_SCHEMAS = (1, 2)
SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (id TEXT PRIMARY KEY, json TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, reader TEXT NOT NULL, sha256 TEXT NOT NULL, passages INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    rowid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, source_id TEXT NOT NULL, file TEXT NOT NULL,
    topic TEXT, embed_hash TEXT NOT NULL, vec_row INTEGER, json TEXT NOT NULL,
    question_hash TEXT, q_row INTEGER
);
CREATE INDEX IF NOT EXISTS passages_file ON passages(file);
CREATE INDEX IF NOT EXISTS passages_topic ON passages(topic);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(heading, text, tokenize = 'porter unicode61');
CREATE TABLE IF NOT EXISTS synonyms (term TEXT NOT NULL, expansion TEXT NOT NULL, origin TEXT NOT NULL,
    PRIMARY KEY (term, expansion));
CREATE TABLE IF NOT EXISTS topics (id TEXT PRIMARY KEY, title TEXT NOT NULL, aliases TEXT NOT NULL,
    emergency INTEGER NOT NULL, source_id TEXT NOT NULL);
"""


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def embed_text(p: Passage) -> str:
    return p.embed_text or f"{p.heading}: {p.text}"


def question_text(p: Passage) -> str:
    """The question the passage answers, as its reader worded it ("" when it answers none in particular)."""
    return p.meta.get("question", "").strip()


def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


USER_SOURCES = "user_sources.json"
QUESTIONS_FILE = "questions.npy"
QUESTION_ROWS_FILE = "question_rows.npy"


class IndexWriter:
    """Builds the next index version beside the current one; `commit()` swaps it in atomically.

    `rebuild=True` starts the new version empty instead of from a copy of the current one; the
    current version keeps serving until the swap either way.
    """

    def __init__(self, root: Path, *, rebuild: bool = False) -> None:
        self.root = root
        with storage_errors(root, "start a new index version"):
            root.mkdir(parents=True, exist_ok=True)
            self._lock = _take_lock(root)
            try:
                self._open(rebuild)
            except BaseException:
                os.close(self._lock)
                shutil.rmtree(getattr(self, "dir", root / ".none"), ignore_errors=True)
                raise

    def _open(self, rebuild: bool) -> None:
        root = self.root
        self.previous = current_dir(root)
        _remove_abandoned(root, self.previous)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        self.dir = root / f"v{stamp}-{os.getpid()}-{time.monotonic_ns() % 100000}"
        self.dir.mkdir()
        db_path = self.dir / "medora.sqlite"
        if not rebuild and self.previous is not None and (self.previous / "medora.sqlite").exists():
            src = sqlite3.connect(self.previous / "medora.sqlite")
            dst = sqlite3.connect(db_path)
            src.backup(dst)
            src.close()
            dst.close()
        self.db = sqlite3.connect(db_path)
        self.db.executescript(SCHEMA)
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA journal_mode = MEMORY")
        self._upgrade()
        self.old_vectors = _load_vectors(self.previous) if self.previous and not rebuild else None
        self.old_questions = _load_vectors(self.previous, QUESTIONS_FILE) if self.previous and not rebuild else None
        # vectors we can reuse, keyed by the hash of the text they embed
        self.old_by_hash: dict[str, int] = {}
        self.old_q_by_hash: dict[str, int] = {}
        if self.old_vectors is not None:
            for ehash, vrow in self.db.execute("SELECT embed_hash, vec_row FROM passages WHERE vec_row IS NOT NULL"):
                self.old_by_hash.setdefault(ehash, vrow)
        if self.old_questions is not None:
            for qhash, qrow in self.db.execute("SELECT question_hash, q_row FROM passages WHERE q_row IS NOT NULL"):
                self.old_q_by_hash.setdefault(qhash, qrow)
        self._q_rows: list[tuple[int, int]] = []  # (question row, passage rowid), set by pending_questions

    def _upgrade(self) -> None:
        """A copy of an older version: add the columns it lacks, and have every file read again."""
        cols = {r[1] for r in self.db.execute("PRAGMA table_info(passages)")}
        if "question_hash" in cols:
            return
        self.db.execute("ALTER TABLE passages ADD COLUMN question_hash TEXT")
        self.db.execute("ALTER TABLE passages ADD COLUMN q_row INTEGER")
        self.db.execute("UPDATE files SET sha256 = ''")  # no file looks unchanged: the readers add the questions

    def file_hash(self, path: str) -> str | None:
        row = self.db.execute("SELECT sha256 FROM files WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def replace_file(self, path: str, reader: str, sha: str, sources: list[Source], passages: list[Passage]) -> int:
        """Swap one file's passages for new ones (same ids replace, vanished ids go)."""
        cur = self.db.cursor()
        old = cur.execute("SELECT rowid FROM passages WHERE file = ?", (path,)).fetchall()
        for (rowid,) in old:
            cur.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        cur.execute("DELETE FROM passages WHERE file = ?", (path,))
        cur.executemany(
            "INSERT OR REPLACE INTO sources(id, json) VALUES (?, ?)",
            [(s.id, s.model_dump_json()) for s in sources],
        )
        added = 0
        for p in passages:
            clash = cur.execute("SELECT rowid, file FROM passages WHERE id = ?", (p.id,)).fetchone()
            if clash:  # the same passage id from another file: the newer file wins
                cur.execute("DELETE FROM fts WHERE rowid = ?", (clash[0],))
                cur.execute("DELETE FROM passages WHERE rowid = ?", (clash[0],))
            ehash = _text_hash(embed_text(p))
            question = question_text(p)
            cur.execute(
                "INSERT INTO passages(id, source_id, file, topic, embed_hash, json, question_hash) "
                "VALUES (?,?,?,?,?,?,?)",
                (
                    p.id,
                    p.source_id,
                    path,
                    p.topic,
                    ehash,
                    p.model_dump_json(),
                    _text_hash(question) if question else None,
                ),
            )
            cur.execute("INSERT INTO fts(rowid, heading, text) VALUES (?, ?, ?)", (cur.lastrowid, p.heading, p.text))
            added += 1
        cur.execute(
            "INSERT OR REPLACE INTO files(path, reader, sha256, passages, ingested_at) VALUES (?,?,?,?,?)",
            (path, reader, sha, added, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())),
        )
        return added

    def add_synonyms(self, rows: Iterable[tuple[str, str, str]]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO synonyms(term, expansion, origin) VALUES (?,?,?)", rows)

    def add_topics(self, topics: Iterable[Topic]) -> None:
        for t in topics:
            self.db.execute(
                "INSERT OR REPLACE INTO topics VALUES (?,?,?,?,?)",
                (t.id, t.title, json.dumps(list(t.aliases)), int(t.emergency), t.source_id),
            )

    def drop_topics_without_passages(self) -> None:
        self.db.execute(
            "DELETE FROM topics WHERE id NOT IN (SELECT DISTINCT topic FROM passages WHERE topic IS NOT NULL)"
        )

    def pending_embeddings(self) -> tuple[list[int], list[str], np.ndarray]:
        """Rows in final order; texts still to embed; and a matrix holding every reusable vector."""
        rows = self.db.execute("SELECT rowid, embed_hash, vec_row, json FROM passages ORDER BY rowid").fetchall()
        matrix = np.zeros((len(rows), 384), dtype=np.float32)
        todo_rows, todo_texts = [], []
        for i, (_rowid, ehash, _vrow, pjson) in enumerate(rows):
            reuse = self.old_by_hash.get(ehash)
            if reuse is not None and self.old_vectors is not None and reuse < len(self.old_vectors):
                matrix[i] = self.old_vectors[reuse]
            else:
                todo_rows.append(i)
                todo_texts.append(embed_text(Passage.model_validate_json(pjson)))
        self._order = [r[0] for r in rows]
        return todo_rows, todo_texts, matrix

    def pending_questions(self) -> tuple[list[int], list[str], np.ndarray]:
        """Like `pending_embeddings`, for the distinct questions the passages answer (one row each)."""
        rows = self.db.execute(
            "SELECT rowid, question_hash, json FROM passages WHERE question_hash IS NOT NULL ORDER BY rowid"
        ).fetchall()
        seen: dict[str, str] = {}
        for _, qhash, pjson in rows:
            if qhash not in seen:
                seen[qhash] = question_text(Passage.model_validate_json(pjson))
        row_of = {qhash: j for j, qhash in enumerate(seen)}
        self._q_rows = [(row_of[qhash], rowid) for rowid, qhash, _ in rows]
        matrix = np.zeros((len(seen), 384), dtype=np.float32)
        todo_rows, todo_texts = [], []
        for i, (qhash, text) in enumerate(seen.items()):
            reuse = self.old_q_by_hash.get(qhash)
            if reuse is not None and self.old_questions is not None and reuse < len(self.old_questions):
                matrix[i] = self.old_questions[reuse]
            else:
                todo_rows.append(i)
                todo_texts.append(text)
        return todo_rows, todo_texts, matrix

    def copy_file_from(self, version: Path, path: str) -> int:
        """Carry one file's rows over from an older version (a user document no longer on disk)."""
        old = sqlite3.connect(f"file:{version / 'medora.sqlite'}?mode=ro", uri=True)
        try:
            frow = old.execute("SELECT reader, sha256 FROM files WHERE path = ?", (path,)).fetchone()
            rows = old.execute("SELECT json FROM passages WHERE file = ? ORDER BY rowid", (path,)).fetchall()
            passages = [Passage.model_validate_json(j) for (j,) in rows]
            sids = sorted({p.source_id for p in passages})
            q = f"SELECT json FROM sources WHERE id IN ({','.join('?' * len(sids))})"
            sources = [Source.model_validate_json(j) for (j,) in old.execute(q, sids)] if sids else []
        finally:
            old.close()
        if frow is None:
            return 0
        return self.replace_file(path, frow[0], frow[1], sources, passages)

    def files(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM files")]

    def file_hashes(self) -> list[str]:
        """The content hash of every file in the new version, sorted (the manifest's corpus hash is made of them)."""
        return sorted(r[0] for r in self.db.execute("SELECT sha256 FROM files"))

    def set_user_sources(self, paths: list[str]) -> None:
        """The paths given to `medora ingest <paths>` so far; a rebuild reads them again."""
        (self.dir / USER_SOURCES).write_text(json.dumps({"paths": sorted(set(paths))}, indent=2))

    def commit(self, matrix: np.ndarray, manifest: dict, questions: np.ndarray | None = None) -> Path:
        """Finish the new version, make it durable, and only then point `current` at it.

        `questions`: the vectors of `pending_questions()`'s questions, in its order (none: no question rows).
        """
        if questions is None:
            questions = np.zeros((0, 384), dtype=np.float32)
            self._q_rows = []
        with storage_errors(self.root, "write the new index version"):
            self._finish_db()
            self._write_vectors(matrix)
            self._write_array(QUESTIONS_FILE, questions)
            self._write_array(QUESTION_ROWS_FILE, self._question_rows())
            self._write_manifest(
                {
                    **manifest,
                    "schema_version": SCHEMA_VERSION,
                    "passages": int(matrix.shape[0]),
                    "questions": int(questions.shape[0]),
                }
            )
            self._swap()
        self._prune()
        self._unlock()
        return self.dir

    def _question_rows(self) -> np.ndarray:
        vec_of = {rowid: i for i, rowid in enumerate(self._order)}
        rows = np.full(len(self._order), -1, dtype=np.int32)
        for q, rowid in self._q_rows:
            rows[vec_of[rowid]] = q
        return rows

    def _finish_db(self) -> None:
        self.db.executemany(
            "UPDATE passages SET vec_row = ? WHERE rowid = ?", [(i, rowid) for i, rowid in enumerate(self._order)]
        )
        self.db.execute("UPDATE passages SET q_row = NULL WHERE q_row IS NOT NULL")
        self.db.executemany("UPDATE passages SET q_row = ? WHERE rowid = ?", self._q_rows)
        self.db.commit()
        self.db.execute("INSERT INTO fts(fts) VALUES ('optimize')")
        self.db.commit()
        self.db.close()  # built with synchronous=OFF for speed: the fsync below makes it durable
        fsync_file(self.dir / "medora.sqlite")

    def _write_vectors(self, matrix: np.ndarray) -> None:
        self._write_array("vectors.npy", matrix)
        if not (self.dir / USER_SOURCES).exists():
            self.set_user_sources([])
        fsync_file(self.dir / USER_SOURCES)

    def _write_array(self, name: str, matrix: np.ndarray) -> None:
        with (self.dir / name).open("wb") as fh:
            np.save(fh, matrix)
            fh.flush()
            os.fsync(fh.fileno())

    def _write_manifest(self, manifest: dict) -> None:
        """The manifest goes last: a version with one is complete, and its folder is durable."""
        write_atomic(self.dir / "manifest.json", json.dumps(manifest, indent=2, sort_keys=True).encode())
        fsync_dir(self.dir)

    def _swap(self) -> None:
        point_current(self.root, self.dir)

    def abort(self) -> None:
        """Drop the unfinished version; the current one (never this one) keeps serving."""
        try:
            self.db.close()
        finally:
            if current_dir(self.root) != self.dir.resolve():  # a failure after the swap keeps the new version
                shutil.rmtree(self.dir, ignore_errors=True)
            self._unlock()

    def _unlock(self) -> None:
        if self._lock >= 0:
            os.close(self._lock)
            self._lock = -1

    def _prune(self) -> None:
        prune(self.root, self.dir, self.previous)


def point_current(root: Path, version: Path) -> None:
    """Swap `current` to `version` in one atomic rename, and make the new link durable."""
    link_tmp = root / f".current-{os.getpid()}"
    if link_tmp.is_symlink() or link_tmp.exists():
        link_tmp.unlink()
    link_tmp.symlink_to(version.name)
    os.replace(link_tmp, root / "current")
    fsync_dir(root)


def prune(root: Path, new: Path, previous: Path | None) -> None:
    """Keep the new version and the one before it (a server may still read it); drop older and abandoned ones."""
    keep = {new.name, previous.name if previous else ""}
    for d in root.glob("v*"):
        if d.is_dir() and d.name not in keep:
            shutil.rmtree(d, ignore_errors=True)


def install_version(root: Path, staged: Path) -> Path:
    """Move a complete version folder (a restored backup) into `root` and make it current, atomically."""
    with storage_errors(root, "install the index version"):
        root.mkdir(parents=True, exist_ok=True)
        lock = _take_lock(root)
        try:
            previous = current_dir(root)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            target = root / f"v{stamp}-{os.getpid()}-restored"
            os.replace(staged, target)
            fsync_dir(root)
            point_current(root, target)
            prune(root, target, previous)
        finally:
            os.close(lock)
    return target


def _take_lock(root: Path) -> int:
    """One ingest at a time; the kernel drops the lock when its process ends, however it ends."""
    fd = os.open(root / ".ingest.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise Conflict(
            f"another ingest is writing to {root}", hint="Wait for it to finish; the current index keeps serving."
        ) from None
    return fd


def _remove_abandoned(root: Path, current: Path | None) -> None:
    """What an interrupted ingest left: versions without a manifest, and half-made links."""
    for d in root.glob("v*"):
        if d.is_dir() and d != current and not (d / "manifest.json").exists():
            shutil.rmtree(d, ignore_errors=True)
    for link in root.glob(".current-*"):
        link.unlink(missing_ok=True)


def user_sources(version: Path | None) -> list[str]:
    """The user's own source paths recorded in an index version (none before this file existed)."""
    if version is None or not (version / USER_SOURCES).exists():
        return []
    return list(json.loads((version / USER_SOURCES).read_text()).get("paths", []))


def version_files(version: Path) -> list[tuple[str, str]]:
    """(path, reader) of every file an index version was built from."""
    db = sqlite3.connect(f"file:{version / 'medora.sqlite'}?mode=ro", uri=True)
    try:
        return [(p, r) for p, r in db.execute("SELECT path, reader FROM files ORDER BY path")]
    finally:
        db.close()


def current_dir(root: Path) -> Path | None:
    link = root / "current"
    if not link.exists():
        return None
    target = link.resolve()
    return target if (target / "manifest.json").exists() else None


def _load_vectors(d: Path, name: str = "vectors.npy") -> np.ndarray | None:
    f = d / name
    return np.load(f) if f.exists() else None


class IndexReader:
    """Read-only access to the current index version."""

    def __init__(self, root: Path) -> None:
        d = current_dir(root)
        if d is None:
            raise IndexMissing(f"no index in {root}")
        self.dir = d
        try:
            self.manifest = json.loads((d / "manifest.json").read_text())
            self.db = sqlite3.connect(f"file:{d / 'medora.sqlite'}?mode=ro", uri=True, check_same_thread=False)
            # mapped, not copied: workers share the pages, and a closed reader gives them back
            self.vectors: np.ndarray = np.load(d / "vectors.npy", mmap_mode="r")
        except (OSError, ValueError, sqlite3.Error) as exc:
            raise IndexCorrupt(f"index at {d} cannot be read: {exc}") from exc
        schema = self.manifest.get("schema_version")
        if schema not in READABLE_SCHEMAS:
            raise IndexCorrupt(f"index at {d} has schema {schema}, expected {SCHEMA_VERSION}")
        self.rowid_of_vec = np.array(
            [r[0] for r in self.db.execute("SELECT rowid FROM passages ORDER BY vec_row")], dtype=np.int64
        )
        # the distinct questions passages answer, and each vector row's question row (-1: none); an index
        # built before questions were stored (schema 1), or restored without the file, has none
        self.questions: np.ndarray = np.zeros((0, 384), dtype=np.float32)
        self.question_of_vec = np.full(len(self.rowid_of_vec), -1, dtype=np.int32)
        if schema == SCHEMA_VERSION and (d / QUESTIONS_FILE).exists() and (d / QUESTION_ROWS_FILE).exists():
            try:
                self.questions = np.load(d / QUESTIONS_FILE, mmap_mode="r")
                self.question_of_vec = np.load(d / QUESTION_ROWS_FILE)
            except (OSError, ValueError) as exc:
                raise IndexCorrupt(f"index at {d} cannot be read: {exc}") from exc
            if len(self.question_of_vec) != len(self.rowid_of_vec) or (
                len(self.question_of_vec) and int(self.question_of_vec.max()) >= len(self.questions)
            ):
                raise IndexCorrupt(f"index at {d} has question rows that do not match its passages")
        self._sources: dict[str, Source] = {}

    def close(self) -> None:
        """Release the SQLite connection and the mapped vectors (the engine was replaced by a newer version)."""
        self.db.close()
        self.vectors = np.zeros((0, 384), dtype=np.float32)
        self.questions = np.zeros((0, 384), dtype=np.float32)
        self.rowid_of_vec = np.zeros(0, dtype=np.int64)
        self.question_of_vec = np.zeros(0, dtype=np.int32)
        self._sources.clear()

    def passages(self, rowids: list[int]) -> dict[int, Passage]:
        if not rowids:
            return {}
        q = f"SELECT rowid, json FROM passages WHERE rowid IN ({','.join('?' * len(rowids))})"
        return {r: Passage.model_validate_json(j) for r, j in self.db.execute(q, rowids)}

    def passage(self, pid: str) -> Passage | None:
        row = self.db.execute("SELECT json FROM passages WHERE id = ?", (pid,)).fetchone()
        return Passage.model_validate_json(row[0]) if row else None

    def topic_passages(self, topic: str) -> list[Passage]:
        rows = self.db.execute("SELECT json FROM passages WHERE topic = ? ORDER BY rowid", (topic,))
        return [Passage.model_validate_json(j) for (j,) in rows]

    def source(self, sid: str) -> Source | None:
        if sid not in self._sources:
            row = self.db.execute("SELECT json FROM sources WHERE id = ?", (sid,)).fetchone()
            if row is None:
                return None
            self._sources[sid] = Source.model_validate_json(row[0])
        return self._sources[sid]

    def source_passages(self, sid: str, limit: int = 200) -> list[Passage]:
        rows = self.db.execute("SELECT json FROM passages WHERE source_id = ? ORDER BY rowid LIMIT ?", (sid, limit))
        return [Passage.model_validate_json(j) for (j,) in rows]

    def drug_labels(self) -> list[tuple[str, str, str, str]]:
        """(source id, generic names, brand names, effective date) of every drug-label source ("|"-joined names)."""
        q = (
            "SELECT id, json_extract(json, '$.extra.names'), json_extract(json, '$.extra.brand_names'), "
            "json_extract(json, '$.extra.effective_date') FROM sources WHERE id >= 'druglabel:' AND id < 'druglabel;'"
        )
        return [(sid, g or "", b or "", e or "") for sid, g, b, e in self.db.execute(q)]

    def passages_of(self, source_id: str) -> list[tuple[int, Passage]]:
        """(vector row, passage) of a source whose passage ids start with its id and ':' (drug labels do)."""
        rows = self.db.execute(
            "SELECT vec_row, json FROM passages WHERE id >= ? AND id < ? ORDER BY rowid",
            (source_id + ":", source_id + ";"),
        )
        return [(int(v), Passage.model_validate_json(j)) for v, j in rows if v is not None]

    def answers_of(self, source_id: str) -> list[tuple[int, Passage]]:
        """(vector row, passage) of a MedQuAD document's answers (ids: its id, "_", the section), in id order."""
        rows = self.db.execute(
            "SELECT vec_row, json FROM passages WHERE id >= ? AND id < ? ORDER BY id",
            (source_id + "_", source_id + "`"),
        )
        return [(int(v), Passage.model_validate_json(j)) for v, j in rows if v is not None]

    def lexical(self, terms: list[str], k: int, corpus: str | None = None) -> list[tuple[int, float]]:
        """(rowid, BM25 score) of the best k passages matching any of the terms (`index.lexical`)."""
        return bm25(self.db, terms, k, corpus)

    def row_facts(self, rowids: list[int]) -> dict[int, tuple[str, str | None]]:
        """Source id and MedQuAD question type of these passage rows, in one query."""
        if not rowids:
            return {}
        q = (
            f"SELECT rowid, source_id, json_extract(json, '$.meta.qtype') FROM passages "
            f"WHERE rowid IN ({','.join('?' * len(rowids))})"
        )
        return {r: (sid, qt) for r, sid, qt in self.db.execute(q, rowids)}

    def vec_rows(self, passage_ids: list[str]) -> list[tuple[str, int]]:
        """(passage id, vector row) of these passages, those with a vector only."""
        if not passage_ids:
            return []
        q = f"SELECT id, vec_row FROM passages WHERE id IN ({','.join('?' * len(passage_ids))})"
        return [(pid, v) for pid, v in self.db.execute(q, passage_ids) if v is not None]

    def ids_by_vec_row(self) -> list[str]:
        """Every passage id, in vector-row order (row i of `vectors` is the i-th)."""
        return [pid for (pid,) in self.db.execute("SELECT id FROM passages ORDER BY vec_row")]

    def medquad_focuses(self) -> list[tuple[str, str]]:
        """(focus, source id) of every MedQuAD document that names its focus."""
        rows = self.db.execute(
            "SELECT id, json_extract(json, '$.extra.focus') FROM sources WHERE id >= 'medquad:' AND id < 'medquad;'"
        )
        return [(focus, sid) for sid, focus in rows if focus]

    def synonyms(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for term, exp in self.db.execute("SELECT term, expansion FROM synonyms"):
            out.setdefault(term, []).append(exp)
        return out

    def topics(self) -> list[Topic]:
        """The house topics, in the order ingest stored them (a later topic's alias wins a clash)."""
        rows = self.db.execute("SELECT id, title, aliases, emergency, source_id FROM topics")
        return [Topic(t, title, tuple(json.loads(a)), bool(e), s) for t, title, a, e, s in rows]

    def stats(self) -> dict:
        n_files = self.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
        return {
            "passages": int(self.vectors.shape[0]),
            "files": n_files,
            **{k: self.manifest.get(k) for k in ("built_at", "corpus_hash")},
        }
