"""The index reader answers retrieval's questions itself (#11): BM25, typed topics, row facts, vector rows.

A real index version written by `IndexWriter` from a real knowledge-base file and a MedQuAD-shaped document,
with zero vectors (no embedder needed: these are SQL queries)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from medora.corpus import read_kb
from medora.corpus.medquad import focus_synonyms
from medora.index.lexical import match_expression
from medora.index.store import IndexReader, IndexWriter
from medora.models import Passage, Source, SourceType, Topic
from medora.settings import REPO_DIR

pytestmark = pytest.mark.unit

KB_FILE = REPO_DIR / "knowledge" / "rheumatology" / "gout.yaml"
MQ = Source(
    id="medquad:NIDDK_0000001",
    type=SourceType.PATIENT_INFORMATION,
    title="Gout",
    organization="NIDDK",
    corpus="medquad",
    extra={"focus": "Gout", "synonyms": "gouty arthritis|podagra"},
)
ANSWERS = [
    Passage(id=f"{MQ.id}_Sec{i}", source_id=MQ.id, heading=h, text=t, meta={"qtype": qt})
    for i, (h, t, qt) in enumerate(
        [
            ("What causes gout?", "Too much uric acid in the blood forms crystals in a joint.", "causes"),
            ("How is gout treated?", "Medicines ease the pain and swelling of a flare.", "treatment"),
        ],
        start=1,
    )
]


@pytest.fixture
def reader(tmp_path: Path) -> Iterator[IndexReader]:
    kb = read_kb(KB_FILE)
    writer = IndexWriter(tmp_path)
    writer.replace_file(str(KB_FILE), "kb", "x", kb.sources, kb.passages)
    writer.add_topics(kb.topics)
    writer.add_synonyms(kb.synonyms)
    writer.replace_file("/medquad/0000001.xml", "medquad", "y", [MQ], ANSWERS)
    writer.add_synonyms(focus_synonyms(MQ.extra["focus"], MQ.extra["synonyms"]))
    writer.pending_embeddings()
    n = len(kb.passages) + len(ANSWERS)
    writer.commit(np.zeros((n, 384), dtype=np.float32), {})
    out = IndexReader(tmp_path)
    yield out
    out.close()


def test_topics_come_back_typed(reader: IndexReader) -> None:
    (gout,) = reader.topics()
    assert isinstance(gout, Topic) and gout.id == "gout" and gout.title == "Gout" and not gout.emergency
    assert gout.source_id == "kb:gout" and "gouty arthritis" in [a.lower() for a in gout.aliases]
    assert "podagra" in reader.synonyms()["gout"] and "gout" in reader.synonyms()["podagra"]


def test_bm25_finds_the_passages_using_a_word(reader: IndexReader) -> None:
    rows = reader.lexical(["crystals"], 5)
    assert rows and all(score > 0 for _, score in rows)
    texts = reader.passages([r for r, _ in rows])
    assert any("crystals" in p.text for p in texts.values())
    assert reader.lexical([], 5) == [] and reader.lexical(["zorblaxian"], 5) == []
    only_medquad = reader.lexical(["gout"], 50, corpus="medquad")
    assert {reader.passages([r])[r].source_id for r, _ in only_medquad} == {MQ.id}


def test_quotes_in_a_term_cannot_break_the_match() -> None:
    assert match_expression(['uric"acid', "gout", "gout"]) == '"uricacid" OR "gout"'


def test_row_facts_vector_rows_and_a_documents_answers(reader: IndexReader) -> None:
    rowids = [r for r, _ in reader.lexical(["uric"], 50)]
    facts = reader.row_facts(rowids)
    assert set(facts) == set(rowids) and (MQ.id, "causes") in facts.values()
    ids = reader.ids_by_vec_row()
    assert len(ids) == reader.vectors.shape[0] and ids[0].startswith("kb:gout#")
    assert dict(reader.vec_rows([ids[2], "kb:none"])) == {ids[2]: 2}
    assert [p.id for _, p in reader.answers_of(MQ.id)] == [a.id for a in ANSWERS]
    assert reader.medquad_focuses() == [("Gout", MQ.id)]
