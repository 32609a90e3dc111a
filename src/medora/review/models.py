"""Typed records of the editorial review: people, articles, versions, comments and audit entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from medora.models import Answer


class Role(StrEnum):
    REVIEWER = "reviewer"  # a clinician on the medical advisory board: the only role that approves
    EDITOR = "editor"  # edits answers and resubmits them
    ADMIN = "admin"  # runs the service: sees everything, approves nothing


class State(StrEnum):
    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    REJECTED = "rejected"


class Action(StrEnum):
    SUBMIT = "submit"  # an answer becomes an article (-> submitted)
    START_REVIEW = "start_review"  # submitted -> under_review
    APPROVE = "approve"  # under_review -> approved
    REQUEST_CHANGES = "request_changes"  # under_review -> changes_requested
    REJECT = "reject"  # under_review -> rejected
    RESUBMIT = "resubmit"  # changes_requested -> submitted
    EDIT = "edit"  # an editor's new version (-> submitted)
    SOURCES_CHANGED = "sources_changed"  # Medora's new version after its sources changed (-> submitted)


class User(BaseModel):
    id: int
    username: str
    display_name: str
    role: Role
    active: bool = True
    created_at: datetime

    @property
    def label(self) -> str:
        return f"{self.display_name} ({self.role.value})"


class Version(BaseModel):
    number: int
    answer: Answer
    answer_id: str | None = None
    index_version: str | None = None
    source_ids: list[str] = Field(default_factory=list)
    sources_fingerprint: str
    author_id: int | None = None
    author: str | None = None  # display label, for pages
    reason: str
    note: str = ""
    created_at: datetime


class Article(BaseModel):
    id: str
    question: str
    question_key: str
    audience: str
    title: str
    topic: str | None = None
    state: State
    current_version: int
    approved_version: int | None = None
    approved_at: datetime | None = None
    approved_by_role: Role | None = None
    created_at: datetime
    updated_at: datetime


class Comment(BaseModel):
    id: int
    article_id: str
    version: int
    bullet: str | None = None
    author: str
    author_role: Role
    body: str
    created_at: datetime


class AuditEntry(BaseModel):
    id: int
    article_id: str
    version: int
    actor: str  # "Medora" for the system
    actor_role: str
    action: Action
    from_state: State | None = None
    to_state: State
    comment: str = ""
    at: datetime
