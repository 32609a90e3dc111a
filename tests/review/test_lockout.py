"""Sign-in limits an attacker cannot turn against a known user, counted atomically (issue #14, audit M5, L1)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from medora.db import make_engine, migrate
from medora.errors import TooManyRequests, Unauthorized
from medora.review import ReviewStore, auth

from .conftest import PASSWORD

pytestmark = pytest.mark.unit
ATTACKER = "198.51.100.66"
OFFICE = "203.0.113.7"


def test_wrong_passwords_from_one_address_do_not_lock_out_the_real_user(store: ReviewStore) -> None:
    store.add_user("rita", PASSWORD, "reviewer")
    for i in range(auth.MAX_FAILURES_PER_USER):
        with pytest.raises(Unauthorized):
            store.login("rita", f"wrong password {i}", ATTACKER)
    with pytest.raises(TooManyRequests):  # the attacker's own pair is locked, even with the right password
        store.login("rita", PASSWORD, ATTACKER)
    assert store.login("rita", PASSWORD, OFFICE)[0].username == "rita"  # the reviewer at her desk is not


def test_upper_case_and_padded_names_share_their_pair_lock(store: ReviewStore) -> None:
    store.add_user("rita", PASSWORD, "reviewer")
    for i, name in enumerate(["rita", "RITA", " rita ", "Rita", "rItA"]):
        with pytest.raises(Unauthorized):
            store.login(name, f"wrong {i}", ATTACKER)
    with pytest.raises(TooManyRequests):
        store.login("rita", "wrong again", ATTACKER)


def test_a_refused_attempt_is_not_counted_as_a_failure(store: ReviewStore) -> None:
    """Refusals do not stretch the window: the per-address budget is spent only on real password checks."""
    for i in range(auth.MAX_FAILURES_PER_IP):
        with pytest.raises(Unauthorized):
            store.login(f"guess{i}", "wrong password", ATTACKER)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            store.login("anyone", "wrong password", ATTACKER)
    assert store.failed_attempts(ip=ATTACKER) == auth.MAX_FAILURES_PER_IP


@pytest.mark.parametrize("workers", [24])
def test_a_parallel_burst_gets_no_extra_password_checks(tmp_path: Path, workers: int) -> None:
    """Many threads on their own connections to one real SQLite file: at most 5 checks reach argon2."""
    engine = make_engine(f"sqlite:///{tmp_path / 'burst.db'}")
    migrate(engine)
    store = ReviewStore(engine)
    store.add_user("rita", PASSWORD, "reviewer")
    checks = 0
    lock = threading.Lock()
    real_verify = auth.verify_password

    def counted(stored: str | None, password: str) -> bool:
        nonlocal checks
        with lock:
            checks += 1
        return real_verify(stored, password)

    results: list[str] = []
    start = threading.Barrier(workers)

    def attempt(i: int) -> None:
        start.wait()
        try:
            store.login("rita", f"wrong password {i}", ATTACKER)
            results.append("ok")
        except Unauthorized:
            results.append("401")
        except TooManyRequests:
            results.append("429")

    auth.verify_password = counted  # type: ignore[assignment]
    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        auth.verify_password = real_verify  # type: ignore[assignment]
    assert len(results) == workers and "ok" not in results
    assert results.count("401") <= auth.MAX_FAILURES_PER_USER, results
    assert checks == results.count("401")
    # a burst may be refused early; afterwards the pair still has exactly its remaining budget
    for i in range(auth.MAX_FAILURES_PER_USER - results.count("401")):
        with pytest.raises(Unauthorized):
            store.login("rita", f"one by one {i}", ATTACKER)
    with pytest.raises(TooManyRequests):
        store.login("rita", PASSWORD, ATTACKER)
    engine.dispose()
