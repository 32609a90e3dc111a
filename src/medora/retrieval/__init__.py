"""Retrieval: find, once per question, everything an answer is built from (#11).

    engine.py   SearchEngine: query expansion, BM25 + dense + question matching, reciprocal-rank fusion, priors
    labels.py   a drug question's FDA label passages (or the drug we hold no label for)
    result.py   retrieve() -> Retrieval: the search, the label, the topic, the focus's passages first, the verdict

Usage example::

    engine = SearchEngine.open(settings)
    found = engine.retrieve("How is gout treated?", triage("How is gout treated?"))
    found.verdict, found.topic.title if found.topic else None, found.hits[0].source.title
"""

from __future__ import annotations

from medora.retrieval.engine import INTENT_QTYPES, Expansion, SearchEngine, question_types
from medora.retrieval.labels import LabelEvidence, label_evidence
from medora.retrieval.result import Retrieval, Shelf, Verdict, focused, judge, missing_name, pick_topic, retrieve
from medora.text import content_terms

__all__ = [
    "INTENT_QTYPES",
    "Expansion",
    "LabelEvidence",
    "Retrieval",
    "SearchEngine",
    "Shelf",
    "Verdict",
    "content_terms",
    "focused",
    "judge",
    "label_evidence",
    "missing_name",
    "pick_topic",
    "question_types",
    "retrieve",
]
