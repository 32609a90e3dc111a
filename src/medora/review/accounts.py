"""Reviewer accounts, sign-in and sessions: the account half of the review store.

Passwords are argon2id hashes; a session is stored by the hash of its token (`auth.py`). Failed sign-ins
are counted in the database, per username and address and per address, so every app server sees them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from medora.db.schema import account_log, login_attempts, sessions, users
from medora.errors import Conflict, InvalidRequest, NotFound, TooManyRequests, Unauthorized
from medora.review import auth
from medora.review.models import Role, User
from medora.review.rows import aware, inserted_id, utc_now


class AccountStore:
    """Accounts (add, password, enable/disable, the account log) and sign-in sessions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ---- accounts -------------------------------------------------------------------------------------------

    def add_user(
        self, username: str, password: str, role: Role | str, display_name: str | None = None, *, actor: str = "system"
    ) -> User:
        name = auth.check_username(username)
        try:
            role = Role(role)
        except ValueError:
            raise InvalidRequest(f"unknown role {role!r}; choose reviewer, editor or admin") from None
        values = dict(
            username=name,
            display_name=(display_name or name).strip()[:200],
            role=role.value,
            password_hash=auth.hash_password(password),
            active=True,
            created_at=utc_now(),
        )
        try:
            with self.engine.begin() as conn:
                uid = inserted_id(conn.execute(insert(users).values(**values)))
                self._account(conn, name, "add", actor, f"role {role.value}")
        except IntegrityError:
            raise Conflict(
                f"a user named {name!r} already exists",
                hint="Pick another name, or change that account's password with `medora user passwd`.",
            ) from None
        return self.get_user(uid)

    def set_password(self, username: str, password: str, *, actor: str = "system") -> None:
        hashed = auth.hash_password(password)
        name = username.strip().lower()
        with self.engine.begin() as conn:
            done = conn.execute(update(users).where(users.c.username == name).values(password_hash=hashed)).rowcount
            if done:  # a new password ends every open session of that account
                uid = conn.execute(select(users.c.id).where(users.c.username == name)).scalar_one()
                conn.execute(sessions.delete().where(sessions.c.user_id == uid))
                self._account(conn, name, "passwd", actor, "sessions ended")
        if not done:
            raise NotFound(f"no user named {username!r}", hint="List accounts with `medora user list`.")

    def set_active(self, username: str, active: bool, *, actor: str = "system") -> None:
        with self.engine.begin() as conn:
            row = conn.execute(select(users.c.id).where(users.c.username == username.strip().lower())).first()
            if row is None:
                raise NotFound(f"no user named {username!r}", hint="List accounts with `medora user list`.")
            conn.execute(update(users).where(users.c.id == row.id).values(active=active))
            self._account(conn, username.strip().lower(), "enable" if active else "disable", actor, "")
            if not active:
                conn.execute(sessions.delete().where(sessions.c.user_id == row.id))

    def account_log(self, username: str | None = None) -> list[dict]:
        """Every account change, oldest first: who added, re-keyed, disabled or enabled which account."""
        query = select(account_log).order_by(account_log.c.id)
        if username:
            query = query.where(account_log.c.username == username.strip().lower())
        with self.engine.connect() as conn:
            return [
                {"username": r.username, "action": r.action, "detail": r.detail, "actor": r.actor, "at": aware(r.at)}
                for r in conn.execute(query)
            ]

    @staticmethod
    def _account(conn: Any, username: str, action: str, actor: str, detail: str) -> None:
        conn.execute(
            insert(account_log).values(
                username=username, action=action, detail=detail, actor=(actor or "system")[:200], at=utc_now()
            )
        )

    def get_user(self, user_id: int) -> User:
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFound(f"no user with id {user_id}")
        return self._user(row)

    def list_users(self) -> list[User]:
        with self.engine.connect() as conn:
            return [self._user(r) for r in conn.execute(select(users).order_by(users.c.username))]

    @staticmethod
    def _user(row: Any) -> User:
        return User(
            id=row.id,
            username=row.username,
            display_name=row.display_name,
            role=Role(row.role),
            active=bool(row.active),
            created_at=aware(row.created_at),
        )

    # ---- login and sessions ---------------------------------------------------------------------------------

    def login(self, username: str, password: str, ip: str) -> tuple[User, str, str]:
        """(user, session token, csrf token); Unauthorized on a wrong name/password, 429 after too many.

        Failures are counted per username *and* address (so nobody can lock a reviewer out from elsewhere)
        and per address. The attempt is recorded (as a failure) and committed before the budget is counted,
        so a parallel burst sees its own rows and gets no extra password checks (audit L1).
        """
        name = (username or "").strip().lower()[:64]
        ip = (ip or "unknown")[:64]
        now = utc_now()
        with self.engine.begin() as conn:
            attempt = inserted_id(conn.execute(insert(login_attempts).values(username=name, ip=ip, ok=False, at=now)))
        try:
            self._check_login_budget(name, ip, now)
        except TooManyRequests:  # a refused attempt checks no password, so it spends no budget
            with self.engine.begin() as conn:
                conn.execute(login_attempts.delete().where(login_attempts.c.id == attempt))
            raise
        with self.engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.username == name)).first()
        ok = auth.verify_password(row.password_hash if row is not None else None, password or "")
        if not (ok and row is not None and bool(row.active)):
            raise Unauthorized(
                "wrong username or password",
                hint="Check both and try again; accounts are created by an administrator with `medora user add`.",
            )
        token, csrf = auth.new_token(), auth.new_token()
        with self.engine.begin() as conn:
            conn.execute(update(login_attempts).where(login_attempts.c.id == attempt).values(ok=True))
            if auth.needs_rehash(row.password_hash):
                conn.execute(update(users).where(users.c.id == row.id).values(password_hash=auth.HASHER.hash(password)))
            conn.execute(sessions.delete().where(sessions.c.expires_at < now))
            conn.execute(login_attempts.delete().where(login_attempts.c.at < now - auth.ATTEMPTS_KEPT))
            conn.execute(
                insert(sessions).values(
                    id=auth.token_id(token),
                    user_id=row.id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=now + auth.SESSION_TTL,
                )
            )
        return self._user(row), token, csrf

    def _check_login_budget(self, name: str, ip: str, now: datetime) -> None:
        """429 when this username+address pair, or this address, has used up its failures in the window.

        The counts include attempts still being checked (recorded as failures until they succeed): a burst
        may be refused a little early, never let through late.
        """
        since = now - auth.LOGIN_WINDOW
        failed = and_(login_attempts.c.ok.is_(False), login_attempts.c.at > since)
        with self.engine.connect() as conn:
            by_pair = conn.execute(
                select(func.count(), func.min(login_attempts.c.at)).where(
                    failed, login_attempts.c.username == name, login_attempts.c.ip == ip
                )
            ).one()
            by_ip = conn.execute(
                select(func.count(), func.min(login_attempts.c.at)).where(failed, login_attempts.c.ip == ip)
            ).one()
        # this attempt's own row is in both counts, hence ">" the number of password checks allowed
        for (count, oldest), limit in ((by_pair, auth.MAX_FAILURES_PER_USER), (by_ip, auth.MAX_FAILURES_PER_IP)):
            if count > limit:
                wait = max(int((aware(oldest) + auth.LOGIN_WINDOW - now).total_seconds()) + 1, 1)
                raise TooManyRequests(f"too many failed sign-ins; try again in {wait} seconds", retry_after=wait)

    def failed_attempts(self, *, ip: str | None = None, username: str | None = None) -> int:
        """Failed sign-ins in the current window, for this address and/or username."""
        query = select(func.count()).where(
            login_attempts.c.ok.is_(False), login_attempts.c.at > utc_now() - auth.LOGIN_WINDOW
        )
        if ip is not None:
            query = query.where(login_attempts.c.ip == ip)
        if username is not None:
            query = query.where(login_attempts.c.username == username.strip().lower())
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def prune_sign_ins(self) -> int:
        """Delete expired sessions and sign-in attempts older than auth.ATTEMPTS_KEPT; returns rows removed."""
        now = utc_now()
        with self.engine.begin() as conn:
            gone = conn.execute(sessions.delete().where(sessions.c.expires_at < now)).rowcount
            gone += conn.execute(login_attempts.delete().where(login_attempts.c.at < now - auth.ATTEMPTS_KEPT)).rowcount
        return gone

    def session(self, token: str | None) -> tuple[User, str] | None:
        """(user, csrf token) of a live session, or None."""
        if not token or len(token) > 200:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(users, sessions.c.csrf, sessions.c.expires_at)
                .select_from(sessions.join(users, users.c.id == sessions.c.user_id))
                .where(sessions.c.id == auth.token_id(token))
            ).first()
        if row is None or not row.active or aware(row.expires_at) < utc_now():
            return None
        return self._user(row), row.csrf

    def logout(self, token: str | None) -> None:
        if token:
            with self.engine.begin() as conn:
                conn.execute(sessions.delete().where(sessions.c.id == auth.token_id(token)))
