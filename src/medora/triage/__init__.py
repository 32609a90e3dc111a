"""Triage, once per question, before retrieval: emergencies first, refusals with a reason, languages.

    question -> language -> harm and misuse -> rules (emergencies, self-harm) -> clinical values
             -> situation (who, when, what is asked) -> learned second opinion (adds urgency, clears a
             pattern's false alarm when sure, refuses harm and non-medical requests) -> one Triage result

Urgency wins over "out of scope" and "not enough evidence", except that a request to harm someone else is
refused whatever it names; a person at risk of harming themselves always gets the crisis notice.

Usage example::

    t = triage("K 6.9 with peaked T waves on dialysis")
    t.status, t.labels     # Status.URGENT, ['critical value: potassium 6.9 mmol/L']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from medora.models import Audience, Status
from medora.text import tidy
from medora.triage import harm as harm_reader
from medora.triage import language as lang
from medora.triage.model import affirmed, dosing_question, features, model_text, vetoed
from medora.triage.model import load as load_model
from medora.triage.rules import HISTORY_CONTEXT, MANIPULATION, NEGATION, apply_rules
from medora.triage.rules import urgent_notice as _rules_notice
from medora.triage.situation import Asked, Situation, When, Who, current_critical, situation
from medora.triage.values import ClinicalValue, read_values

__all__ = ["Triage", "triage", "urgent_notice", "Situation", "Who", "When", "Asked", "NEGATION", "HISTORY_CONTEXT"]


@dataclass
class Triage:
    """What triage decided, and why: one typed result that later stages read and never change."""

    status: Status | None  # URGENT, OUT_OF_SCOPE, or None: go on to retrieval
    reasons: list[str] = field(
        default_factory=list
    )  # rule names: 'stroke', 'suicide', 'critical_value', 'harm:covert'...
    labels: list[str] = field(default_factory=list)  # how the notice names them
    medical: bool = True
    values: list[ClinicalValue] = field(default_factory=list)  # every clinical value read
    critical_values: list[ClinicalValue] = field(default_factory=list)
    situation: Situation = field(default_factory=lambda: Situation(Who.NOBODY, When.UNSTATED, Asked.OTHER))
    language: lang.Language = lang.ENGLISH
    refusal: str | None = None  # the short reason a request is refused
    # The learned model is sure nothing is happening now: no later stage may make the question urgent from its
    # topic alone, and a pattern rule's alarm was cleared (education, past or negated wording; #12).
    model_calm: bool = False

    @property
    def self_harm(self) -> bool:
        return "suicide" in self.reasons

    @property
    def clinical(self) -> bool:
        """The question carries clinical values or emergency features (never refused as unknown words)."""
        return bool(self.values) or self.status == Status.URGENT


def triage(
    question: str,
    embed: Callable[[str], np.ndarray] | None = None,
    names_drug: Callable[[str], bool] | None = None,
) -> Triage:
    """Decide once: urgent, refused (with a reason), or on to retrieval. `embed` gives the learned model its vector;
    `names_drug` says whether the question names a drug the library holds (then it is a medical question, refused
    as not medical only when the model is sure: "Tell me about Eliquis" had been refused)."""
    text = tidy(question)
    language = lang.detect(text)
    sit = situation(text)
    values = read_values(text)
    crit = current_critical(text, values, sit)
    rules = apply_rules(text)
    reasons, labels = list(rules.reasons), list(rules.labels)
    medical = rules.medical or bool(values) or (names_drug is not None and names_drug(text))
    if rules.status == "urgent" and "manipulation" in reasons:
        reasons.remove("manipulation")

    foreign = lang.emergency_terms(text)
    if lang.self_harm(affirmed(text)) and "suicide" not in reasons:
        reasons.insert(0, "suicide")
        labels.insert(0, "thoughts of suicide or self-harm")
    if "suicide" in reasons:  # never refused, whatever else the text says
        return Triage(Status.URGENT, reasons, labels, True, values, crit, sit, language)

    kind = harm_reader.harm(text) or ("misuse" if MANIPULATION.search(text.lower()) else None)
    current_emergency = rules.status == "urgent" or bool(crit) or bool(foreign)
    if kind and not (kind == "lethal_other" and current_emergency and sit.when == When.NOW):
        return Triage(
            Status.OUT_OF_SCOPE, [f"harm:{kind}"], [], False, values, crit, sit, language, harm_reader.reason(kind)
        )

    for label in foreign:
        if label not in labels:
            reasons.append("emergency_other_language")
            labels.append(label)
    for v in crit:
        reasons.append("critical_value")
        labels.append(f"critical value: {v.label}")
    rule_alarm = rules.status == "urgent"
    alarm = bool(reasons) and (rule_alarm or bool(crit) or bool(foreign))

    model = load_model()
    vec = None
    if model is not None and embed is not None:
        feats = features(text, sit, values, crit, rule_alarm, bool(foreign))
        said = model_text(question)
        vec = model.inputs(embed(said), feats, said)
    if model is None or vec is None:  # no embedding at hand: the readers alone decide
        if alarm and not (sit.general and not crit):
            return Triage(Status.URGENT, reasons, labels, True, values, crit, sit, language)
        if rules.status == "out_of_scope" and not values and language.english:
            return Triage(Status.OUT_OF_SCOPE, ["non_medical"], [], False, values, crit, sit, language)
        return Triage(None, [], [], medical or not language.english, values, crit, sit, language)

    if crit:  # a critical value now: urgent, always
        return Triage(Status.URGENT, reasons, labels, True, values, crit, sit, language)
    read = model.read(vec)  # each head read once
    if foreign and read.p_urgent >= model.foreign_veto:
        # an emergency named in another language, unless the model is sure it is asked about, not happening
        return Triage(Status.URGENT, reasons, labels, True, values, crit, sit, language)
    if read.refuse_sure or (read.refuse and harm_reader.has_harm_trace(text)):
        # the learned harm reader: wordings no pattern foresaw, with a trace of harm in the text (or, in any
        # language, when the harm head is sure)
        return Triage(
            Status.OUT_OF_SCOPE, ["harm:model"], [], False, values, crit, sit, language, harm_reader.reason("")
        )
    if read.self_harm and not dosing_question(text):
        return Triage(
            Status.URGENT, ["suicide"], ["thoughts of suicide or self-harm"], True, values, crit, sit, language
        )
    if rule_alarm and reasons and read.p_urgent >= model.rule_veto:
        # a pattern rule's alarm the model does not rule out: the rule names what it found
        return Triage(Status.URGENT, reasons, labels, True, values, crit, sit, language)
    if read.urgent and not vetoed(text) and not sit.general:  # an emergency no pattern foresaw
        labels = ["the question reads as time-critical"]
        return Triage(Status.URGENT, ["emergency_model"], labels, True, values, crit, sit, language)
    # A rule's alarm the model does not share (education, a past event, a negated list) is answered normally, red
    # flags first when the topic is an emergency.
    # In another language, or with a word the rules know as medical ("Which doctor should I see for vertigo?"),
    # the non-medical head refuses only when sure: wrongly refusing a patient costs more than answering small talk.
    if (read.non_medical_sure if not language.english or medical else read.non_medical) and not values:
        return Triage(Status.OUT_OF_SCOPE, ["non_medical"], [], False, values, crit, sit, language)
    if read.medical_sure:  # words no rule knows ("troponin", "Shingrix"): still a medical question
        medical = True
    elif rules.status == "out_of_scope" and not values and language.english:
        return Triage(Status.OUT_OF_SCOPE, ["non_medical"], [], False, values, crit, sit, language)
    calm = read.p_urgent < model.calm_veto  # sure nothing is happening now: no topic may escalate it later
    return Triage(None, [], [], medical or not language.english, values, crit, sit, language, model_calm=calm)


def urgent_notice(result: Triage, audience: Audience) -> str:
    """The emergency notice, naming what was found; a non-English question also gets the line in its language."""
    notice = _rules_notice(result, audience)  # type: ignore[arg-type]
    if not result.language.english:
        notice = f"{lang.notice(result.language)} {notice}"
    return notice
