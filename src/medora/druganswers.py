"""Drug questions are answered from the drug's FDA label, or told plainly that we have none (issue #13).

Retrieval finds the label passages (`medora.retrieval.labels.label_evidence`, part of `retrieve()`); this
composes the answer from them: the question's own words choose the sentences, the drug's names only when
nothing else does. When the question asks about a drug with no label, the answer says so and names it,
instead of guessing from other sources.

Usage example::

    found = engine.retrieve("Does Lexapro cause weight gain?", triage("Does Lexapro cause weight gain?"))
    answer = label_answer(found.label, question, query, Audience.CLINICIAN, found.shelf, settings)
"""

from __future__ import annotations

from medora.compose import Evidence, Library, compose, modifiers_of, not_answered
from medora.models import Answer, Audience, Status
from medora.retrieval.labels import ASPECT_TERMS, LabelEvidence, in_label_words
from medora.settings import Settings

__all__ = ["LabelEvidence", "label_answer"]


def label_answer(
    label: LabelEvidence, question: str, query: str, audience: Audience, library: Library, settings: Settings
) -> Answer:
    """The answer composed from the label's passages, or the plain "no label" answer."""
    if not label.hits:
        name = label.missing or "this medicine"
        reason = (
            f"We have no FDA label for {name} in the library, so we cannot answer from its prescribing "
            "information. A pharmacist can answer questions about it, and its current label is on DailyMed "
            "(https://dailymed.nlm.nih.gov)."
        )
        declined = not_answered(question, audience, Status.INSUFFICIENT_EVIDENCE, reason)
        return declined.model_copy(update={"title": f"No FDA label for {name} in the library"})
    answer: Answer | None = None
    for terms in _term_choices(label):
        # the label is the authority on its drug and its dosing sentences are often the fact asked: a patient gets
        # them all, in plainer words, rather than the few plainest (#13)
        ev = Evidence(
            question=question,
            standalone=query,
            hits=label.hits,
            terms=terms,
            modifiers=modifiers_of(query),
            brief=False,
            lead_sections=label.aspect.sections if label.aspect else (),
            asked=label.aspect.name if label.aspect else None,
        )
        answer = compose(ev, library, audience, settings.compose)
        if answer.references:
            return answer.model_copy(update={"title": label.title})
    assert answer is not None  # _term_choices returns at least one choice
    return answer


def _term_choices(label: LabelEvidence) -> list[list[str]]:
    """Words to choose the label's sentences by, most specific first. Every passage is about the drug, so its
    names go first ("Can I drink alcohol with lisinopril?" wants sentences on alcohol); if no sentence has
    the other words, the names come back, then the words naming the kind of question ("interactions")."""
    names = label.names
    rest = in_label_words([t for t in label.asked if t not in names])
    cues = [w for w in ASPECT_TERMS.get(label.aspect.name, ()) if w not in rest] if label.aspect else []
    # the question's own words lead; the label's words for the kind of question help only a bare question
    choices = [rest + cues, rest] if len(rest) <= 1 else [rest, rest + cues]
    choices += [label.terms, label.terms + cues]
    return [c for i, c in enumerate(choices) if c and c not in choices[:i]] or [label.terms]
