"""Accounts and sessions: argon2id hashes, the DB-backed login rate limit, sessions that end when they should."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text, update

from medora.db.schema import login_attempts, sessions, users
from medora.errors import Conflict, InvalidRequest, NotFound, TooManyRequests, Unauthorized
from medora.review import ReviewStore, Role, auth

from .conftest import PASSWORD

pytestmark = pytest.mark.unit
IP = "203.0.113.7"


def stored_hash(db: Engine, username: str) -> str:
    with db.connect() as conn:
        return conn.execute(select(users.c.password_hash).where(users.c.username == username)).scalar_one()


def test_passwords_are_stored_as_argon2id_hashes(store: ReviewStore, db: Engine) -> None:
    alice = store.add_user("  Alice ", PASSWORD, "reviewer", "Dr Alice Adams")
    assert (alice.username, alice.display_name, alice.role, alice.active) == (
        "alice",
        "Dr Alice Adams",
        Role.REVIEWER,
        True,
    )
    assert alice.label == "Dr Alice Adams (reviewer)" and alice.created_at.tzinfo is not None
    bob = store.add_user("bob", PASSWORD, Role.EDITOR)
    assert bob.display_name == "bob"
    h_alice, h_bob = stored_hash(db, "alice"), stored_hash(db, "bob")
    assert h_alice.startswith("$argon2id$") and h_bob.startswith("$argon2id$")
    assert h_alice != h_bob  # salted: the same password hashes differently
    with db.connect() as conn:
        dump = " ".join(str(v) for row in conn.execute(select(users)) for v in row)
    assert PASSWORD not in dump
    assert auth.verify_password(h_alice, PASSWORD) and not auth.verify_password(h_alice, PASSWORD + "!")
    assert [u.username for u in store.list_users()] == ["alice", "bob"]


def test_bad_accounts_are_refused(store: ReviewStore) -> None:
    for short in ("", "short", "x" * (auth.MIN_PASSWORD - 1)):
        with pytest.raises(InvalidRequest, match="too short") as err:
            store.add_user("carol", short, "editor")
        assert err.value.status == 400
    with pytest.raises(InvalidRequest, match="unknown role"):
        store.add_user("carol", PASSWORD, "superuser")
    for name in ("c", "carol smith", "carol@example.org", "x" * 65, "  "):
        with pytest.raises(InvalidRequest, match="invalid username"):
            store.add_user(name, PASSWORD, "editor")
    assert store.list_users() == []
    store.add_user("carol", "x" * auth.MIN_PASSWORD, "editor")  # exactly the minimum is enough
    for dup in ("carol", "CAROL", " Carol "):
        with pytest.raises(Conflict, match="already exists") as err:
            store.add_user(dup, PASSWORD, "reviewer")
        assert err.value.status == 409
    assert [(u.username, u.role) for u in store.list_users()] == [("carol", Role.EDITOR)]


def test_login_checks_the_password(store: ReviewStore, db: Engine) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    user, token, csrf = store.login(" ALICE ", PASSWORD, IP)
    assert user.username == "alice" and token and csrf and token != csrf and len(token) >= 40
    for name, password in (
        ("alice", PASSWORD + "x"),
        ("alice", ""),
        ("alice", PASSWORD.upper()),
        ("mallory", PASSWORD),
        ("", PASSWORD),
        (None, None),
    ):
        with pytest.raises(Unauthorized, match="wrong username or password") as err:
            store.login(name, password, IP)
        assert err.value.status == 401
    with db.connect() as conn:
        rows = conn.execute(
            select(login_attempts.c.username, login_attempts.c.ok, login_attempts.c.ip).order_by(login_attempts.c.id)
        ).all()
    assert [(r.username, bool(r.ok), r.ip) for r in rows] == [
        ("alice", True, IP),
        ("alice", False, IP),
        ("alice", False, IP),
        ("alice", False, IP),
        ("mallory", False, IP),
        ("", False, IP),
        ("", False, IP),
    ]


def test_five_failures_lock_the_username_and_address_even_for_the_right_password(store: ReviewStore) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    store.add_user("bob", PASSWORD, "editor")
    store.login("alice", PASSWORD, IP)  # successes do not count
    for i in range(5):
        with pytest.raises(Unauthorized):
            store.login("alice", f"wrong password {i}", IP)
    with pytest.raises(TooManyRequests) as err:
        store.login("alice", PASSWORD, IP)
    assert err.value.status == 429
    assert 0 < err.value.retry_after <= auth.LOGIN_WINDOW.total_seconds() + 1
    assert f"{err.value.retry_after} seconds" in err.value.message
    with pytest.raises(TooManyRequests):  # still locked, and a refused attempt does not reset it
        store.login("Alice", PASSWORD, IP)
    assert store.login("bob", PASSWORD, IP)[0].username == "bob"  # other accounts are unaffected
    assert store.login("alice", PASSWORD, "192.0.2.1")[0].username == "alice"  # and so is alice elsewhere (#14)


def test_the_lock_lifts_when_the_failures_leave_the_window(store: ReviewStore, db: Engine) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    for _ in range(auth.MAX_FAILURES_PER_USER):
        with pytest.raises(Unauthorized):
            store.login("alice", "wrong password", IP)
    with pytest.raises(TooManyRequests):
        store.login("alice", PASSWORD, IP)
    old = datetime.now(UTC) - auth.LOGIN_WINDOW - timedelta(seconds=5)
    with db.begin() as conn:
        conn.execute(update(login_attempts).values(at=old))
    assert store.login("alice", PASSWORD, IP)[0].username == "alice"


def test_one_address_is_limited_across_usernames(store: ReviewStore) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    for i in range(auth.MAX_FAILURES_PER_IP):
        with pytest.raises(Unauthorized):
            store.login(f"guess{i}", PASSWORD, IP)
    with pytest.raises(TooManyRequests) as err:
        store.login("alice", PASSWORD, IP)
    assert err.value.retry_after > 0
    assert store.login("alice", PASSWORD, "192.0.2.99")[0].username == "alice"  # from elsewhere: fine


def test_sessions_belong_to_their_token(store: ReviewStore, db: Engine) -> None:
    alice = store.add_user("alice", PASSWORD, "reviewer")
    store.add_user("bob", PASSWORD, "editor")
    _, token, csrf = store.login("alice", PASSWORD, IP)
    _, other, _ = store.login("alice", PASSWORD, IP)
    _, bobs, _ = store.login("bob", PASSWORD, IP)
    got = store.session(token)
    assert got is not None and got[0] == alice and got[1] == csrf
    assert store.session(other)[0] == alice and store.session(bobs)[0].username == "bob"
    for bad in (None, "", token[:-1], token + "x", "x" * 201, auth.token_id(token)):
        assert store.session(bad) is None

    # only the token's sha256 is kept: the table is no key to any session
    with db.connect() as conn:
        rows = conn.execute(select(sessions)).all()
    assert len(rows) == 3
    assert auth.token_id(token) == hashlib.sha256(token.encode()).hexdigest()
    assert {r.id for r in rows} == {hashlib.sha256(t.encode()).hexdigest() for t in (token, other, bobs)}
    dump = " ".join(str(v) for r in rows for v in r)
    assert all(t not in dump for t in (token, other, bobs))
    with db.connect() as conn:
        everything = " ".join(
            str(v)
            for table in ("users", "sessions", "login_attempts")
            for r in conn.execute(text(f"SELECT * FROM {table}"))
            for v in r
        )
    assert token not in everything

    store.logout(token)
    assert store.session(token) is None and store.session(other)[0] == alice  # only that session ends
    store.logout(token)  # twice is harmless
    store.logout(None)


def test_sessions_expire(store: ReviewStore, db: Engine) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    _, token, _ = store.login("alice", PASSWORD, IP)
    with db.connect() as conn:
        expires = conn.execute(select(sessions.c.expires_at)).scalar_one()
    expires = expires if expires.tzinfo else expires.replace(tzinfo=UTC)
    assert abs(expires - datetime.now(UTC) - auth.SESSION_TTL) < timedelta(minutes=1)
    with db.begin() as conn:
        conn.execute(update(sessions).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    assert store.session(token) is None
    store.login("alice", PASSWORD, IP)  # a new login sweeps expired sessions
    with db.connect() as conn:
        assert auth.token_id(token) not in conn.execute(select(sessions.c.id)).scalars().all()


def test_a_new_password_ends_every_session(store: ReviewStore, db: Engine) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    store.add_user("bob", PASSWORD, "editor")
    tokens = [store.login("alice", PASSWORD, IP)[1] for _ in range(2)]
    _, bobs, _ = store.login("bob", PASSWORD, IP)
    old_hash = stored_hash(db, "alice")
    with pytest.raises(InvalidRequest, match="too short"):
        store.set_password("alice", "short")
    assert stored_hash(db, "alice") == old_hash and all(store.session(t) for t in tokens)
    store.set_password("ALICE", "a brand new passphrase")
    assert stored_hash(db, "alice") != old_hash and stored_hash(db, "alice").startswith("$argon2id$")
    assert all(store.session(t) is None for t in tokens)
    assert store.session(bobs) is not None  # other accounts keep theirs
    with pytest.raises(Unauthorized):
        store.login("alice", PASSWORD, IP)
    assert store.login("alice", "a brand new passphrase", IP)[0].username == "alice"
    with pytest.raises(NotFound):
        store.set_password("nobody", "a brand new passphrase")


def test_deactivation_ends_sessions_and_refuses_login(store: ReviewStore) -> None:
    store.add_user("alice", PASSWORD, "reviewer")
    _, token, _ = store.login("alice", PASSWORD, IP)
    store.set_active("alice", False)
    assert store.session(token) is None
    assert store.list_users()[0].active is False
    with pytest.raises(Unauthorized):
        store.login("alice", PASSWORD, IP)
    store.set_active("Alice", True)
    assert store.session(token) is None  # reactivation does not revive the old session: it was ended
    _, new_token, _ = store.login("alice", PASSWORD, IP)
    assert store.session(new_token)[0].active is True
    with pytest.raises(NotFound):
        store.set_active("nobody", False)


def test_account_changes_are_logged_and_the_log_cannot_be_rewritten(store: ReviewStore) -> None:
    from sqlalchemy.exc import DBAPIError

    store.add_user("logged", PASSWORD, "editor", actor="cli:ops@host")
    store.set_password("logged", PASSWORD + "!", actor="cli:ops@host")
    store.set_active("logged", False, actor="admin-console")
    rows = store.account_log("logged")
    assert [(r["action"], r["actor"]) for r in rows] == [
        ("add", "cli:ops@host"),
        ("passwd", "cli:ops@host"),
        ("disable", "admin-console"),
    ]
    assert rows[0]["detail"] == "role editor" and PASSWORD not in str(rows)
    for sql in ("UPDATE account_log SET actor = 'someone else'", "DELETE FROM account_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(text(sql))
    assert len(store.account_log("logged")) == 3
