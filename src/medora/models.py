"""Small typed models passed between the stages of a question's journey.

Nothing here imports from the rest of the package: every stage may import these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal, get_args

from pydantic import BaseModel, Field


class SourceType(str, Enum):
    GUIDELINE = "Guideline"
    SYSTEMATIC_REVIEW = "Systematic review"
    RESEARCH = "Research"
    PATIENT_INFORMATION = "Patient information"
    DRUG_LABEL = "Drug label"
    TEXTBOOK = "Textbook"


class Audience(str, Enum):
    CLINICIAN = "clinician"
    PATIENT = "patient"


class Status(str, Enum):
    ANSWERED = "answered"
    URGENT = "urgent"
    OUT_OF_SCOPE = "out_of_scope"
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"


SectionKind = Literal[
    "red_flags",
    "workup",
    "management",
    "supportive",
    "prevention",
    "prognosis",
    "escalation",
    "pitfalls",
    "surgery",
    "follow_up",
    "background",
]
SECTION_KINDS: tuple[str, ...] = get_args(SectionKind)


class Source(BaseModel):
    """A citable document: a guideline, an article, a patient page."""

    id: str = Field(description="stable id, e.g. 'pmid:12345' or 'nci:breast-treatment-hp'")
    type: SourceType
    title: str
    organization: str = Field(description="organization or journal")
    year: int | None = None
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None
    last_reviewed: str | None = None
    corpus: str = Field(default="", description="which reader produced it: kb, nci, medquad, ...")
    extra: dict[str, str] = Field(default_factory=dict, description="e.g. USPSTF grade")


class Passage(BaseModel):
    """A retrievable span of text from one source."""

    id: str
    source_id: str
    heading: str = ""
    text: str
    position: int = 0
    lay_text: str | None = Field(default=None, description="plain-language version, if any")
    kind: str | None = Field(default=None, description="section kind, when the source says so")
    cites: list[str] = Field(
        default_factory=list,
        description="source ids that back this passage's claims; a bullet drawn from it cites these",
    )
    topic: str | None = Field(default=None, description="knowledge-base topic id, if any")
    embed_text: str | None = Field(default=None, description="text to embed, if not `text`")
    meta: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class Topic:
    """A house knowledge-base topic as the index holds it: what a question can name, and whether it is an emergency."""

    id: str  # e.g. "gout"; its statements are the passages with this `topic`
    title: str
    aliases: tuple[str, ...] = ()
    emergency: bool = False  # time-critical condition: happening now, the answer opens with the emergency notice
    source_id: str = ""  # the topic's own source, "kb:<id>"


class Hit(BaseModel):
    """A passage that retrieval returned, with how it scored."""

    passage: Passage
    source: Source
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    similarity: float = 0.0


class Bullet(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list)
    passages: list[str] = Field(
        default_factory=list,
        description="ids of the indexed passages this statement comes from; each is quoted "
        "under the references it cites",
    )
    grade: str | None = Field(
        default=None,
        description="the issuing body's own strength/evidence label for this statement, as it gives it "
        "(e.g. 'USPSTF B', 'ACC/AHA COR 1, LOE A'); never translated between systems",
    )


class Section(BaseModel):
    heading: str
    kind: str
    intro: str | None = None
    bullets: list[Bullet]


class PassageRef(BaseModel):
    id: str
    text: str


class Reference(BaseModel):
    n: int
    type: SourceType
    title: str
    source: str
    year: int | None = None
    url: str | None = None
    doi: str | None = None
    pmid: str | None = None
    source_id: str = ""
    passages: list[PassageRef] = Field(default_factory=list)


class ReviewInfo(BaseModel):
    article_id: str | int | None = None
    status: Literal["submitted", "under_review", "changes_requested", "approved", "rejected"]
    last_updated: str
    version: int | None = None
    reviewer_role: str | None = Field(None, description="role of the board member who approved it")


class Verification(BaseModel):
    """What the generative composer's checks did before anything was shown (issue #15)."""

    proposed: int = Field(0, description="bullets the model proposed, bottom line included")
    kept: int = Field(0, description="bullets shown as proposed, each supported by the passages it cites")
    recited: int = Field(0, description="bullets shown with their citations moved to the passage that supports them")
    dropped: int = Field(0, description="bullets not shown: unsupported, or stating a fact no given passage has")
    fallback: bool = Field(False, description="true when the extractive answer was served instead")
    reason: str | None = Field(None, description="why the extractive answer was served, when it was")
    problems: dict[str, int] = Field(
        default_factory=dict, description="problems found in proposed bullets, by kind (number, drug, negation...)"
    )
    model: str | None = Field(None, description="the model that proposed the bullets")
    latency_ms: float | None = Field(None, description="how long the model took to reply")


class Answer(BaseModel):
    """What `ask()` returns; serialises to ../shared/answer.schema.json."""

    question: str
    audience: Audience
    status: Status
    title: str
    urgent_notice: str | None = None
    summary: Bullet
    sections: list[Section] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    follow_up_suggestions: list[str] = Field(default_factory=list)
    disclaimer: str
    review: ReviewInfo | None = None
    timing_ms: dict[str, float] = Field(default_factory=dict)
    standalone_question: str | None = Field(
        default=None, description="the question as retrieval saw it, after follow-up rewriting"
    )
    topic: str | None = None
    readability_grade: float | None = None
    mode: Literal["extractive", "generative"] = Field(
        "extractive", description="extractive (no language model) or generative (a model proposed, Medora verified)"
    )
    verification: Verification | None = Field(None, description="generative mode: what verification did")

    def to_json_dict(self) -> dict:
        return self.model_dump(mode="json")


class DrugName(BaseModel):
    """A drug a question names that the library holds an FDA label for."""

    generic: str = Field(description="generic name, lower case, e.g. 'escitalopram'")
    brands: list[str] = Field(default_factory=list, description="brand names, lower case, e.g. ['lexapro']")
    source_ids: list[str] = Field(description="the drug-label sources for it, newest first")
    matched: str = Field(description="the words of the question that named it, e.g. 'lexapro' or 'rivatigmine'")


class Turn(BaseModel):
    question: str
    standalone_question: str
    topic: str | None = None
    title: str = ""
