"""0002_review up and down, on SQLite and on PostgreSQL, and the review store on a real PostgreSQL server."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from medora.db import AnswerStore, make_engine, migrate
from medora.db.engine import downgrade
from medora.db.schema import metadata
from medora.errors import Forbidden, TooManyRequests, Unauthorized
from medora.review import ReviewStore, State
from medora.review.auth import MAX_FAILURES_PER_USER

from .conftest import PASSWORD, make_answer, make_fingerprint

REVIEW_TABLES = {
    "users",
    "sessions",
    "login_attempts",
    "articles",
    "article_versions",
    "comments",
    "audit_log",
    "account_log",
}
ANSWER_TABLES = {"conversations", "answers", "turns"}
SCHEMA = "medora_review_test"


def revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def no_drift(engine: Engine) -> list:
    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), metadata)


def triggers(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            rows = conn.execute(
                text(
                    "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE NOT t.tgisinternal AND n.nspname = current_schema() "
                    "UNION SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = current_schema()"
                )
            )
        else:
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
        return {r[0] for r in rows}


def up_down_up(engine: Engine, expected_triggers: set[str]) -> None:
    migrate(engine)
    migrate(engine)  # startup runs it every time
    assert revision(engine) == "0002_review"
    assert tables(engine) == REVIEW_TABLES | ANSWER_TABLES | {"alembic_version"}
    assert triggers(engine) == expected_triggers
    assert no_drift(engine) == []
    saved = AnswerStore(engine).save_answer(make_answer())  # data in the older tables survives the rollback
    review = ReviewStore(engine)
    review.add_user("rita", PASSWORD, "reviewer")
    review.submit(make_answer(), make_fingerprint())

    downgrade(engine, "0001_initial")
    assert revision(engine) == "0001_initial"
    assert tables(engine) == ANSWER_TABLES | {"alembic_version"}
    assert triggers(engine) == set()
    assert AnswerStore(engine).get_answer(saved.id).answer == make_answer()

    downgrade(engine, "base")
    assert revision(engine) is None
    assert tables(engine) == {"alembic_version"}

    migrate(engine)
    assert revision(engine) == "0002_review"
    assert tables(engine) == REVIEW_TABLES | ANSWER_TABLES | {"alembic_version"}
    assert triggers(engine) == expected_triggers
    assert no_drift(engine) == []
    assert ReviewStore(engine).list_users() == []  # a clean slate


@pytest.mark.unit
def test_sqlite_migrates_up_down_and_up_again(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    up_down_up(engine, {"audit_log_no_update", "audit_log_no_delete", "account_log_no_update", "account_log_no_delete"})


@pytest.mark.unit
def test_sqlite_can_stop_at_the_first_revision_and_upgrade_later(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    migrate(engine, "0001_initial")
    assert tables(engine) == ANSWER_TABLES | {"alembic_version"}
    saved = AnswerStore(engine).save_answer(make_answer())
    migrate(engine)  # an existing 0.1 database upgrades in place
    assert revision(engine) == "0002_review" and no_drift(engine) == []
    assert AnswerStore(engine).get_answer(saved.id).answer == make_answer()


# ---- PostgreSQL ------------------------------------------------------------------------------------------


@pytest.fixture
def pg() -> Engine:
    url = os.environ.get("MEDORA_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("MEDORA_TEST_POSTGRES_URL is not set (.ci/run starts a server)")
    admin = create_engine(url)
    with admin.begin() as conn:  # a schema of our own, so other suites' tables are left alone
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {SCHEMA}")
    engine = create_engine(url, connect_args={"options": f"-csearch_path={SCHEMA}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    admin.dispose()


@pytest.mark.postgres
def test_postgres_migrates_up_down_and_up_again(pg: Engine) -> None:
    with pg.connect() as conn:
        assert conn.execute(text("SELECT current_schema()")).scalar_one() == SCHEMA
    # audit_log's trigger and the shared function have the same name
    up_down_up(pg, {"audit_log_append_only", "account_log_append_only"})


@pytest.mark.postgres
def test_postgres_review_loop_and_append_only_audit_log(pg: Engine) -> None:
    migrate(pg)
    store = ReviewStore(pg)
    rita = store.add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer")
    eve = store.add_user("eve", PASSWORD, "editor", "Eve Editor")
    art, created = store.submit(make_answer(), make_fingerprint(), answer_id="a1")
    assert created and store.find_article("Gout - how is it treated?", "clinician").id == art.id
    with pytest.raises(Forbidden):
        store.transition(art.id, "start_review", eve)
    store.transition(art.id, "start_review", rita)
    art = store.transition(art.id, "approve", rita, "Accurate and current.")
    assert art.state == State.APPROVED and art.approved_version == 1 and art.approved_by_role == "reviewer"
    assert art.approved_at.tzinfo is not None
    assert [
        (e.actor, e.action.value, e.from_state and e.from_state.value, e.to_state.value, e.comment)
        for e in store.audit(art.id)
    ] == [
        ("Medora", "submit", None, "submitted", ""),
        ("Dr Rita Reviewer", "start_review", "submitted", "under_review", ""),
        ("Dr Rita Reviewer", "approve", "under_review", "approved", "Accurate and current."),
    ]
    assert [a.id for a in store.library(q="GOUT")] == [art.id]
    again, created = store.submit(make_answer(), make_fingerprint("v2"))
    assert not created and again.state == State.SUBMITTED and store.version(art.id).reason == "sources_changed"
    store.add_comment(art.id, rita, "Recheck the dose.", bullet="s1.b1")
    assert [c.bullet for c in store.comments(art.id)] == ["s1.b1"]

    before = store.audit()
    for sql in ("UPDATE audit_log SET comment = 'tampered'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), pg.begin() as conn:
            conn.execute(text(sql))
    assert store.audit() == before and len(before) == 4

    # the DB-backed login limit works on PostgreSQL too (booleans and timestamps compared in SQL)
    _, token, _ = store.login("rita", PASSWORD, "127.0.0.1")
    assert store.session(token)[0].id == rita.id
    for _ in range(MAX_FAILURES_PER_USER):
        with pytest.raises(Unauthorized):
            store.login("eve", "wrong password", "127.0.0.1")
    with pytest.raises(TooManyRequests):
        store.login("eve", PASSWORD, "127.0.0.1")
    store.set_password("rita", "another long passphrase")
    assert store.session(token) is None
