"""Render an Answer as Markdown or plain text (JSON is `answer.to_json_dict()`)."""

from __future__ import annotations

import textwrap

from medora.models import Answer, Reference

STATUS_BANNER = "Educational purpose only · pending human review"


def _cites(ns: list[int], style: str) -> str:
    if not ns:
        return ""
    return (" " + "".join(f"[^{n}]" for n in ns)) if style == "md" else " [" + ", ".join(map(str, ns)) + "]"


def _grade(grade: str | None, style: str) -> str:
    """The issuer's own grade as a small badge after the citations: ` `USPSTF B`` in Markdown, ` [USPSTF B]` in text."""
    if not grade:
        return ""
    return f" `{grade}`" if style == "md" else f" [{grade}]"


def _ref_line(r: Reference) -> str:
    bits = [f"{r.title}", r.source]
    if r.year:
        bits.append(str(r.year))
    ids = []
    if r.pmid:
        ids.append(f"PMID {r.pmid}")
    if r.doi:
        ids.append(f"doi:{r.doi}")
    if not ids and r.url:
        ids.append(r.url)
    return f"{r.type.value}: " + ". ".join(bits) + (". " + "; ".join(ids) if ids else "")


def review_line(a: Answer) -> str:
    if a.review and a.review.status == "approved":
        role = a.review.reviewer_role or "reviewer"
        return f"Approved by a {role} of Medora's medical advisory board · last updated {a.review.last_updated}"
    return STATUS_BANNER


def verification_line(a: Answer) -> str | None:
    """How the answer was composed, when a language model was asked (issue #15); None for a plain extractive one."""
    v = a.verification
    if v is None:
        return None
    if v.fallback:
        return f"Extractive answer: the language model's answer was not used ({v.reason})"
    return (
        f"Written with {v.model or 'a language model'}, every statement checked against its cited passages: "
        f"{v.kept} kept, {v.recited} re-cited, {v.dropped} dropped of {v.proposed} proposed"
    )


def to_markdown(a: Answer) -> str:
    out = [f"# {a.title}", "", f"_{review_line(a)}_", ""]
    if line := verification_line(a):
        out += [f"_{line}_", ""]
    if a.urgent_notice:
        out += [f"> **⚠ EMERGENCY:** {a.urgent_notice}", ""]
    out += [f"**{a.summary.text}**{_cites(a.summary.citations, 'md')}", ""]
    for s in a.sections:
        out.append(f"## {s.heading}")
        out.append("")
        if s.intro:
            out += [s.intro, ""]
        out += [f"- {b.text}{_cites(b.citations, 'md')}{_grade(b.grade, 'md')}" for b in s.bullets]
        out.append("")
    if a.references:
        out += ["## References", ""]
        out += [f"[^{r.n}]: {_ref_line(r)}" for r in a.references]
        out.append("")
    if a.follow_up_suggestions:
        out += ["## Follow-up questions", ""] + [f"- {q}" for q in a.follow_up_suggestions] + [""]
    out += ["---", f"_{a.disclaimer}_", ""]
    return "\n".join(out)


def to_text(a: Answer, width: int = 100) -> str:
    wrap = lambda t, ind="": textwrap.fill(t, width, initial_indent=ind, subsequent_indent=" " * len(ind))  # noqa: E731
    out = [a.title.upper(), review_line(a), *filter(None, [verification_line(a)]), ""]
    if a.urgent_notice:
        out += [wrap("EMERGENCY: " + a.urgent_notice), ""]
    out += [wrap(a.summary.text + _cites(a.summary.citations, "txt")), ""]
    for s in a.sections:
        out.append(s.heading)
        if s.intro:
            out.append(wrap(s.intro, "  "))
        out += [wrap(b.text + _cites(b.citations, "txt") + _grade(b.grade, "txt"), "  - ") for b in s.bullets]
        out.append("")
    if a.references:
        out.append("References")
        out += [wrap(_ref_line(r), f"  {r.n}. ") for r in a.references]
        out.append("")
    out.append(wrap(a.disclaimer))
    return "\n".join(out)
