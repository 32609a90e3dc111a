"""Review fixtures: a small cited answer, its fingerprint, a migrated SQLite review store and its people."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from medora.db import make_engine, migrate
from medora.models import Answer, Bullet, PassageRef, Reference, Section
from medora.review import ReviewStore, User, auth
from medora.review.fingerprint import Fingerprint

PASSWORD = "correct horse battery staple"
FLARE = (
    "Treat a gout flare as early as possible with colchicine, a full-dose NSAID or a glucocorticoid; "
    "low-dose colchicine is 1.2 mg followed by 0.6 mg an hour later."
)
URATE = (
    "Allopurinol is the first-line urate-lowering therapy; start at 100 mg/day or less and titrate every "
    "few weeks to a serum urate below 6 mg/dL."
)


def make_answer(
    question: str = "How is gout treated?",
    audience: str = "clinician",
    status: str = "answered",
    references: bool = True,
    title: str = "Management of gout",
    standalone: str | None = None,
) -> Answer:
    """A clinician-style answer: summary + three bullets, citing two references with their passages."""
    refs = [
        Reference(
            n=1,
            type="Guideline",
            title="2020 ACR guideline for the management of gout",
            source="ACR",
            year=2020,
            source_id="kb:acr-gout-2020",
            passages=[PassageRef(id="acr#1", text=FLARE)],
        ),
        Reference(
            n=2,
            type="Guideline",
            title="EULAR gout recommendations",
            source="EULAR",
            year=2016,
            source_id="kb:eular-gout-2016",
            passages=[PassageRef(id="eular#1", text=URATE)],
        ),
    ]
    return Answer(
        question=question,
        audience=audience,
        status=status,
        title=title,
        topic="gout",
        standalone_question=standalone,
        disclaimer="For health professionals.",
        summary=Bullet(text="Treat a gout flare early with colchicine, an NSAID or a glucocorticoid.", citations=[1]),
        sections=[
            Section(
                heading="Management",
                kind="management",
                bullets=[
                    Bullet(text="Low-dose colchicine: 1.2 mg then 0.6 mg an hour later.", citations=[1]),
                    Bullet(
                        text="Allopurinol is first-line urate-lowering therapy, titrated to serum urate below 6 mg/dL.",
                        citations=[2],
                    ),
                ],
            ),
            Section(
                heading="Follow-up",
                kind="follow_up",
                bullets=[
                    Bullet(
                        text="Titrate allopurinol every few weeks until the serum urate is below 6 mg/dL.",
                        citations=[2],
                    ),
                ],
            ),
        ],
        references=refs if references else [],
    )


def make_fingerprint(label: str = "v1") -> Fingerprint:
    return Fingerprint(
        source_ids=["kb:acr-gout-2020", "kb:eular-gout-2016"],
        hash=hashlib.sha256(label.encode()).hexdigest(),
        index_version=f"corpus-{label}",
    )


@dataclass
class People:
    rita: User  # reviewer
    ravi: User  # another reviewer
    eve: User  # editor
    ed: User  # another editor
    ada: User  # admin


FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at its smallest cost: at the recommended cost each hash or check takes ~0.1-0.5 s, and the five
    fixture accounts alone made every store test take seconds. Still argon2id, still checked for real."""
    monkeypatch.setattr(auth, "HASHER", FAST_HASHER)
    monkeypatch.setattr(auth, "_DUMMY_HASH", FAST_HASHER.hash("not anyone's password"))


@pytest.fixture(scope="session")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty review database migrated to head, once per session (about 0.1 s each time)."""
    path = tmp_path_factory.mktemp("review-template") / "review.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # the last connection closed: the write-ahead log is folded into the file
    return path


@pytest.fixture
def db(tmp_path: Path, migrated: Path) -> Engine:
    """A fresh migrated review database of its own for each test: a copy of the session's migrated file."""
    path = tmp_path / "review.db"
    shutil.copyfile(migrated, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


@pytest.fixture
def store(db: Engine) -> ReviewStore:
    return ReviewStore(db)


@pytest.fixture
def people(store: ReviewStore) -> People:
    return People(
        rita=store.add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer"),
        ravi=store.add_user("ravi", PASSWORD, "reviewer", "Dr Ravi Second"),
        eve=store.add_user("eve", PASSWORD, "editor", "Eve Editor"),
        ed=store.add_user("ed", PASSWORD, "editor", "Ed Other"),
        ada=store.add_user("ada", PASSWORD, "admin", "Ada Admin"),
    )
