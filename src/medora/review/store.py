"""ReviewStore: accounts, sessions, articles with versions, comments and the audit log, in the app's database.

Every state change and every new version writes its audit row in the same transaction as the change, and
the change is a compare-and-set on the article's (state, current_version): two app servers acting on one
article at once cannot both win; the loser gets a 409.

Usage example::

    from medora.review import open_review
    review = open_review(settings)
    alice = review.add_user("alice", "a long passphrase", "reviewer")
    article, _ = review.submit(answer, fingerprint)
    review.transition(article.id, "start_review", alice)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import CursorResult, Engine, and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from medora.db.schema import (
    account_log,
    article_versions,
    articles,
    audit_log,
    comments,
    login_attempts,
    sessions,
    users,
)
from medora.db.store import new_id
from medora.errors import Conflict, Forbidden, InvalidRequest, NotFound, TooManyRequests, Unauthorized
from medora.models import Answer, Status
from medora.review import auth
from medora.review.fingerprint import Fingerprint
from medora.review.matching import question_key, same_question, stem_key
from medora.review.models import Action, Article, AuditEntry, Comment, Role, State, User, Version
from medora.review.workflow import NEEDS_COMMENT, can_comment, check_permission, next_state

MAX_COMMENT = 4000
REVIEWABLE = (Status.ANSWERED, Status.URGENT)


def _now() -> datetime:
    return datetime.now(UTC)


@overload
def _aware(t: datetime) -> datetime: ...
@overload
def _aware(t: None) -> None: ...
def _aware(t: datetime | None) -> datetime | None:
    return t if t is None or t.tzinfo else t.replace(tzinfo=UTC)  # SQLite hands back naive datetimes


def _inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the one row an INSERT just added (SQLAlchemy types it optional: None only for
    statements that insert no single row)."""
    key = result.inserted_primary_key
    assert key is not None
    return key[0]


class ReviewStore:
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
            created_at=_now(),
        )
        try:
            with self.engine.begin() as conn:
                uid = _inserted_id(conn.execute(insert(users).values(**values)))
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
                {"username": r.username, "action": r.action, "detail": r.detail, "actor": r.actor, "at": _aware(r.at)}
                for r in conn.execute(query)
            ]

    @staticmethod
    def _account(conn: Any, username: str, action: str, actor: str, detail: str) -> None:
        conn.execute(
            insert(account_log).values(
                username=username, action=action, detail=detail, actor=(actor or "system")[:200], at=_now()
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
            created_at=_aware(row.created_at),
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
        now = _now()
        with self.engine.begin() as conn:
            attempt = _inserted_id(conn.execute(insert(login_attempts).values(username=name, ip=ip, ok=False, at=now)))
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
                wait = max(int((_aware(oldest) + auth.LOGIN_WINDOW - now).total_seconds()) + 1, 1)
                raise TooManyRequests(f"too many failed sign-ins; try again in {wait} seconds", retry_after=wait)

    def failed_attempts(self, *, ip: str | None = None, username: str | None = None) -> int:
        """Failed sign-ins in the current window, for this address and/or username."""
        query = select(func.count()).where(
            login_attempts.c.ok.is_(False), login_attempts.c.at > _now() - auth.LOGIN_WINDOW
        )
        if ip is not None:
            query = query.where(login_attempts.c.ip == ip)
        if username is not None:
            query = query.where(login_attempts.c.username == username.strip().lower())
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    def prune_sign_ins(self) -> int:
        """Delete expired sessions and sign-in attempts older than auth.ATTEMPTS_KEPT; returns rows removed."""
        now = _now()
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
        if row is None or not row.active or _aware(row.expires_at) < _now():
            return None
        return self._user(row), row.csrf

    def logout(self, token: str | None) -> None:
        if token:
            with self.engine.begin() as conn:
                conn.execute(sessions.delete().where(sessions.c.id == auth.token_id(token)))

    # ---- articles -------------------------------------------------------------------------------------------

    def submit(
        self,
        answer: Answer,
        fingerprint: Fingerprint,
        *,
        answer_id: str | None = None,
        actor: User | None = None,
        stale: Callable[[Version], bool] | None = None,
    ) -> tuple[Article, bool]:
        """The article for this answer's question: (existing one, False) or (new one, True).

        A near-identical question (same audience) maps to the existing article, which `refresh()` brings up
        to date if the sources of its current version changed since.
        """
        if answer.status not in REVIEWABLE or not answer.references:
            raise InvalidRequest(
                "this answer has nothing to review (Medora gave no cited answer)",
                hint="Only cited answers are submitted to the advisory board.",
            )
        question = answer.standalone_question or answer.question
        key = question_key(question)
        existing = self.find_article(question, answer.audience.value)
        if existing is not None:
            return self.refresh(existing, answer, fingerprint, stale=stale, answer_id=answer_id), False
        now = _now()
        aid = new_id()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(articles).values(
                        id=aid,
                        question=question,
                        question_key=key,
                        stem_key=stem_key(key),
                        audience=answer.audience.value,
                        title=answer.title,
                        topic=answer.topic,
                        state=State.SUBMITTED.value,
                        current_version=1,
                        created_at=now,
                        updated_at=now,
                    )
                )
                self._insert_version(conn, aid, 1, answer, fingerprint, None, "generated", "", answer_id, now)
                self._audit(conn, aid, 1, actor, Action.SUBMIT, None, State.SUBMITTED, "", now)
        except IntegrityError:  # another server filed the same question a moment ago: use that article
            existing = self.find_article(question, answer.audience.value)
            if existing is None:
                raise
            return existing, False
        return self.get_article(aid), True

    def refresh(
        self,
        article: Article,
        answer: Answer,
        fingerprint: Fingerprint,
        *,
        stale: Callable[[Version], bool] | None = None,
        answer_id: str | None = None,
    ) -> Article:
        """`answer` becomes the article's next version if the sources of its current version changed since
        (`stale(version)`; by default: the fingerprints differ); otherwise the article is returned as it is."""
        if article.state == State.REJECTED:
            return article
        current = self.version(article.id)
        if not (stale(current) if stale is not None else current.sources_fingerprint != fingerprint.hash):
            return article
        return self._new_version(
            article.id,
            answer,
            fingerprint,
            None,
            Action.SOURCES_CHANGED,
            "sources changed since the last version",
            answer_id=answer_id,
        )

    def find_article(self, question: str, audience: str) -> Article | None:
        key = question_key(question)
        with self.engine.connect() as conn:
            row = conn.execute(
                self._article_query().where(articles.c.audience == audience, articles.c.question_key == key)
            ).first()
            if row is None:
                candidates = conn.execute(
                    select(articles.c.id, articles.c.question_key).where(
                        articles.c.audience == audience, articles.c.stem_key == stem_key(key)
                    )
                ).all()
                best = next((c.id for c in candidates if same_question(key, c.question_key)), None)
                if best is None:
                    return None
                row = conn.execute(self._article_query().where(articles.c.id == best)).first()
        return self._article(row)

    def find_approved(self, question: str, audience: str) -> tuple[Article, Version] | None:
        """The approved article answering this question, with its approved version (the fast path)."""
        art = self.find_article(question, audience)
        if art is None or art.state != State.APPROVED:
            return None
        return art, self.version(art.id, art.current_version)

    def get_article(self, article_id: str) -> Article:
        with self.engine.connect() as conn:
            row = conn.execute(self._article_query().where(articles.c.id == article_id)).first()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}")
        return self._article(row)

    def queue(
        self,
        state: State | str | None = None,
        audience: str | None = None,
        q: str | None = None,
        limit: int = 200,
        offset: int = 0,
        oldest_first: bool = False,
    ) -> list[Article]:
        """One page of the review queue: most recently changed first (or oldest first), `limit` from `offset`."""
        order = articles.c.updated_at.asc() if oldest_first else articles.c.updated_at.desc()
        query = self._queue_filter(self._article_query(), state, audience, q).order_by(order, articles.c.id)
        with self.engine.connect() as conn:
            return [self._article(r) for r in conn.execute(query.limit(limit).offset(offset))]

    def queue_total(self, state: State | str | None = None, audience: str | None = None, q: str | None = None) -> int:
        """How many articles match the queue's filters (for paging)."""
        query = self._queue_filter(select(func.count()).select_from(articles), state, audience, q)
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()

    @staticmethod
    def _queue_filter(query: Any, state: State | str | None, audience: str | None, q: str | None) -> Any:
        if state:
            query = query.where(articles.c.state == State(state).value)
        if audience:
            query = query.where(articles.c.audience == audience)
        if q and q.strip():
            text = q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{text}%"  # the user's % and _ are literal characters, not wildcards
            query = query.where(
                or_(
                    func.lower(articles.c.question).like(like, escape="\\"),
                    func.lower(articles.c.title).like(like, escape="\\"),
                )
            )
        return query

    def published_version(self, article_id: str) -> Version:
        """What the public sees: the last approved version; before any approval, Medora's newest own version.

        An editor's change is never public until a reviewer approves it (issue #14, audit M4).
        """
        article = self.get_article(article_id)
        if article.approved_version:
            return self.version(article_id, article.approved_version)
        query = (
            select(article_versions, users.c.display_name, users.c.role)
            .select_from(article_versions.outerjoin(users, users.c.id == article_versions.c.author_id))
            .where(article_versions.c.article_id == article_id, article_versions.c.author_id.is_(None))
            .order_by(article_versions.c.number.desc())
            .limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(f"article {article_id!r} has no published version")
        return self._version(row)

    def library(self, q: str | None = None, audience: str | None = None, limit: int = 200) -> list[Article]:
        """Approved articles (the published library)."""
        return self.queue(State.APPROVED, audience, q, limit)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(articles.c.state, func.count()).group_by(articles.c.state)).all()
        return {s.value: 0 for s in State} | {r[0]: r[1] for r in rows}

    def version(self, article_id: str, number: int | None = None) -> Version:
        query = (
            select(article_versions, users.c.display_name, users.c.role)
            .select_from(article_versions.outerjoin(users, users.c.id == article_versions.c.author_id))
            .where(article_versions.c.article_id == article_id)
        )
        query = (
            query.where(article_versions.c.number == number)
            if number is not None
            else query.order_by(article_versions.c.number.desc()).limit(1)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise NotFound(
                f"article {article_id!r} has no version {number}" if number else f"no article with id {article_id!r}"
            )
        return self._version(row)

    def versions(self, article_id: str) -> list[Version]:
        query = (
            select(article_versions, users.c.display_name, users.c.role)
            .select_from(article_versions.outerjoin(users, users.c.id == article_versions.c.author_id))
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.number)
        )
        with self.engine.connect() as conn:
            return [self._version(r) for r in conn.execute(query)]

    # ---- changes --------------------------------------------------------------------------------------------

    def transition(self, article_id: str, action: Action | str, user: User | None, comment: str = "") -> Article:
        """Move the article along the workflow (with its audit row), or 409/403 with the reason."""
        try:
            action = Action(action)
        except ValueError:
            raise InvalidRequest(
                f"unknown action {action!r}", hint="Use start_review, approve, request_changes, reject or resubmit."
            ) from None
        if action in (Action.SUBMIT, Action.EDIT, Action.SOURCES_CHANGED):
            raise InvalidRequest(f"{action.value} is not a review decision", hint="Edits create a new version.")
        comment = (comment or "").strip()
        if len(comment) > MAX_COMMENT:
            raise InvalidRequest(f"the comment is {len(comment):,} characters; the limit is {MAX_COMMENT:,}")
        now = _now()
        with self.engine.begin() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id).with_for_update()).first()
            if row is None:
                raise NotFound(f"no article with id {article_id!r}")
            # nobody approves a version they edited, nor one built on their edit since the last approval
            authors = set(
                conn.execute(
                    select(article_versions.c.author_id).where(
                        article_versions.c.article_id == article_id,
                        article_versions.c.number > (row.approved_version or 0),
                    )
                ).scalars()
            )
            edited_by = user.id if user is not None and user.id in authors else None
            check_permission(user, action, version_author_id=edited_by)
            assert user is not None  # check_permission refuses every decision without a signed-in account
            to = next_state(State(row.state), action)
            if action in NEEDS_COMMENT and not comment:
                raise InvalidRequest(
                    f"{action.value.replace('_', ' ')} needs a comment",
                    hint="Say what must change, or why the answer is rejected.",
                )
            values: dict[str, Any] = dict(state=to.value, updated_at=now)
            if to == State.APPROVED:
                values |= dict(approved_version=row.current_version, approved_at=now, approved_by=user.id)
            done = conn.execute(
                update(articles)
                .where(
                    articles.c.id == article_id,
                    articles.c.state == row.state,
                    articles.c.current_version == row.current_version,
                )
                .values(**values)
            ).rowcount
            if done != 1:
                raise Conflict("the article changed while you were acting on it")
            self._audit(conn, article_id, row.current_version, user, action, State(row.state), to, comment, now)
        return self.get_article(article_id)

    def edit(
        self, article_id: str, answer: Answer, user: User, note: str = "", base_version: int | None = None
    ) -> Article:
        """An edited answer becomes the next version, authored by `user`; the article goes back to submitted.

        `base_version` is the version the editor started from: if another version was saved since, the
        edit is refused (409) rather than silently undoing that version's changes.
        """
        check_permission(user, Action.EDIT)
        current = self.version(article_id)
        fingerprint = Fingerprint(
            source_ids=current.source_ids, hash=current.sources_fingerprint, index_version=current.index_version
        )
        return self._new_version(
            article_id, answer, fingerprint, user, Action.EDIT, note.strip()[:MAX_COMMENT], base_version=base_version
        )

    def _new_version(
        self,
        article_id: str,
        answer: Answer,
        fingerprint: Fingerprint,
        user: User | None,
        action: Action,
        note: str,
        answer_id: str | None = None,
        base_version: int | None = None,
    ) -> Article:
        now = _now()
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(articles).where(articles.c.id == article_id).with_for_update()).first()
                if row is None:
                    raise NotFound(f"no article with id {article_id!r}")
                if base_version is not None and base_version != row.current_version:
                    raise Conflict(
                        f"version {row.current_version} was saved after version {base_version}, "
                        "which this edit started from",
                        hint="Open the newest version, redo the edit there and save again.",
                    )
                to = next_state(State(row.state), action)
                number = row.current_version + 1
                done = conn.execute(
                    update(articles)
                    .where(
                        articles.c.id == article_id,
                        articles.c.state == row.state,
                        articles.c.current_version == row.current_version,
                    )
                    .values(state=to.value, current_version=number, title=answer.title, updated_at=now)
                ).rowcount
                if done != 1:
                    raise Conflict("the article changed while you were editing it")
                reason = "edit" if action == Action.EDIT else "sources_changed"
                self._insert_version(conn, article_id, number, answer, fingerprint, user, reason, note, answer_id, now)
                self._audit(conn, article_id, number, user, action, State(row.state), to, note, now)
        except IntegrityError:
            raise Conflict("another version was saved at the same time") from None
        return self.get_article(article_id)

    def add_comment(self, article_id: str, user: User, body: str, bullet: str | None = None) -> Comment:
        if not can_comment(user):
            raise Forbidden("commenting needs a signed-in, active account")
        body = (body or "").strip()
        if not body:
            raise InvalidRequest("the comment is empty")
        if len(body) > MAX_COMMENT:
            raise InvalidRequest(f"the comment is {len(body):,} characters; the limit is {MAX_COMMENT:,}")
        art = self.get_article(article_id)
        if bullet:
            from medora.review.edits import bullets

            keys = {k for k, _, _ in bullets(self.version(article_id).answer)}
            if bullet not in keys:
                raise InvalidRequest(
                    f"no bullet {bullet!r} in version {art.current_version}",
                    hint="Use 'summary' or s<section>.b<bullet> as shown on the review page.",
                )
        with self.engine.begin() as conn:
            cid = _inserted_id(
                conn.execute(
                    insert(comments).values(
                        article_id=article_id,
                        version=art.current_version,
                        bullet=bullet or None,
                        author_id=user.id,
                        body=body,
                        created_at=_now(),
                    )
                )
            )
        return next(c for c in self.comments(article_id) if c.id == cid)

    def comments(self, article_id: str) -> list[Comment]:
        query = (
            select(comments, users.c.display_name, users.c.role)
            .select_from(comments.join(users, users.c.id == comments.c.author_id))
            .where(comments.c.article_id == article_id)
            .order_by(comments.c.id)
        )
        with self.engine.connect() as conn:
            return [
                Comment(
                    id=r.id,
                    article_id=r.article_id,
                    version=r.version,
                    bullet=r.bullet,
                    author=r.display_name,
                    author_role=Role(r.role),
                    body=r.body,
                    created_at=_aware(r.created_at),
                )
                for r in conn.execute(query)
            ]

    def audit(self, article_id: str | None = None) -> list[AuditEntry]:
        query = (
            select(audit_log, users.c.display_name)
            .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.actor_id))
            .order_by(audit_log.c.id)
        )
        if article_id is not None:
            query = query.where(audit_log.c.article_id == article_id)
        with self.engine.connect() as conn:
            return [
                AuditEntry(
                    id=r.id,
                    article_id=r.article_id,
                    version=r.version,
                    actor=r.display_name or "Medora",
                    actor_role=r.actor_role,
                    action=Action(r.action),
                    from_state=State(r.from_state) if r.from_state else None,
                    to_state=State(r.to_state),
                    comment=r.comment,
                    at=_aware(r.at),
                )
                for r in conn.execute(query)
            ]

    # ---- rows -> models -------------------------------------------------------------------------------------

    @staticmethod
    def _article_query():  # noqa: ANN205
        return select(articles, users.c.role.label("approver_role")).select_from(
            articles.outerjoin(users, users.c.id == articles.c.approved_by)
        )

    @staticmethod
    def _article(row: Any) -> Article:
        return Article(
            id=row.id,
            question=row.question,
            question_key=row.question_key,
            audience=row.audience,
            title=row.title,
            topic=row.topic,
            state=State(row.state),
            current_version=row.current_version,
            approved_version=row.approved_version,
            approved_at=_aware(row.approved_at),
            approved_by_role=Role(row.approver_role) if row.approver_role else None,
            created_at=_aware(row.created_at),
            updated_at=_aware(row.updated_at),
        )

    @staticmethod
    def _version(row: Any) -> Version:
        author = f"{row.display_name} ({row.role})" if row.display_name else None
        return Version(
            number=row.number,
            answer=Answer.model_validate(row.answer_json),
            answer_id=row.answer_id,
            index_version=row.index_version,
            source_ids=list(row.source_ids),
            sources_fingerprint=row.sources_fingerprint,
            author_id=row.author_id,
            author=author,
            reason=row.reason,
            note=row.note,
            created_at=_aware(row.created_at),
        )

    @staticmethod
    def _insert_version(
        conn: Any,
        article_id: str,
        number: int,
        answer: Answer,
        fp: Fingerprint,
        user: User | None,
        reason: str,
        note: str,
        answer_id: str | None,
        now: datetime,
    ) -> None:
        stored = answer.model_copy(update={"review": None, "timing_ms": {}}).to_json_dict()
        conn.execute(
            insert(article_versions).values(
                article_id=article_id,
                number=number,
                answer_json=stored,
                answer_id=answer_id,
                index_version=fp.index_version,
                source_ids=fp.source_ids,
                sources_fingerprint=fp.hash,
                author_id=user.id if user else None,
                reason=reason,
                note=note,
                created_at=now,
            )
        )

    @staticmethod
    def _audit(
        conn: Any,
        article_id: str,
        version: int,
        user: User | None,
        action: Action,
        frm: State | None,
        to: State,
        comment: str,
        now: datetime,
    ) -> None:
        conn.execute(
            insert(audit_log).values(
                article_id=article_id,
                version=version,
                actor_id=user.id if user else None,
                actor_role=user.role.value if user else "system",
                action=action.value,
                from_state=frm.value if frm else None,
                to_state=to.value,
                comment=comment,
                at=now,
            )
        )
