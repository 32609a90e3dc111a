"""The house knowledge base: one YAML topic per file under knowledge/<specialty>/.

A topic is a practical summary of guidelines in our own words. Each statement carries
clinician text, plain-language text and the keys of the references that back it.

Usage example::

    topics, errors = load_topics(Path("knowledge"))
    sources, passages = topic_records(topics[0])
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from medora.corpus.base import load_yaml
from medora.errors import KnowledgeBaseError
from medora.models import Passage, SectionKind, Source, SourceType
from medora.question import question_for

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SPECIALTIES = (
    "addiction-medicine",
    "allergy-immunology",
    "cardiology",
    "critical-care",
    "dermatology",
    "emergency-medicine",
    "endocrinology",
    "gastroenterology",
    "geriatrics",
    "hematology",
    "infectious-disease",
    "musculoskeletal",
    "nephrology",
    "neurology",
    "obstetrics-gynecology",
    "oncology",
    "otolaryngology",
    "pediatrics",
    "preventive-medicine",
    "psychiatry",
    "pulmonology",
    "rheumatology",
    "surgery",
    "toxicology",
    "urology",
    "vascular",
)


class KBReference(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(description="short key the statements use, unique within the topic")
    type: Literal["Guideline", "Systematic review", "Research"]
    title: str = Field(min_length=5)
    source: str = Field(min_length=2, description="organization (guideline) or journal (article)")
    year: int = Field(ge=1950, le=2030)
    catalog_id: str | None = Field(default=None, description="id in shared/data/catalog/guidelines.jsonl")
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None

    @field_validator("pmid", mode="before")
    @classmethod
    def _pmid_text(cls, v: object) -> object:
        if isinstance(v, int):
            return str(v)
        if isinstance(v, str) and not v.isdigit():
            raise ValueError(f"pmid must be digits, got {v!r}")
        return v

    @field_validator("doi")
    @classmethod
    def _doi_shape(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^10\.\d{4,9}/\S+$", v):
            raise ValueError(f"doi must look like 10.xxxx/..., got {v!r}")
        return v


class KBText(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=10, description="clinician text")
    lay: str = Field(min_length=10, description="plain-language text for patients")
    refs: list[str] = Field(min_length=1)

    @field_validator("text", "lay")
    @classmethod
    def _one_line(cls, v: str) -> str:
        return " ".join(v.split())


class KBStatement(KBText):
    section: SectionKind
    applies_to: str | None = Field(default=None, description="e.g. 'pregnancy', 'children', 'eGFR < 30'")
    strength: Literal["strong", "conditional", "expert_opinion"] | None = None
    grade: str | None = Field(
        default=None,
        max_length=60,
        description="the issuer's own label for the cited recommendation, never translated between systems: "
        "'USPSTF B', 'ACC/AHA COR 1, LOE A', 'GRADE strong, moderate certainty', 'AAOS moderate'...",
    )


class KBReviewCounts(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked: int = Field(ge=0, description="statements checked against the current guideline")
    changed: int = Field(ge=0)
    outdated: int = Field(default=0, ge=0, description="changed because a newer guideline says otherwise")
    imprecise: int = Field(default=0, ge=0, description="changed to add a missing qualifier, dose or threshold")
    wrong: int = Field(default=0, ge=0, description="changed because the statement was incorrect")


class KBReview(BaseModel):
    """The outcome of one clinical review of the topic: when, against what, what changed."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    by: str = Field(min_length=2, description="who reviewed: a role, not a person's name")
    checked: str = Field(min_length=10, description="what was checked and against which sources")
    changed: str = Field(min_length=2, description="what changed, or 'nothing'")
    counts: KBReviewCounts


class Topic(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    title: str = Field(min_length=3)
    aliases: list[str] = Field(min_length=1)
    specialty: str
    last_reviewed: dt.date
    emergency: bool = Field(default=False, description="time-critical condition: answers open with an emergency notice")
    summary: KBText = Field(description="the bottom line, one sentence")
    references: list[KBReference] = Field(min_length=1)
    statements: list[KBStatement] = Field(min_length=8)
    review: KBReview | None = Field(default=None, description="the latest clinical review of this topic")

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(f"id must be a lower-case slug, got {v!r}")
        return v

    @field_validator("specialty")
    @classmethod
    def _specialty(cls, v: str) -> str:
        if v not in SPECIALTIES:
            raise ValueError(f"unknown specialty {v!r}; choose from {', '.join(SPECIALTIES)}")
        return v

    @model_validator(mode="after")
    def _refs_resolve(self) -> Topic:
        keys = [r.key for r in self.references]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"duplicate reference keys: {sorted(dupes)}")
        known = set(keys)
        for i, s in enumerate([self.summary, *self.statements]):
            missing = set(s.refs) - known
            if missing:
                where = "summary" if i == 0 else f"statement {i}"
                raise ValueError(f"{where} cites unknown reference keys {sorted(missing)}")
        return self


def read_topic(path: Path) -> Topic:
    """Parse and validate one topic file; raise KnowledgeBaseError naming the file and reason."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeBaseError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise KnowledgeBaseError(path, f"cannot read: {exc.strerror}") from exc
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as exc:
        raise KnowledgeBaseError(path, f"invalid YAML: {exc}".splitlines()[0]) from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError(path, "a topic file must be a YAML mapping")
    try:
        topic = Topic.model_validate(data)
    except ValidationError as exc:
        reasons = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'topic'}: {e['msg']}" for e in exc.errors()[:5])
        raise KnowledgeBaseError(path, f"schema: {reasons}") from exc
    if path.parent.name != topic.specialty:
        raise KnowledgeBaseError(path, f"specialty {topic.specialty!r} but file is in folder {path.parent.name!r}")
    if path.stem != topic.id:
        raise KnowledgeBaseError(path, f"id {topic.id!r} must match the file name {path.stem!r}")
    return topic


def topic_files(root: Path) -> list[Path]:
    return sorted(root.glob("**/*.yaml"))


def load_topics(root: Path) -> tuple[list[Topic], list[KnowledgeBaseError]]:
    topics, errors = [], []
    for path in topic_files(root):
        try:
            topics.append(read_topic(path))
        except KnowledgeBaseError as exc:
            errors.append(exc)
    return topics, errors


def reference_source(topic: Topic, ref: KBReference) -> Source:
    """A KB reference becomes a Source shared by every topic that cites the same work."""
    if ref.pmid:
        sid = f"pmid:{ref.pmid}"
    elif ref.doi:
        sid = f"doi:{ref.doi.lower()}"
    elif ref.catalog_id:
        sid = f"catalog:{ref.catalog_id}"
    else:
        sid = f"kb:{topic.id}:{ref.key}"
    url = (
        ref.url
        or (f"https://doi.org/{ref.doi}" if ref.doi else None)
        or (f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/" if ref.pmid else None)
    )
    return Source(
        id=sid,
        type=SourceType(ref.type),
        title=ref.title,
        organization=ref.source,
        year=ref.year,
        url=url,
        doi=ref.doi,
        pmid=ref.pmid,
        corpus="kb",
        extra={"catalog_id": ref.catalog_id} if ref.catalog_id else {},
    )


# The implicit question a statement of each section answers, for retrieval's question matching (#13 part 6):
# a question type of `medora.question.QUESTIONS` or a wording of its own ({f}: the topic's title, as it reads in a
# sentence).
KIND_QUESTIONS: dict[str, str] = {
    "summary": "what_is",
    "background": "what_is",
    "red_flags": "What are the warning signs of {f} that need urgent care?",
    "workup": "diagnosis",
    "management": "treatment",
    "supportive": "How can I look after myself with {f}?",
    "prevention": "prevention",
    "prognosis": "prognosis",
    "escalation": "When should {f} be referred to a specialist?",
    "pitfalls": "What should be avoided in managing {f}?",
    "surgery": "When is surgery needed for {f}?",
    "follow_up": "What follow-up is needed for {f}?",
}


def statement_question(title: str, kind: str) -> str:
    """The question a house statement answers: "What are the treatments for gout?" for a management statement."""
    subject = title[:1].lower() + title[1:] if not title[:2].isupper() else title
    wording = KIND_QUESTIONS.get(kind, "what_is")
    return wording.format(f=subject) if "{f}" in wording else question_for(subject, wording)


def topic_records(topic: Topic) -> tuple[list[Source], list[Passage]]:
    """The topic's sources (its references plus the topic itself) and one passage per statement."""
    ref_sources = {r.key: reference_source(topic, r) for r in topic.references}
    topic_source = Source(
        id=f"kb:{topic.id}",
        type=SourceType.GUIDELINE,
        title=topic.title,
        organization="Medora editorial team (house summary)",
        year=topic.last_reviewed.year,
        last_reviewed=topic.last_reviewed.isoformat(),
        corpus="kb",
        extra={
            "aliases": json.dumps(topic.aliases),
            "emergency": str(topic.emergency).lower(),
            "specialty": topic.specialty,
        },
    )
    passages = []
    entries = [("summary", topic.summary, None, None, None)] + [
        (s.section, s, s.applies_to, s.strength, s.grade) for s in topic.statements
    ]
    for pos, (kind, st, applies, strength, grade) in enumerate(entries):
        meta = {k: v for k, v in (("applies_to", applies), ("strength", strength), ("grade", grade)) if v}
        meta["question"] = statement_question(topic.title, kind)
        passages.append(
            Passage(
                id=f"kb:{topic.id}#{pos}",
                source_id=topic_source.id,
                heading=kind,
                text=st.text,
                lay_text=st.lay,
                position=pos,
                kind=kind,
                topic=topic.id,
                cites=[ref_sources[k].id for k in st.refs],
                embed_text=f"{topic.title}: {st.text}",
                meta=meta,
            )
        )
    return [topic_source, *ref_sources.values()], passages


# --- checks that need more than one file (run by tests and `medora kb check`) ---


def load_catalog(path: Path) -> dict[str, dict]:
    rows = {}
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                rows[row["id"]] = row
    return rows


def _norm(s: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (s or "").lower())


def cross_check(topics: list[Topic], catalog: dict[str, dict] | None) -> list[str]:
    """Problems across topics: duplicate ids, shared aliases, catalog mismatches."""
    problems: list[str] = []
    seen_ids: dict[str, str] = {}
    alias_owner: dict[str, str] = {}
    for t in topics:
        if t.id in seen_ids:
            problems.append(f"duplicate topic id {t.id!r}")
        seen_ids[t.id] = t.id
        for alias in {a.strip().lower() for a in [t.title, *t.aliases]}:
            owner = alias_owner.setdefault(alias, t.id)
            if owner != t.id:
                problems.append(f"alias {alias!r} claimed by both {owner} and {t.id}")
        if catalog is None:
            continue
        for r in t.references:
            if not r.catalog_id:
                continue
            row = catalog.get(r.catalog_id)
            if row is None:
                problems.append(f"{t.id}: reference {r.key} names unknown catalog id {r.catalog_id!r}")
                continue
            if row.get("superseded_by"):
                problems.append(f"{t.id}: {r.catalog_id} is superseded by {row['superseded_by']}")
            if _norm(row["title"]) != _norm(r.title):
                problems.append(f"{t.id}: reference {r.key} title differs from catalog {r.catalog_id}")
            for field in ("doi", "pmid"):
                mine, theirs = getattr(r, field), row.get(field)
                if mine and theirs and _norm(str(mine)) != _norm(str(theirs)):
                    problems.append(f"{t.id}: reference {r.key} {field} {mine} != catalog {theirs}")
                if mine and not theirs and field == "doi":
                    pass  # we may know a DOI the catalog lacks; verified by the author
    return problems


def iter_statements(topics: list[Topic]) -> Iterator[tuple[Topic, KBStatement]]:
    for t in topics:
        for s in t.statements:
            yield t, s
