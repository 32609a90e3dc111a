"""`medora purge` deletes questions and answers past the retention period (issue #14, audit L3, L8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from medora.cli import main
from medora.db import open_store
from medora.db.schema import answers, conversations, login_attempts, turns
from medora.errors import NotFound, Unauthorized
from medora.review import ReviewStore
from medora.settings import Settings
from tests.review.conftest import make_answer

pytestmark = pytest.mark.unit


def test_purge_removes_idle_threads_and_old_answers_only(tmp_path: Path) -> None:
    store = open_store(Settings(data_dir=tmp_path))
    old_thread = store.create_conversation("clinician")
    old = [store.save_answer(make_answer(), old_thread.id), store.save_answer(make_answer(), old_thread.id)]
    old_single = store.save_answer(make_answer())
    live_thread = store.create_conversation("patient")
    live = store.save_answer(make_answer(), live_thread.id)
    new_single = store.save_answer(make_answer())
    long_ago = datetime.now(UTC) - timedelta(days=40)
    review = ReviewStore(store.engine)
    with pytest.raises(Unauthorized):  # a wrong sign-in leaves an attempt row
        review.login("nobody", "wrong password", "198.51.100.1")
    with store.engine.begin() as conn:
        conn.execute(
            update(answers).where(answers.c.id.in_([a.id for a in old] + [old_single.id])).values(created_at=long_ago)
        )
        conn.execute(update(conversations).where(conversations.c.id == old_thread.id).values(updated_at=long_ago))
        conn.execute(update(login_attempts).values(at=long_ago))

    assert main(["--data-dir", str(tmp_path), "purge", "--days", "30"]) == 0

    for gone in (*old, old_single):
        with pytest.raises(NotFound):
            store.get_answer(gone.id)
    with pytest.raises(NotFound):
        store.get_conversation(old_thread.id)
    assert store.get_answer(live.id) and store.get_answer(new_single.id)
    assert [a.id for a in store.get_conversation(live_thread.id).answers] == [live.id]
    with store.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(turns)).scalar_one() == 1
        assert conn.execute(select(func.count()).select_from(login_attempts)).scalar_one() == 0


def test_purge_without_a_retention_period_deletes_nothing_and_says_why(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    store = open_store(Settings(data_dir=tmp_path))
    kept = store.save_answer(make_answer())
    assert main(["--data-dir", str(tmp_path), "purge"]) != 0
    assert "MEDORA_RETENTION_DAYS" in capsys.readouterr().err
    assert store.get_answer(kept.id)
