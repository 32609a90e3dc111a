"""A learned second opinion for triage: small MLP heads on the MiniLM embedding of the question and the readers' features.

The explicit rules in triage/ are readable but miss emergencies phrased in ways nobody wrote a pattern for, and
raise alarms on education, past events and negated lists that merely name an emergency. Four heads read the
question embedding retrieval computes (plus the readers' features, the pattern rules' alarm among them): "needs
emergency care now", "self-harm risk", "a request to harm or misuse" and "not a medical question". The urgent
head decides urgency, weighing the rules' alarm with the wording: it adds emergencies the rules missed, and clears
a rule's alarm only below `rule_veto` (sure it is education, a past event or a negated list; at most 1% of the
training emergencies the rules catch fall below it, out of fold); a critical clinical value and self-harm stay
urgent whatever it says, and an emergency named in another language unless it is below `foreign_veto`. Below `calm_veto` it is sure nothing is
happening now, and no later stage may make the question urgent from its topic alone.

Trained by ``python -m medora.training.triage`` on the training cases (training/*.jsonl), the safety sets
already reported on, and real consumer questions as calm examples (MedQuAD question titles, K-QA, LiveQA and
MedicationQA questions, read in place from ../shared/data). Weights in data/triage_model.npz, thresholds and
cross-validated figures in data/triage_model.json; the current frozen set is never read by the trainer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from medora.settings import PACKAGE_DIR
from medora.text import plain, tidy
from medora.triage.situation import Asked, Situation, When, Who, current_critical, situation
from medora.triage.values import ClinicalValue, read_values
from medora.triage.wording import HEADS, Wording

WEIGHTS = PACKAGE_DIR / "data" / "triage_model.json"
# Thresholds and regularisation chosen on cross-validated probabilities (5 folds) of the rules + model
# combination over the house and dev cases (see bench/RESULTS.md and `python -m medora.triage_model`):
# lower thresholds buy recall with many more false alarms on negated and hypothetical questions.
URGENT_THRESHOLD = 0.9
# Under this non-medical probability a question is medical even when no rule knows its words (not tuned: the
# head's own midpoint; its refusal threshold, chosen in training, is far above).
MEDICAL_BELOW = 0.5
SELF_HARM_THRESHOLD = 0.3
# Educational, hypothetical and "warning signs" questions read like emergencies to an embedding: the model
# does not flag them (the explicit rules still can).
HYPOTHETICAL = re.compile(
    r"\b(hypothetic\w*|teaching|exam\b|osce|student|curious|in general|generally|"
    r"what (?:are|is) the (?:warning |early )?(?:signs?|symptoms?|features?|criteria)|"
    r"how (?:would|do|can) (?:someone|you|i|one) (?:tell|know|recogni[sz]e|spot)|what does .{0,40} mean|explain)\b"
)


@dataclass(frozen=True)
class MLP:
    """One head: a hidden layer of ReLU units over the embedding and the reader features, then a logistic unit."""

    w1: np.ndarray  # (inputs, hidden)
    b1: np.ndarray
    w2: np.ndarray  # (hidden,)
    b2: float

    def probs(self, x: np.ndarray) -> np.ndarray:
        h = np.maximum(0.0, x @ self.w1 + self.b1)
        return 1.0 / (1.0 + np.exp(-(h @ self.w2 + self.b2)))

    def arrays(self) -> dict[str, np.ndarray]:
        return {"w1": self.w1, "b1": self.b1, "w2": self.w2, "b2": np.array([self.b2])}


@dataclass(frozen=True)
class Head:
    net: MLP
    threshold: float

    @property
    def inputs(self) -> int:
        return int(self.net.w1.shape[0])

    def prob(self, vec: np.ndarray) -> float:
        return float(self.net.probs(vec[None, : self.inputs])[0])


@dataclass(frozen=True)
class TriageModel:
    urgent: Head
    self_harm: Head
    meta: dict
    refuse: Head | None = None  # "a request to harm or misuse": a learned harm reader
    non_medical: Head | None = None  # "not a medical question at all"
    # Below this urgent probability the model is sure nothing is happening now (at most 1% of the training
    # emergencies fall below it, out of fold): no later stage makes the question urgent from its topic (#12).
    calm_veto: float = 0.0
    # Below this urgent probability a pattern rule's alarm is cleared (chosen on those cases alone: at most 1% of
    # the training emergencies the rules catch fall below it, out of fold).
    rule_veto: float = 0.0
    # Below this urgent probability an emergency term in another language is cleared (chosen on those cases alone).
    foreign_veto: float = 0.0
    # At or above this harm probability a request is refused even without an English trace of harm.
    refuse_strict: float = 1.1
    # At or above this non-medical probability a question in another language is refused as not medical.
    non_medical_strict: float = 1.1
    # The wording reader's scores, inputs of every head after the embedding and the features (None: older model).
    wording: Wording | None = None
    # Trained with the multilingual encoder's vector as the last inputs (triage/multilingual.py).
    multilingual: bool = False

    def inputs(self, embedding: np.ndarray, feats: np.ndarray, text: str) -> np.ndarray:
        """One question's input vector: its MiniLM embedding, the readers' features and, as the model was trained,
        the wording scores and the multilingual vector of `text` (what the model embeds: `model_text`)."""
        from medora.triage import multilingual

        parts = [embedding, feats]
        if self.wording is not None:
            parts.append(self.wording.scores(text))
        if self.multilingual:
            parts.append(multilingual.vector(text))
        return np.concatenate(parts)

    def read(self, vec: np.ndarray) -> Reading:
        """Every head read once for one L2-normalised question embedding (with the readers' features).

        When the urgent and self-harm heads both fire, the likelier one names it: a missed heart attack must not
        get the crisis line instead of the emergency notice, nor a person at risk a generic one."""
        pu, ps = self.urgent.prob(vec), self.self_harm.prob(vec)
        urgent, self_harm = pu >= self.urgent.threshold, ps >= self.self_harm.threshold
        if urgent and self_harm:
            self_harm = ps >= pu
            urgent = not self_harm
        pr = self.refuse.prob(vec) if self.refuse is not None else 0.0
        pn = self.non_medical.prob(vec) if self.non_medical is not None else None
        return Reading(
            urgent=urgent,
            self_harm=self_harm,
            p_urgent=pu,
            refuse=self.refuse is not None and pr >= self.refuse.threshold,
            refuse_sure=pr >= self.refuse_strict,
            non_medical=pn is not None and self.non_medical is not None and pn >= self.non_medical.threshold,
            non_medical_sure=pn is not None and pn >= self.non_medical_strict,
            medical_sure=pn is not None and pn < MEDICAL_BELOW,
        )


@dataclass(frozen=True)
class Reading:
    """What the model's heads say of one question."""

    urgent: bool  # time-critical now (the urgent head at its threshold, and likelier than self-harm)
    self_harm: bool  # a person at risk of harming themselves
    p_urgent: float  # the urgent head's probability (the vetoes compare it with their own cuts)
    refuse: bool  # the harm head fires (refused only with an English trace of harm)
    refuse_sure: bool  # the harm head is sure (refused in any language)
    non_medical: bool  # the non-medical head fires
    non_medical_sure: bool  # ... at its strict threshold (for questions in other languages)
    medical_sure: bool  # the non-medical head is sure this is a medical question


def features(
    text: str,
    sit: Situation | None = None,
    values: list[ClinicalValue] | None = None,
    crit: list[ClinicalValue] | None = None,
    rule_alarm: bool | None = None,
    foreign_alarm: bool | None = None,
) -> np.ndarray:
    """What the readers see, as numbers the model weighs beside the embedding: clinical values (any, critical
    now), when (now, past, hypothetical), what is asked (education/reference/prevention; a general question),
    who (someone else or a patient; nobody in particular), and whether a pattern rule or an emergency term in
    another language raised an alarm. Triage passes what it has already read."""
    from medora.triage import language as lang
    from medora.triage.rules import apply_rules

    text = tidy(text)
    sit = sit if sit is not None else situation(text)
    values = values if values is not None else read_values(text)
    crit = crit if crit is not None else current_critical(text, values, sit)
    rule_alarm = rule_alarm if rule_alarm is not None else apply_rules(text).status == "urgent"
    foreign_alarm = foreign_alarm if foreign_alarm is not None else bool(lang.emergency_terms(text))
    return np.array(
        [
            bool(values),
            bool(crit),
            sit.when == When.NOW,
            sit.when == When.PAST,
            sit.when == When.HYPOTHETICAL,
            sit.asked in (Asked.EDUCATION, Asked.REFERENCE, Asked.PREVENTION),
            sit.general,
            sit.who in (Who.OTHER, Who.PATIENT),
            sit.who == Who.NOBODY,
            rule_alarm,
            foreign_alarm,
        ],
        dtype=np.float32,
    )


N_FEATURES = 11
N_WORDING = len(HEADS)  # one wording score per head


@lru_cache(maxsize=1)
def load(path: Path = WEIGHTS) -> TriageModel | None:
    """The committed heads: thresholds and figures in triage_model.json, weights beside it in triage_model.npz."""
    arrays = path.with_suffix(".npz")
    if not path.exists() or not arrays.exists():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    with np.load(arrays) as w:
        heads = {
            k: Head(MLP(w[f"{k}.w1"], w[f"{k}.b1"], w[f"{k}.w2"], float(w[f"{k}.b2"][0])), float(data[k]["threshold"]))
            for k in ("urgent", "self_harm", "refuse", "non_medical")
            if k in data
        }
    return TriageModel(
        heads["urgent"],
        heads["self_harm"],
        data.get("meta", {}),
        heads.get("refuse"),
        heads.get("non_medical"),
        float(data.get("calm_veto", 0.0)),
        float(data.get("rule_veto", 0.0)),
        float(data.get("foreign_veto", 0.0)),
        float(data.get("refuse_strict", 1.1)),
        float(data.get("non_medical_strict", 1.1)),
        _wording(arrays),
        bool(data.get("multilingual", False)),
    )


def _wording(arrays: Path) -> Wording | None:
    with np.load(arrays) as w:
        if "wording.ratios" not in w:
            return None
        return Wording(w["wording.ratios"].astype(np.float32), w["wording.mean"], w["wording.scale"])


PIECES = re.compile(r"[.;!?\n,]|\b(?:but|however|although|though|and then)\b")


def affirmed(question: str) -> str:
    """The question without what it negates, in the manner of NegEx: in each clause, everything from a
    negation cue to the clause's end goes ("a cough for a week but no fever, no chest pain" -> "a cough for
    a week"). The model reads this text, so listing the red flags one does not have raises no alarm."""
    from medora.triage.rules import NEGATION

    kept = []
    for piece in PIECES.split(plain(question)):
        m = NEGATION.search(piece)
        piece = piece[: m.start()] if m else piece
        if piece.strip():
            kept.append(piece.strip())
    return ", ".join(kept)


def model_text(question: str) -> str:
    """What the model embeds: the question itself, so the vector retrieval computes serves triage too (no second
    encode), unless it negates something; then the question without what it negates (`affirmed`)."""
    from medora.triage.rules import NEGATION

    if NEGATION.search(plain(question)):
        return affirmed(question) or question
    return question


# An everyday dosing question ("how many ibuprofen can I take in a day?"): the learned heads read "how many
# tablets" as overdose intent, so they alone never make it urgent or a self-harm case; the written self-harm and
# emergency rules still do, and any word of intent or harm, or of tablets already taken, keeps the model in play.
DOSING = re.compile(
    r"\bhow (?:many|much|often)\b.{0,60}\b(?:can|could|should|do|may|is it (?:ok|safe) to) (?:i|you|we|he|she|they|"
    r"my \w+|a \w+)\b.{0,25}\b(?:take|have|give|use|chew|drink)\b|\b(?:max(?:imum)?|safe|daily|usual) (?:daily )?dose\b"
)
INTENT = re.compile(
    r"\b(?:die|dying|dead|death|kill\w*|end (?:it|my|things)|wake up|overdos\w*|enough to|lethal|fatal|suicid\w*|"
    r"all of (?:them|it)|whole (?:box|bottle|pack)|hurt\w*|harm\w*|took|taken|swallowed|ate|ago|already)\b"
)


def dosing_question(question: str) -> bool:
    q = plain(question)
    return bool(DOSING.search(q)) and not INTENT.search(q)


def vetoed(question: str) -> bool:
    """The model alone may not flag this question: history, hypotheticals and teaching, or an everyday dosing question."""
    from medora.triage.rules import HISTORY_CONTEXT

    q = question.lower()
    return bool(HISTORY_CONTEXT.search(q) or HYPOTHETICAL.search(q)) or dosing_question(question)
