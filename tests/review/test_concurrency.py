"""Several app servers on one database: racing decisions on one article, exactly one wins, one audit row.

Each "server" is its own engine (its own connection pool) on the same database, as with several processes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from medora.db import make_engine, migrate
from medora.errors import Conflict
from medora.review import ReviewStore

from .conftest import PASSWORD, make_answer, make_fingerprint

SERVERS = 4


def race(stores: list[ReviewStore], action, rounds: int = 1) -> tuple[list[object], list[Exception]]:  # noqa: ANN001
    """Run `action(store)` on every store at the same moment; (results, errors)."""
    results: list[object] = []
    errors: list[Exception] = []
    start = threading.Barrier(len(stores))

    def run(store: ReviewStore) -> None:
        start.wait()
        try:
            results.append(action(store))
        except Exception as e:  # noqa: BLE001 - collected and asserted on
            errors.append(e)

    threads = [threading.Thread(target=run, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def check_one_winner(stores: list[ReviewStore]) -> None:
    first = stores[0]
    reviewer = first.add_user("rae", PASSWORD, "reviewer")
    editors = [first.add_user(f"ed{i}", PASSWORD, "editor") for i in range(len(stores))]

    # the same new question submitted everywhere at once: one article
    results, errors = race(stores, lambda s: s.submit(make_answer(), make_fingerprint()))
    assert errors == [] and len({a.id for a, _ in results}) == 1 and sum(c for _, c in results) == 1
    aid = results[0][0].id

    # everyone starts the review at once: one transition, the others 409
    results, errors = race(stores, lambda s: s.transition(aid, "start_review", reviewer))
    assert len(results) == 1 and len(errors) == len(stores) - 1
    assert all(isinstance(e, Conflict) and e.status == 409 for e in errors), errors

    # every editor saves an edit of version 1 at once: one becomes version 2, the others are told to redo
    # theirs on it (nobody's edit silently undoes another's)
    current = first.version(aid)
    results, errors = race(
        stores,
        lambda s: s.edit(
            aid,
            current.answer.model_copy(update={"title": f"Edit by {threading.get_ident()}"}),
            editors[stores.index(s)],
            base_version=1,
        ),
    )
    assert len(results) == 1 and len(errors) == len(stores) - 1
    assert all(isinstance(e, Conflict) and e.status == 409 for e in errors), errors
    assert [v.number for v in first.versions(aid)] == [1, 2]
    # without a base version (Medora's own sources_changed versions) they queue up: numbered without gaps
    results, errors = race(stores, lambda s: s.edit(aid, current.answer, editors[stores.index(s)]))
    numbers = [v.number for v in first.versions(aid)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) == 2 + len(results)
    assert all(isinstance(e, Conflict) for e in errors), errors

    audit = first.audit(aid)
    assert [e.action for e in audit].count("start_review") == 1
    assert [e.action for e in audit].count("edit") == len(first.versions(aid)) - 1  # one audit row a version
    assert audit[-1].version == first.get_article(aid).current_version


@pytest.mark.unit
def test_servers_on_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    migrate(make_engine(url))
    check_one_winner([ReviewStore(make_engine(url)) for _ in range(SERVERS)])


@pytest.mark.postgres
def test_servers_on_one_postgres_database() -> None:
    url = os.environ.get("MEDORA_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("MEDORA_TEST_POSTGRES_URL is not set (.ci/run starts a server)")
    with create_engine(url).begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA IF EXISTS medora_race_test CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA medora_race_test")
    scoped = f"{url}?options=-csearch_path%3Dmedora_race_test"
    migrate(make_engine(scoped))
    check_one_winner([ReviewStore(make_engine(scoped)) for _ in range(SERVERS)])
