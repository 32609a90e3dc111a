"""The search engine: BM25 (SQLite FTS5) + dense vectors + question matching, fused by reciprocal rank, with priors.

Question matching (#13 part 6): every passage that answers a known question (MedQuAD's own; the implicit
question of a label section or a house statement, see the readers) has that question embedded at ingest.
A search ranks the passages by how close their question is to the user's, or to the user's question
reduced to its focus and type ("What causes deep vein thrombosis?", `medora.question.canonical_question`),
whichever is closer: one matrix product over the distinct questions. That ranking joins the fusion, and
passages about the question's focus whose question type is the one asked get a small boost.

Usage example::

    engine = SearchEngine.open(settings)
    hits, expansion = engine.search("endplate compression fracture management", k=20)
    found = engine.retrieve("How is gout treated?", triage("How is gout treated?"))   # the whole stage (#11)
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from medora.drugnames import DrugNames
from medora.index.embedder import Embedder
from medora.index.store import IndexReader
from medora.models import Audience, DrugName, Hit, Passage, Topic
from medora.question import MEDQUAD_QTYPES, Focus, Lexicon, QuestionFrame, canonical_question, frame_of
from medora.retrieval.result import Retrieval, retrieve
from medora.settings import Settings
from medora.text import QUERY_STOP_WORDS as STOPWORDS
from medora.text import TERM as TOKEN
from medora.text import content_terms

if TYPE_CHECKING:
    from medora.triage import Triage

# Question intent -> MedQuAD question types that answer it (the consumer-question-to-FAQ match that
# question-entailment systems exploit; Ben Abacha & Demner-Fushman 2019).
INTENT_QTYPES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (qt, re.compile(p))
    for qt, p in (
        ("treatment", r"\b(treat\w*|cure\w*|therap\w*|medication\w*|drugs?|help with|get rid of)\b"),
        ("symptoms", r"\b(symptom\w*|signs?)\b"),
        ("causes", r"\b(cause\w*|why do|why does)\b"),
        ("exams and tests", r"\b(test\w*|diagnos\w*)\b"),
        ("outlook", r"\b(prognosis|outlook|life expectancy|surviv\w*)\b"),
        ("inheritance", r"\b(inherit\w*|hereditary|genetic|pass\w* (it )?on)\b"),
        ("prevention", r"\b(prevent\w*)\b"),
        ("susceptibility", r"\b(risk|who gets)\b"),
    )
)


def question_types(query: str) -> set[str]:
    q = query.lower()
    return {qt for qt, pat in INTENT_QTYPES if pat.search(q)}


@dataclass
class Expansion:
    terms: list[str]
    added: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)  # KB topic ids whose title or alias the query names


class SearchEngine:
    """Holds the open index, the embedder and the expansion tables; thread-safe for reads."""

    def __init__(self, reader: IndexReader, embedder: Embedder, settings: Settings) -> None:
        self.reader = reader
        self.embedder = embedder
        self.settings = settings
        self.synonyms = reader.synonyms()
        self.topic_names: dict[str, str] = {}  # lower-case alias -> topic id
        self.topics: dict[str, Topic] = {}
        for topic in reader.topics():
            self.topics[topic.id] = topic
            for name in [topic.title, *topic.aliases]:
                self.topic_names[name.lower()] = topic.id
        self._max_alias_words = max((len(a.split()) for a in self.topic_names), default=1)
        self._lock = threading.Lock()
        self._masks: dict[str, np.ndarray] = {}
        self.vocabulary = frozenset(w for w in embedder.tokenizer.get_vocab() if w.isalpha())
        self._prior_cache: dict[str, float] = {}
        self._query_vectors: dict[str, np.ndarray] = {}
        self._drugs: DrugNames | None = None
        self._known: dict[str, bool] = {}
        self._lexicon: Lexicon | None = None
        self._frames: dict[str, QuestionFrame] = {}

    def _prior(self, sid: str) -> float:
        """Evidence-type plus recency prior of a source, computed on first use (keeps cold start short)."""
        if sid not in self._prior_cache:
            src = self.reader.source(sid)
            rs = self.settings.retrieval
            if src is None:
                self._prior_cache[sid] = 0.0
            else:
                recency = 0.0 if src.year is None else max(0.0, 1.0 - (time.gmtime().tm_year - src.year) / 15.0)
                self._prior_cache[sid] = (
                    rs.prior_weight * rs.type_prior.get(src.type.value, 0.3) + rs.recency_weight * recency
                )
        return self._prior_cache[sid]

    def _row_facts(self, rowids: list[int]) -> dict[int, tuple[str, str | None]]:
        """Source id and MedQuAD question type of candidate rows, in one query."""
        with self._lock:
            return self.reader.row_facts(rowids)

    @classmethod
    def open(cls, settings: Settings) -> SearchEngine:
        reader = IndexReader(settings.index_dir)
        emb = Embedder.load(
            settings.data_dir / "models",
            max_tokens=settings.embed_max_tokens,
            batch=settings.embed_batch,
            threads=settings.threads,
        )
        return cls(reader, emb, settings)

    # --- query expansion -------------------------------------------------------------------
    def expand(self, query: str) -> Expansion:
        """Add synonyms and expansions of abbreviations; note which KB topics the query names."""
        words = TOKEN.findall(query.lower())
        exp = Expansion(terms=content_terms(query))
        seen = set(exp.terms)
        n = len(words)
        for size in range(min(self._max_alias_words, 6), 0, -1):
            for i in range(n - size + 1):
                gram = " ".join(words[i : i + size])
                tid = self.topic_names.get(gram)
                if tid and tid not in exp.topics and not (size == 1 and gram in STOPWORDS):
                    exp.topics.append(tid)
                for syn in self.synonyms.get(gram, [])[:4]:
                    for t in content_terms(syn):
                        if t not in seen:
                            seen.add(t)
                            exp.added.append(t)
        for word in exp.terms:  # a misspelt drug name ("rivatigmine") searches as the label spells it
            fixed = self.drugs.correct(word, self.known)
            for name in [fixed, *self.synonyms.get(fixed or "", [])[:4]] if fixed else []:
                for t in content_terms(name):
                    if t not in seen:
                        seen.add(t)
                        exp.added.append(t)
        return exp

    # --- drug labels -----------------------------------------------------------------------
    @property
    def drugs(self) -> DrugNames:
        """The names of the label drugs in the index, read on first use (keeps cold start short)."""
        if self._drugs is None:
            with self._lock:
                rows = self.reader.drug_labels()
            self._drugs = DrugNames.from_rows(rows, self.vocabulary)
        return self._drugs

    def known(self, word: str) -> bool:
        """An everyday word (in MiniLM's vocabulary) or one some indexed passage uses."""
        if word not in self._known:
            if len(self._known) >= 20000:
                self._known.clear()
            self._known[word] = word in self.vocabulary or bool(self.lexical([word], 1))
        return self._known[word]

    def drugs_named(self, text: str) -> list[DrugName]:
        """The label drugs a question names (brand, generic or a close misspelling), each with its label ids.

        >>> [d.generic for d in engine.drugs_named("Does Lexapro cause weight gain?")]
        ['escitalopram']
        """
        return self.drugs.named(text, self.known) if self.drugs else []

    def names_a_drug(self, text: str) -> bool:
        """Whether the question names a drug the library holds a label for (triage reads it as medical)."""
        return bool(self.drugs_named(text))

    def unlabelled_drug(self, text: str) -> str | None:
        """A drug the question clearly asks about that no label in the index covers (as the question spells it)."""
        return self.drugs.unlabelled(text, self.known) if self.drugs else None

    def label_search(
        self,
        query: str,
        source_ids: list[str],
        sections: tuple[str, ...] = (),
        k: int = 12,
        words: list[str] | None = None,
    ) -> list[Hit]:
        """The passages of these labels that best answer the query; passages of `sections` (openFDA fields) first.

        `words` (default: the query's content words) add a little for each one a passage contains; leave out
        the drug's own names, which every passage of its label has.
        """
        qv = self.query_vector(query)
        terms = set(content_terms(query) if words is None else words)
        scored: list[tuple[float, float, Passage]] = []
        for sid in source_ids:
            with self._lock:
                rows = self.reader.passages_of(sid)
            if not rows:
                continue
            sims = self.reader.vectors[[v for v, _ in rows]] @ qv
            for (_, p), sim in zip(rows, sims, strict=True):
                section = p.meta.get("section", "")
                boost = 0.2 * (1.0 - sections.index(section) / len(sections)) if section in sections else 0.0
                passage_terms = set(content_terms(p.text))
                overlap = len(terms & passage_terms) / len(terms) if terms else 0.0
                scored.append((float(sim) + boost + 0.15 * overlap, float(sim), p))
        scored.sort(key=lambda t: t[0], reverse=True)
        hits = []
        for rank, (score, sim, p) in enumerate(scored[:k]):
            src = self.reader.source(p.source_id)
            if src is not None:
                hits.append(Hit(passage=p, source=src, score=score, dense_rank=rank, similarity=sim))
        return hits

    # --- what the question is about (#13) ---------------------------------------------------
    @property
    def lexicon(self) -> Lexicon:
        """Every name the library knows a subject by, built on first use (keeps cold start short)."""
        if self._lexicon is None:
            with self._lock:
                conditions = self.reader.medquad_focuses()
            topics = [(t.id, t.title, list(t.aliases)) for t in self.topics.values()]
            drugs: dict[str, tuple[str, list[str], list[str]]] = {}
            for labels in self.drugs.labels.values():
                for lab in labels:
                    generic, brands, sids = drugs.setdefault(lab.generic, (lab.generic, [], []))
                    brands += [b for b in lab.brands if b not in brands]
                    sids += [lab.source_id] if lab.source_id not in sids else []
            self._lexicon = Lexicon.build(
                topics=topics,
                conditions=conditions,
                synonyms=self.synonyms,
                drugs=list(drugs.values()),
                common=self.vocabulary.__contains__,
            )
        return self._lexicon

    def frame(self, query: str) -> QuestionFrame:
        """The question's focus, type, population and specifics (kept for the last questions: search and
        `ask()` both need it)."""
        frame = self._frames.get(query)
        if frame is None:
            frame = frame_of(query, self.lexicon, self.known)
            if len(self._frames) >= 256:
                self._frames.clear()
            self._frames[query] = frame
        return frame

    def similarities(self, query: str, passage_ids: list[str]) -> dict[str, float]:
        """Cosine similarity of the question to each indexed passage (house statements are one sentence each)."""
        if not passage_ids:
            return {}
        qv = self.query_vector(query)
        with self._lock:
            rows = self.reader.vec_rows(passage_ids)
        if not rows:
            return {}
        sims = self.reader.vectors[[v for _, v in rows]] @ qv
        return {pid: float(s) for (pid, _), s in zip(rows, sims, strict=True)}

    def focus_search(self, query: str, focus: Focus, k: int = 12) -> list[Hit]:
        """The passages of the MedQuAD documents about the focus that best answer the question (by its embedding,
        with MedQuAD answers of the matching question type first)."""
        sids = [s for s in focus.sources if s.startswith("medquad:")][:8]
        if not sids:
            return []
        qv = self.query_vector(query)
        qtypes = question_types(query) or {"information"}
        rows: list[tuple[int, Passage]] = []
        with self._lock:
            for sid in sids:
                rows += self.reader.answers_of(sid)
        if not rows:
            return []
        sims = self.reader.vectors[[v for v, _ in rows]] @ qv
        boost = self.settings.retrieval.qtype_boost * 10
        scored = sorted(
            (
                (float(s) + (boost if p.meta.get("qtype") in qtypes else 0.0), float(s), p)
                for (_, p), s in zip(rows, sims, strict=True)
            ),
            key=lambda t: t[0],
            reverse=True,
        )
        hits = []
        for score, sim, p in scored[:k]:
            src = self.reader.source(p.source_id)
            if src is not None:
                hits.append(Hit(passage=p, source=src, score=score, similarity=sim))
        return hits

    def _boost_focus(
        self, scores: dict[int, float], facts: dict[int, tuple[str, str | None]], frame: QuestionFrame, boost: float
    ) -> None:
        """Add `boost` to candidates from a source about the question's focus, and as much again when their MedQuAD
        question type is the type asked ("what causes X" meets X's "causes" answer)."""
        focus = frame.focus
        assert focus is not None
        sources = set(focus.sources) | ({f"kb:{focus.topic}"} if focus.topic else set())
        for r in scores:
            sid, qtype = facts.get(r, ("", None))
            if sid in sources:
                asked = MEDQUAD_QTYPES.get(qtype or "") == frame.qtype or (
                    frame.qtype == "general" and qtype == "information"
                )
                scores[r] += boost * (2.0 if asked else 1.0)

    # --- the two retrievers ----------------------------------------------------------------
    def lexical(self, terms: list[str], k: int, corpus: str | None = None) -> list[tuple[int, float]]:
        """(rowid, BM25 score) of the k passages best matching any of the terms (the index's FTS5 table)."""
        with self._lock:
            return self.reader.lexical(terms, k, corpus)

    def _mask(self, corpus: str) -> np.ndarray:
        if corpus not in self._masks:
            ids = self.reader.ids_by_vec_row()
            self._masks[corpus] = np.array([pid.startswith(corpus + ":") for pid in ids])
        return self._masks[corpus]

    def query_vector(self, query: str) -> np.ndarray:
        """The question's embedding, computed once for triage and dense search alike (a small per-process cache)."""
        qv = self._query_vectors.get(query)
        if qv is None:
            qv = self.embedder.encode([query])[0]
            if len(self._query_vectors) >= 256:
                self._query_vectors.clear()
            self._query_vectors[query] = qv
        return qv

    def dense(self, query: str, k: int, corpus: str | None = None) -> tuple[list[tuple[int, float]], np.ndarray]:
        qv = self.query_vector(query)
        sims = self.reader.vectors @ qv
        if corpus:
            sims = np.where(self._mask(corpus), sims, -2.0)
        k = min(k, len(sims))
        if k == 0:
            return [], qv
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return [(int(self.reader.rowid_of_vec[i]), float(sims[i])) for i in top if sims[i] > -2.0], qv

    def question_match(
        self, query: str, frame: QuestionFrame | None, k: int, corpus: str | None = None
    ) -> list[tuple[int, float]]:
        """(rowid, similarity) of the passages whose question best matches the user's, best first.

        The similarity is the larger of the question's cosine to the user's whole question and to its
        canonical form (focus and type, `canonical_question`); passages answering no known question are left out.
        """
        questions = self.reader.questions
        if k <= 0 or not len(questions):
            return []
        sims = questions @ self.query_vector(query)
        canonical = canonical_question(frame) if frame is not None else None
        if canonical and canonical.lower() != query.strip().lower():
            sims = np.maximum(sims, questions @ self.query_vector(canonical))
        of_vec = self.reader.question_of_vec
        per_row = np.where(of_vec >= 0, sims[np.maximum(of_vec, 0)], -2.0)
        if corpus:
            per_row = np.where(self._mask(corpus), per_row, -2.0)
        k = min(k, len(per_row))
        top = np.argpartition(-per_row, k - 1)[:k]
        top = top[np.argsort(-per_row[top], kind="stable")]
        return [(int(self.reader.rowid_of_vec[i]), float(per_row[i])) for i in top if per_row[i] > -2.0]

    # --- the whole stage (#11) --------------------------------------------------------------
    def retrieve(self, query: str, triage: Triage, audience: Audience = Audience.CLINICIAN) -> Retrieval:
        """Everything the answer is built from, found once (`medora.retrieval.result.retrieve`)."""
        return retrieve(self, query, triage, audience)

    # --- fusion ----------------------------------------------------------------------------
    def search(
        self, query: str, k: int = 20, *, topic_boost: bool = True, corpus: str | None = None
    ) -> tuple[list[Hit], Expansion]:
        """Fused hits, best first; `corpus` (e.g. "medquad") restricts results to one reader's passages."""
        rs = self.settings.retrieval
        exp = self.expand(query)
        lex = self.lexical(exp.terms + exp.added, rs.k_lexical, corpus)
        dense, _ = self.dense(query, rs.k_dense, corpus)
        frame = self.frame(query) if rs.k_question > 0 or rs.focus_boost else None
        matched = self.question_match(query, frame, rs.k_question, corpus)
        scores: dict[int, float] = {}
        lex_rank = {r: i for i, (r, _) in enumerate(lex)}
        dense_rank = {r: i for i, (r, _) in enumerate(dense)}
        question_rank = {r: i for i, (r, _) in enumerate(matched)}
        sim = dict(dense)
        for ranks, weight in ((lex_rank, 1.0), (dense_rank, 1.0), (question_rank, rs.question_weight)):
            for r, i in ranks.items():
                scores[r] = scores.get(r, 0.0) + weight / (rs.rrf_k + i + 1)
        qtypes = question_types(query) or {"information"}
        facts = self._row_facts(list(scores))
        for r in scores:
            sid, qtype = facts.get(r, ("", None))
            scores[r] += self._prior(sid)
            if qtype in qtypes:
                scores[r] += rs.qtype_boost
        if frame is not None and frame.focus is not None and rs.focus_boost:
            self._boost_focus(scores, facts, frame, rs.focus_boost)
        top = sorted(scores, key=scores.__getitem__, reverse=True)[: max(k * 2, k)]
        passages = self.reader.passages(top)
        hits = []
        for r in top:
            p = passages.get(r)
            if p is None:
                continue
            boost = rs.topic_boost if topic_boost and p.topic and p.topic in exp.topics else 0.0
            src = self.reader.source(p.source_id)
            if src is None:
                continue
            hits.append(
                Hit(
                    passage=p,
                    source=src,
                    score=scores[r] + boost,
                    lexical_rank=lex_rank.get(r),
                    dense_rank=dense_rank.get(r),
                    similarity=sim.get(r, 0.0),
                )
            )
        hits.sort(key=lambda h: h.score, reverse=True)
        return hits[:k], exp
