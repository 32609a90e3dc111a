"""The review wing beside the engine (#11): "an approved article answers? else ask, then record the version".

The web app and the CLI call `ask_reviewed`; `qa.ask()` knows nothing of review. A question is read and
triaged once (`understand`); a match with an approved article whose sources are unchanged is answered with
it directly (the fast path), unless triage now reads the question as an emergency the article was not;
otherwise `respond` answers it, and if the question has an article, a fresh answer whose sources changed
becomes the article's next version and goes back to review.
"""

from __future__ import annotations

import time

from medora.conversation import Conversation
from medora.models import Answer, Audience, ReviewInfo, Status
from medora.qa import get_engine, respond, understand
from medora.retrieval import SearchEngine
from medora.review import Article, ReviewStore
from medora.review.fingerprint import fingerprint, stale
from medora.settings import Settings, get_settings


def ask_reviewed(
    question: str,
    *,
    library: ReviewStore | None,
    audience: Audience | str = Audience.CLINICIAN,
    conversation: Conversation | None = None,
    settings: Settings | None = None,
    engine: SearchEngine | None = None,
    mode: str = "extractive",
) -> Answer:
    """`qa.ask()` with the editorial library: approved articles first, fresh answers recorded as versions."""
    settings = settings or get_settings()
    engine = engine or get_engine(settings)
    asked = understand(question, audience=audience, conversation=conversation, settings=settings, engine=engine)
    if library is None or not asked.answerable:
        return respond(asked, settings=settings, engine=engine, mode=mode)
    t1 = time.perf_counter()
    article = library.find_article(asked.query, asked.audience.value)
    if article is not None and article.state == "approved":
        approved = _approved_answer(library, article, engine, asked.triage.status == Status.URGENT)
        if approved is not None:
            answer = approved.model_copy(update={"question": asked.text})
            answer.timing_ms = {**asked.timing, "library": _ms(t1), "total": _ms(asked.started)}
            return answer
    answer = respond(asked, settings=settings, engine=engine, mode=mode)
    if article is None:
        return answer
    timing = answer.timing_ms
    answer = _with_review(library, article, answer, engine)
    answer.timing_ms = timing
    return answer


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)


def _approved_answer(library: ReviewStore, article: Article, engine: SearchEngine, urgent: bool) -> Answer | None:
    """The approved version, marked approved, if its sources are unchanged and triage agrees with it."""
    version = library.version(article.id, article.current_version)
    if urgent and version.answer.status != Status.URGENT:
        return None  # triage now reads the question as an emergency: answer it afresh, emergency first
    if stale(version, engine.reader):
        return None
    when = article.approved_at or article.updated_at
    review = ReviewInfo(
        article_id=article.id,
        status="approved",
        last_updated=when.date().isoformat(),
        version=version.number,
        reviewer_role=article.approved_by_role,
    )
    return version.answer.model_copy(update={"review": review})


def _with_review(library: ReviewStore, article: Article, answer: Answer, engine: SearchEngine) -> Answer:
    """A fresh answer to an article's question: if the sources changed, it is the article's next version."""
    if answer.status in (Status.ANSWERED, Status.URGENT) and answer.references and article.state != "rejected":
        article = library.refresh(
            article, answer, fingerprint(answer, engine.reader), stale=lambda v: stale(v, engine.reader)
        )
    if article.state in ("approved", "rejected"):
        return answer  # this fresh answer is not the text the board approved (or it was rejected): no badge
    review = ReviewInfo(
        article_id=article.id,
        status=article.state.value,
        last_updated=article.updated_at.date().isoformat(),
        version=article.current_version,
    )
    return answer.model_copy(update={"review": review})
