"""Turn stored answers into what the templates show: anchors, reference links, labels and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from medora.db import StoredAnswer
from medora.models import Answer, Bullet, Reference, Status
from medora.render import STATUS_BANNER, review_line, verification_line
from medora.text import alnum_words

REVIEW_STEPS = [("submitted", "Submitted"), ("under_review", "Under review"), ("approved", "Approved")]
STATUS_NOTES = {
    Status.INSUFFICIENT_EVIDENCE: "Not enough evidence: Medora found no source that answers this, "
    "so it gives no answer.",
    Status.OUT_OF_SCOPE: "Outside what Medora answers: no answer is given.",
}


def _words(text: str) -> set[str]:
    return {w for w in alnum_words(text) if len(w) > 2}


def long_date(t: datetime | str) -> str:
    if isinstance(t, str):
        try:
            return long_date(datetime.fromisoformat(t))
        except ValueError:
            return t
    return f"{t:%B} {t.day}, {t.year}"


def external_link(ref: Reference) -> tuple[str, str] | None:
    """(label, url) of the best public link: PubMed, else DOI, else the source's URL."""
    if ref.pmid:
        return "PubMed", f"https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/"
    if ref.doi:
        return "DOI", f"https://doi.org/{ref.doi}"
    if ref.url and ref.url.startswith(("https://", "http://")):  # never javascript: or file: from a document
        return "Source", ref.url
    return None


@dataclass
class ArticleView:
    """One answer on a page; anchors are prefixed so several answers can share a page (a thread)."""

    stored: StoredAnswer
    level: int = 1

    @property
    def answer(self) -> Answer:
        return self.stored.answer

    @property
    def prefix(self) -> str:
        return f"a-{self.stored.id}"

    @property
    def answered(self) -> bool:
        return self.answer.status in (Status.ANSWERED, Status.URGENT) and bool(self.answer.references)

    @property
    def status_note(self) -> str | None:
        if self.answered:
            return None
        return STATUS_NOTES.get(self.answer.status, STATUS_NOTES[Status.INSUFFICIENT_EVIDENCE])

    @property
    def verification(self) -> str | None:
        """How the answer was composed, when a language model was asked (issue #15)."""
        return verification_line(self.answer)

    @property
    def banner(self) -> str:
        return review_line(self.answer) if self.answer.review else STATUS_BANNER

    @property
    def review_step(self) -> str | None:
        if not self.answer.review:
            return None
        status = self.answer.review.status
        return "under_review" if status == "changes_requested" else status  # the reader sees three steps

    @property
    def last_updated(self) -> str:
        return long_date(self.answer.review.last_updated if self.answer.review else self.stored.created_at)

    def ref_anchor(self, n: int) -> str:
        return f"{self.prefix}-r{n}"

    def passage_anchor(self, n: int, k: int) -> str:
        return f"{self.prefix}-r{n}-p{k}"

    def cite_anchor(self, n: int, bullet: Bullet) -> str:
        """The passage of reference `n` this bullet states (by id), else the best word overlap, else the reference."""
        ref = next((r for r in self.answer.references if r.n == n), None)
        if ref is None or not ref.passages:
            return self.ref_anchor(n)
        ids = [p.id for p in ref.passages]
        for pid in bullet.passages:
            if pid in ids:
                return self.passage_anchor(n, ids.index(pid) + 1)
        words = _words(bullet.text)  # an edited bullet, or an answer stored before bullets named their passages
        scores = [len(words & _words(p.text)) / (len(words | _words(p.text)) or 1) for p in ref.passages]
        return self.passage_anchor(n, scores.index(max(scores)) + 1)

    def link(self, ref: Reference) -> tuple[str, str] | None:
        return external_link(ref)

    def type_class(self, ref: Reference) -> str:
        return ref.type.value.lower().replace(" ", "-")
