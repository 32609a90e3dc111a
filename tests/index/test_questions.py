"""Question matching (#13 part 6): the questions passages answer are embedded at ingest (questions.npy, one row
per distinct question) and retrieval ranks passages by how close their question is to the user's, or to the
user's question reduced to its focus and type. A small hand-made MedQuAD library, so every figure is known."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from medora.index.store import QUESTION_ROWS_FILE, QUESTIONS_FILE, SCHEMA_VERSION, IndexReader, current_dir
from medora.ingest import ingest
from medora.retrieval import SearchEngine
from medora.settings import Settings

pytestmark = pytest.mark.integration

# Two documents in MedQuAD's own format, in our own words; each question answered once.
DOCS = {
    "0000001.xml": (
        "Gout",
        [
            (
                "1",
                "information",
                "What is (are) Gout ?",
                "Gout is a kind of arthritis: uric acid crystals settle in a joint, "
                "most often the big toe, which becomes hot, red and very painful.",
            ),
            (
                "2",
                "treatment",
                "What are the treatments for Gout ?",
                "A flare is eased with anti-inflammatory medicines or "
                "colchicine; medicines that lower uric acid, taken every day, keep new flares away.",
            ),
            (
                "3",
                "causes",
                "What causes Gout ?",
                "Too much uric acid in the blood, from the kidneys clearing too little of "
                "it or the body making too much, lets crystals form in the joints.",
            ),
        ],
    ),
    "0000002.xml": (
        "Kidney Stones",
        [
            (
                "1",
                "information",
                "What is (are) Kidney Stones ?",
                "A kidney stone is a hard lump made from minerals in the "
                "urine; a small one may pass unnoticed, a larger one can block the flow of urine and hurt badly.",
            ),
            (
                "2",
                "treatment",
                "What are the treatments for Kidney Stones ?",
                "Small stones usually pass with fluids and pain "
                "relief; larger ones may be broken up with sound waves or removed through a thin scope.",
            ),
            (
                "3",
                "prevention",
                "How to prevent Kidney Stones ?",
                "Drinking enough water that urine stays pale is the main "
                "step; some people also need changes in diet or a medicine, depending on the stone's type.",
            ),
        ],
    ),
}
# Long and rambling, as consumer questions are: the words around the question outweigh it as a whole text.
RAMBLING = (
    "sore toe My father is 70 and woke up last week with his big toe hot and swollen, he could not even bear the "
    "bed sheet on it. His doctor said it was gout and he already takes lots of pills for his heart and his "
    "kidneys. What treatment would help him?"
)


def _medquad(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, (focus, pairs) in DOCS.items():
        items = "".join(
            f'<QAPair pid="{pid}"><Question qid="{name[:-4]}-{pid}" qtype="{qtype}">{q}</Question>'
            f"<Answer>{a}</Answer></QAPair>"
            for pid, qtype, q, a in pairs
        )
        (folder / name).write_text(
            f'<?xml version="1.0" encoding="UTF-8"?><Document id="{name[:-4]}" source="NIDDK" url="https://example.org/">'
            f"<Focus>{focus}</Focus><QAPairs>{items}</QAPairs></Document>",
            encoding="utf-8",
        )
    return folder


@pytest.fixture
def library(tmp_path: Path, models_cache: Path) -> tuple[Settings, Path]:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "no-kb", shared_dir=None)
    (settings.data_dir / "models").mkdir(parents=True)
    for f in models_cache.iterdir():
        (settings.data_dir / "models" / f.name).hardlink_to(f)
    return settings, _medquad(tmp_path / "medquad")


def _engine(settings: Settings, **retrieval: float) -> SearchEngine:
    """The engine with question matching on (off by default: see RetrievalSettings.k_question)."""
    tuned = settings.retrieval.model_copy(update={"k_question": 60, "question_weight": 0.5, **retrieval})
    return SearchEngine.open(settings.model_copy(update={"retrieval": tuned}))


def test_ingest_embeds_each_distinct_question_once(library: tuple[Settings, Path]) -> None:
    settings, folder = library
    report = ingest([folder], settings, progress=False)
    assert report.questions_embedded == 6
    version = current_dir(settings.index_dir)
    assert version is not None
    manifest = json.loads((version / "manifest.json").read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION and manifest["questions"] == 6
    reader = IndexReader(settings.index_dir)
    assert reader.questions.shape == (6, 384)
    assert sorted(reader.question_of_vec.tolist()) == list(range(6))  # one passage per question here
    # each question's vector is its own text's embedding
    engine = _engine(settings)
    row, vec = reader.db.execute("SELECT q_row, vec_row FROM passages WHERE id LIKE '%_0000001_Sec2'").fetchone()
    assert reader.question_of_vec[vec] == row
    expected = engine.embedder.encode(["What are the treatments for Gout ?"])[0]
    assert float(np.dot(reader.questions[row], expected)) > 0.999
    # nothing changed: nothing embedded again
    again = ingest([folder], settings, progress=False)
    assert again.embedded == 0 and again.questions_embedded == 0


def test_a_rambling_question_finds_the_answer_to_its_focus_and_type(library: tuple[Settings, Path]) -> None:
    settings, folder = library
    ingest([folder], settings, progress=False)
    engine = _engine(settings)
    frame = engine.frame(RAMBLING)
    assert frame.focus is not None and frame.focus.name == "gout" and frame.qtype == "treatment"
    matched = engine.question_match(RAMBLING, frame, k=6)
    ids = engine.reader.passages([r for r, _ in matched])
    assert ids[matched[0][0]].id.endswith("_0000001_Sec2")  # "What are the treatments for Gout ?"
    assert matched[0][1] > 0.9  # the canonical form matches almost word for word
    hits, _ = engine.search(RAMBLING, k=3, corpus="medquad")
    assert hits[0].passage.id.endswith("_0000001_Sec2")


def test_question_signal_can_be_turned_off(library: tuple[Settings, Path]) -> None:
    settings, folder = library
    ingest([folder], settings, progress=False)
    on = _engine(settings, focus_boost=0.0)
    off = SearchEngine(on.reader, on.embedder, _engine(settings, k_question=0, focus_boost=0.0).settings)
    assert off.question_match(RAMBLING, None, k=0) == []
    with_q = {h.passage.id: h.score for h in on.search(RAMBLING, k=6, corpus="medquad")[0]}
    without = {h.passage.id: h.score for h in off.search(RAMBLING, k=6, corpus="medquad")[0]}
    best = next(pid for pid in with_q if pid.endswith("_0000001_Sec2"))
    assert with_q[best] > without[best]  # the question ranking adds to the fused score


def test_passages_about_the_focus_and_of_the_type_asked_come_first(library: tuple[Settings, Path]) -> None:
    """The focus boost (on by default): the focus's passages, the one of the type asked first of them."""
    settings, folder = library
    ingest([folder], settings, progress=False)
    engine = SearchEngine.open(settings)
    assert engine.settings.retrieval.focus_boost > 0
    query = "I passed a kidney stone last year and my brother asks how to prevent kidney stones coming back"
    hits, _ = engine.search(query, k=6, corpus="medquad")
    assert hits[0].passage.id.endswith("_0000002_Sec3")  # "How to prevent Kidney Stones ?"
    assert {h.passage.source_id for h in hits[:3]} == {hits[0].passage.source_id}


def _downgrade_to_schema_1(version: Path) -> None:
    """What an index built before questions were stored looks like."""
    db = sqlite3.connect(version / "medora.sqlite")
    db.execute("ALTER TABLE passages DROP COLUMN q_row")
    db.execute("ALTER TABLE passages DROP COLUMN question_hash")
    db.commit()
    db.close()
    (version / QUESTIONS_FILE).unlink()
    (version / QUESTION_ROWS_FILE).unlink()
    manifest = json.loads((version / "manifest.json").read_text())
    manifest["schema_version"] = 1
    del manifest["questions"]
    (version / "manifest.json").write_text(json.dumps(manifest))


def test_an_index_from_before_questions_serves_and_upgrades(library: tuple[Settings, Path]) -> None:
    settings, folder = library
    ingest([folder], settings, progress=False)
    version = current_dir(settings.index_dir)
    assert version is not None
    _downgrade_to_schema_1(version)
    old = _engine(settings)  # still serves, without the question signal
    assert old.reader.questions.shape[0] == 0 and (old.reader.question_of_vec == -1).all()
    assert old.question_match(RAMBLING, old.frame(RAMBLING), k=6) == []
    assert old.search(RAMBLING, k=3, corpus="medquad")[0]
    report = ingest([folder], settings, progress=False)  # over the old version: no crash, files read again
    assert report.files_read == 2 and report.embedded == 0 and report.questions_embedded == 6
    new = _engine(settings)
    assert new.reader.manifest["schema_version"] == SCHEMA_VERSION
    assert new.reader.questions.shape == (6, 384)
    assert new.search(RAMBLING, k=3, corpus="medquad")[0][0].passage.id.endswith("_0000001_Sec2")
