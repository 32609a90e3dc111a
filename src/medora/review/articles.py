"""Articles and their versions, review decisions, comments and the audit log: the article half of the store.

Every state change and every new version writes its audit row in the same transaction as the change, and
the change is a compare-and-set on the article's (state, current_version): two app servers acting on one
article at once cannot both win; the loser gets a 409. Who may do what is decided in `workflow.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from medora.db.schema import article_versions, articles, audit_log, comments, users
from medora.db.store import new_id
from medora.errors import Conflict, Forbidden, InvalidRequest, NotFound
from medora.models import Answer, Status
from medora.review.fingerprint import Fingerprint
from medora.review.matching import question_key, same_question, stem_key
from medora.review.models import Action, Article, AuditEntry, Comment, Role, State, User, Version
from medora.review.rows import (
    article_of,
    article_query,
    aware,
    insert_audit,
    insert_version,
    inserted_id,
    utc_now,
    version_of,
)
from medora.review.workflow import NEEDS_COMMENT, can_comment, check_permission, next_state

MAX_COMMENT = 4000
REVIEWABLE = (Status.ANSWERED, Status.URGENT)


class ArticleStore:
    """Articles (one per question and audience), their versions, decisions, comments and audit trail."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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
        now = utc_now()
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
                insert_version(conn, aid, 1, answer, fingerprint, None, "generated", "", answer_id, now)
                insert_audit(conn, aid, 1, actor, Action.SUBMIT, None, State.SUBMITTED, "", now)
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
                article_query().where(articles.c.audience == audience, articles.c.question_key == key)
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
                row = conn.execute(article_query().where(articles.c.id == best)).first()
        return article_of(row)

    def find_approved(self, question: str, audience: str) -> tuple[Article, Version] | None:
        """The approved article answering this question, with its approved version (the fast path)."""
        art = self.find_article(question, audience)
        if art is None or art.state != State.APPROVED:
            return None
        return art, self.version(art.id, art.current_version)

    def get_article(self, article_id: str) -> Article:
        with self.engine.connect() as conn:
            row = conn.execute(article_query().where(articles.c.id == article_id)).first()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}")
        return article_of(row)

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
        query = self._queue_filter(article_query(), state, audience, q).order_by(order, articles.c.id)
        with self.engine.connect() as conn:
            return [article_of(r) for r in conn.execute(query.limit(limit).offset(offset))]

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
        return version_of(row)

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
        return version_of(row)

    def versions(self, article_id: str) -> list[Version]:
        query = (
            select(article_versions, users.c.display_name, users.c.role)
            .select_from(article_versions.outerjoin(users, users.c.id == article_versions.c.author_id))
            .where(article_versions.c.article_id == article_id)
            .order_by(article_versions.c.number)
        )
        with self.engine.connect() as conn:
            return [version_of(r) for r in conn.execute(query)]

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
        now = utc_now()
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
            insert_audit(conn, article_id, row.current_version, user, action, State(row.state), to, comment, now)
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
        now = utc_now()
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
                insert_version(conn, article_id, number, answer, fingerprint, user, reason, note, answer_id, now)
                insert_audit(conn, article_id, number, user, action, State(row.state), to, note, now)
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
            cid = inserted_id(
                conn.execute(
                    insert(comments).values(
                        article_id=article_id,
                        version=art.current_version,
                        bullet=bullet or None,
                        author_id=user.id,
                        body=body,
                        created_at=utc_now(),
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
                    created_at=aware(r.created_at),
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
                    at=aware(r.at),
                )
                for r in conn.execute(query)
            ]
