"""The embedded database: numbered migrations that match the tables, and the answer/thread store."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from medora.db import AnswerStore, database_url, make_engine, migrate, open_store
from medora.db.engine import MIGRATIONS_DIR, alembic_config
from medora.db.schema import metadata
from medora.errors import NotFound
from medora.models import Answer, Bullet, Reference, Section
from medora.settings import Settings

pytestmark = pytest.mark.unit
HEAD = "0002_review"  # the newest migration (editorial review, issue #5)


def answer(question: str, title: str, topic: str | None = "gout", standalone: str | None = None) -> Answer:
    return Answer(
        question=question,
        audience="clinician",
        status="answered",
        title=title,
        topic=topic,
        standalone_question=standalone,
        disclaimer="For professionals.",
        summary=Bullet(text="Treat the flare early.", citations=[1]),
        sections=[
            Section(
                heading="First-line management",
                kind="management",
                bullets=[Bullet(text="Colchicine or an NSAID.", citations=[1])],
            )
        ],
        references=[Reference(n=1, type="Guideline", title="Gout guideline", source="ACR", year=2020)],
    )


@pytest.fixture
def store(tmp_path: Path) -> AnswerStore:
    return open_store(Settings(data_dir=tmp_path))


def test_default_database_is_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    assert database_url(Settings(data_dir=tmp_path)) == f"sqlite:///{tmp_path / 'medora.db'}"
    assert database_url(Settings(data_dir=tmp_path, database_url="sqlite:///x.db")) == "sqlite:///x.db"
    open_store(Settings(data_dir=tmp_path / "new"))
    assert (tmp_path / "new" / "medora.db").exists()


def test_migrations_are_numbered_and_linear() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    revisions = list(scripts.walk_revisions())
    assert len(scripts.get_heads()) == 1
    for rev in revisions:
        assert re.fullmatch(r"\d{4}_[a-z0-9_]+", rev.revision), rev.revision
        assert Path(rev.path).stem == rev.revision
    assert [r.revision for r in revisions] == ["0002_review", "0001_initial"]  # newest first
    assert scripts.get_current_head() == HEAD
    assert revisions[0].down_revision == "0001_initial" and revisions[-1].down_revision is None
    assert sorted(p.stem for p in (MIGRATIONS_DIR / "versions").glob("[0-9]*.py")) == sorted(
        r.revision for r in revisions
    )


def test_migrations_build_exactly_the_declared_tables_and_rerun_safely(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    migrate(engine)  # startup runs it every time
    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
    assert {"conversations", "answers", "turns", "users", "articles", "audit_log"} <= set(metadata.tables)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert MigrationContext.configure(conn).get_current_revision() == HEAD


def test_answers_round_trip_with_their_metadata(store: AnswerStore) -> None:
    a = answer("How is gout treated?", "Management of gout")
    saved = store.save_answer(a)
    got = store.get_answer(saved.id)
    assert got.answer == a and got.conversation_id is None and got.created_at.tzinfo is not None
    d = got.to_json_dict()
    assert d["id"] == saved.id and d["title"] == "Management of gout" and "created_at" in d
    with pytest.raises(NotFound):
        store.get_answer("missing")


def test_conversation_turns_keep_their_order_and_context(store: AnswerStore) -> None:
    conv = store.create_conversation("patient")
    one = store.save_answer(answer("How is gout treated?", "Management of gout"), conv.id)
    two = store.save_answer(
        answer("and in pregnancy?", "Management of gout", standalone="Management of gout: and in pregnancy?"), conv.id
    )
    assert (one.position, two.position) == (1, 2)
    got = store.get_conversation(conv.id)
    assert got.audience == "patient" and [s.id for s in got.answers] == [one.id, two.id]
    ctx = got.context()
    assert ctx.id == conv.id and ctx.last.title == "Management of gout"
    assert ctx.last.standalone_question == "Management of gout: and in pregnancy?"
    assert store.get_answer(two.id).position == 2
    assert [t["position"] for t in got.to_json_dict()["turns"]] == [1, 2]
    with pytest.raises(NotFound):
        store.get_conversation("missing")


def test_the_store_survives_a_new_engine(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    first = open_store(settings)
    conv = first.create_conversation("clinician")
    saved = first.save_answer(answer("How is gout treated?", "Management of gout"), conv.id)
    first.engine.dispose()
    again = open_store(settings)
    assert again.get_conversation(conv.id).answers[0].id == saved.id


@pytest.mark.postgres
def test_postgres_works_too() -> None:
    url = os.environ.get("MEDORA_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("MEDORA_TEST_POSTGRES_URL is not set (.ci/run starts a server)")
    from sqlalchemy import create_engine

    with create_engine(url).begin() as conn:  # a schema of our own, so other suites' tables are left alone
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS medora_db_test CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA medora_db_test")
    engine = create_engine(url, connect_args={"options": "-csearch_path=medora_db_test"})
    migrate(engine)
    store = AnswerStore(engine)
    conv = store.create_conversation("clinician")
    saved = store.save_answer(answer("How is gout treated?", "Management of gout"), conv.id)
    assert store.get_conversation(conv.id).answers[0].answer == saved.answer
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert MigrationContext.configure(conn).get_current_revision() == HEAD
