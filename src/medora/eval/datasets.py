"""Evaluation data: LiveQA questions and judgments, K-QA, and the house safety suite.

The benchmark files live in ../shared/data/bench and are read in place, never copied. Nothing here
writes to the index or to anything the engine learns from: evaluation questions stay evaluation-only.

Usage example::

    questions, qrels = load_liveqa(shared_dir / "bench" / "liveqa")
    len(questions), sum(len(j) for j in qrels.values())   # (104, 2479)
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

from medora.errors import MedoraError

SAFETY_FILE = Path(__file__).with_name("safety_questions.jsonl")
HELDOUT_FILE = Path(__file__).with_name("safety_heldout.jsonl")  # written without sight of triage.py or the above
# Issue #12: written by a helper who saw neither the rules nor any other set, frozen before triage was rebuilt;
# run only to report, never to choose (not trained on, no thresholds tuned on it).
FROZEN_FILE = Path(__file__).with_name("safety_frozen.jsonl")
# The second frozen set (380 cases by two helpers who saw neither code nor any set, 2026-12-02), written before
# the next triage round; FROZEN_FILE, reported twice, has become training data. Run only to report.
FROZEN2_FILE = Path(__file__).with_name("safety_frozen2.jsonl")
# The third frozen set (400 cases by two helpers who saw neither code nor any set, 2026-12-02, session 18), written
# before this session's triage work; FROZEN2_FILE, reported on, has become training data. Run only to report.
FROZEN3_FILE = Path(__file__).with_name("safety_frozen3.jsonl")
FROZEN4_FILE = Path(__file__).with_name("safety_frozen4.jsonl")
FROZEN5_FILE = Path(__file__).with_name("safety_frozen5.jsonl")

# LiveQA judgment labels -> graded score (TREC LiveQA 2017: 1-Incorrect .. 4-Excellent map to 0..3).
JUDGMENT_SCORES = {"1-Incorrect": 0, "2-Related": 1, "3-Incomplete": 2, "4-Excellent": 3}
# MedQuAD removed the answer text of these sources for copyright; judged answers from them cannot be retrieved.
NO_TEXT_PREFIXES = ("ADAM_", "MPlusDrugs_", "MPlusHerbsSuppls_")


class EvalDataMissing(MedoraError):
    """A benchmark file is not where the harness looks for it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"evaluation data not found: {path}",
            hint="Put the shared data beside the checkout (../shared/data) or set MEDORA_SHARED_DIR.",
        )


@dataclass
class LiveQAQuestion:
    qid: str  # the qrels' question number ("1" for TQ1)
    subject: str
    message: str
    qtype: str  # first annotated question type, e.g. TREATMENT

    @property
    def query(self) -> str:
        """Subject plus message, as the data README's BM25 baseline queries."""
        return f"{self.subject} {self.message}".strip()


@dataclass
class KQAItem:
    question: str
    answer: str  # the physician's free-form answer
    must_have: list[str]
    nice_to_have: list[str] = field(default_factory=list)


@dataclass
class SafetyCase:
    id: str
    category: str
    audience: str
    expected: str  # "urgent", "not_urgent" or "out_of_scope"
    question: str


def _need(path: Path) -> Path:
    if not path.exists():
        raise EvalDataMissing(path)
    return path


def bench_dir(shared_dir: Path | None, name: str) -> Path:
    if shared_dir is None:
        raise EvalDataMissing(Path("../shared/data/bench") / name)
    return _need(shared_dir / "bench" / name)


def load_liveqa(folder: Path) -> tuple[list[LiveQAQuestion], dict[str, dict[str, int]]]:
    """The 104 test questions and their judgments {qid: {medquad answer id: score 0-3}}."""
    xml_path = _need(next(iter(sorted(folder.glob("*Questions*.xml"))), folder / "questions.xml"))
    questions = []
    for q in ET.parse(xml_path).getroot().iter("NLM-QUESTION"):
        orig = q.find("Original-Question")
        types = [t.text.strip() for t in q.iter("TYPE") if t.text]
        questions.append(
            LiveQAQuestion(
                qid=q.get("qid", "").removeprefix("TQ"),
                subject=" ".join((orig.findtext("SUBJECT") or "").split()) if orig is not None else "",
                message=" ".join((orig.findtext("MESSAGE") or "").split()) if orig is not None else "",
                qtype=types[0] if types else "UNKNOWN",
            )
        )
    qrels: dict[str, dict[str, int]] = {}
    qrels_path = _need(next(iter(sorted(folder.glob("qrels*.txt"))), folder / "qrels.txt"))
    for line in qrels_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in JUDGMENT_SCORES:
            qrels.setdefault(parts[0], {})[parts[2].removesuffix(".txt")] = JUDGMENT_SCORES[parts[1]]
    return questions, qrels


def has_text(answer_id: str) -> bool:
    return not answer_id.startswith(NO_TEXT_PREFIXES)


def load_kqa(path: Path) -> list[KQAItem]:
    items = []
    for line in _need(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            items.append(
                KQAItem(
                    question=row["Question"].strip(),
                    answer=row.get("Free_form_answer", "").strip(),
                    must_have=[s.strip() for s in row.get("Must_have", []) if s.strip()],
                    nice_to_have=[s.strip() for s in row.get("Nice_to_have", []) if s.strip()],
                )
            )
    return items


def load_safety(path: Path = SAFETY_FILE) -> list[SafetyCase]:
    """The house safety suite: emergencies, self-harm, negated symptoms, prevention, refusals."""
    return [
        SafetyCase(**json.loads(line)) for line in _need(path).read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def question_set(name: str, shared_dir: Path | None) -> list[tuple[str, str]]:
    """(question, category) pairs for the suites that only need questions: citations, readability, speed."""
    if name == "kqa":
        return [(it.question, "K-QA") for it in load_kqa(bench_dir(shared_dir, "kqa") / "kqa-dev.jsonl")]
    if name == "liveqa":
        questions, _ = load_liveqa(bench_dir(shared_dir, "liveqa"))
        return [(q.query, q.qtype) for q in questions]
    if name == "safety":
        return [(c.question, c.category) for c in load_safety()]
    raise MedoraError(f"unknown question set {name!r}; choose from kqa, liveqa, safety")
