"""NCI PDQ summaries and cancer.gov pages: Markdown with YAML front matter.

Health-professional PDQ summaries (`-hp-` in the file name) are split by section; each section's
numbered reference list becomes Research sources with PMIDs, and the inline markers
`[[n](#cit/section_X.n)]` become the passage's citations, kept per sentence so an extracted
sentence cites exactly the studies its own markers name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from medora.corpus.base import ReadResult, clean_ws, first_words, load_yaml, pack
from medora.errors import SourceFileError
from medora.models import Passage, Source, SourceType

FRONT = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*$")
CIT_GROUP = re.compile(r"\[((?:\[\d+\]\(#cit/section_[\d.]+\)[,\s\-–]*)+)\]")
CIT_ONE = re.compile(r"\[(\d+)\]\(#cit/section_(\d+)\.(\d+)\)")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)")
REF_ITEM = re.compile(r"^(\d+)\.\s+(.*)$")
PMID_IN = re.compile(r"list_uids=(\d+)")
CARD = re.compile(r"\[(?:!\[[^\]]*\]\([^)]*\))?\s*\n[^\]]*\]\([^)]*\)", re.S)
SKIP_LINE = re.compile(r"^(\[Go to (Patient|Health Professional) Version\]|Credit:|Enlarge|\*\*Enlarge\*\*)", re.I)


def parse_front_matter(path: Path, raw: str) -> tuple[dict, str]:
    m = FRONT.match(raw)
    if not m:
        raise SourceFileError(path, "no YAML front matter (expected a leading --- block)")
    try:
        meta = load_yaml(m.group(1)) or {}
    except yaml.YAMLError as exc:
        raise SourceFileError(path, f"invalid YAML front matter: {str(exc).splitlines()[0]}") from exc
    if not isinstance(meta, dict):
        raise SourceFileError(path, "front matter is not a mapping")
    body = raw[m.end() :]
    if not meta.get("title"):
        h1 = re.search(r"^#\s+(\S.*)$", body, re.M)
        url_tail = str(meta.get("url") or "").rstrip("/").rsplit("/", 1)[-1]
        fallback = h1.group(1).strip() if h1 else url_tail.replace("-", " ").split(".")[0].capitalize()
        if not fallback:
            raise SourceFileError(path, "no title in the front matter, no # heading and no url")
        meta["title"] = fallback
    return meta, body


def parse_reference(line: str) -> tuple[str, str, int | None, str | None] | None:
    """'Authors: Title. Journal 41 (2): 145-56, 2000. [[PUBMED Abstract]](...)' -> parts."""
    m = REF_ITEM.match(line.strip())
    if not m:
        return None
    body = m.group(2)
    pmid = (PMID_IN.search(body) or [None, None])[1]
    body = re.sub(r"\s*\[\[PUBMED Abstract\]\].*$", "", body)
    body = LINK.sub(r"\1", body).strip()
    _, _, rest = body.partition(": ") if ": " in body else ("", "", body)
    title, _, tail = rest.partition(". ")
    years = re.findall(r"\b(19\d\d|20\d\d)\b", tail)
    journal = re.split(r"\s+\d|[,:;]", tail.strip(), maxsplit=1)[0].strip(" .") or "Journal article"
    return clean_ws(title).rstrip("."), journal, int(years[-1]) if years else None, pmid


def strip_markdown(text: str) -> str:
    text = IMAGE.sub("", text)
    text = LINK.sub(r"\1", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)_([^_]+)_(?!\w)", r"\1", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    return text


TOKEN = re.compile(r"\u27e6([^\u27e7]*)\u27e7")


def tokenize_citations(text: str) -> str:
    """Turn each marker group into a token like ⟦2.1 2.4 2.5⟧ that survives Markdown stripping."""

    def repl(m: re.Match[str]) -> str:
        refs: list[str] = []
        ones = list(CIT_ONE.finditer(m.group(1)))
        for i, one in enumerate(ones):
            sec, n = one.group(2), int(one.group(3))
            refs.append(f"{sec}.{n}")
            between = m.group(1)[one.end() : ones[i + 1].start()] if i + 1 < len(ones) else ""
            if "-" in between or "\u2013" in between:
                refs.extend(f"{sec}.{k}" for k in range(n + 1, int(ones[i + 1].group(3))))
        return "\u27e6" + " ".join(refs) + "\u27e7"

    return CIT_GROUP.sub(repl, text)


def extract_citations(text: str) -> tuple[str, list[tuple[int, list[tuple[str, int]]]]]:
    """Remove citation tokens; return clean text and (offset, [(section, n), ...]) for each."""
    out: list[str] = []
    marks: list[tuple[int, list[tuple[str, int]]]] = []
    pos = length = 0
    for m in TOKEN.finditer(text):
        chunk = text[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        refs = [(r.split(".")[0], int(r.split(".")[1])) for r in m.group(1).split() if "." in r]
        marks.append((length, refs))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), marks


def read_nci(path: Path) -> ReadResult:
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SourceFileError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise SourceFileError(path, f"cannot read: {exc.strerror}") from exc
    meta, body = parse_front_matter(path, raw)
    is_hp = "-hp-" in path.name
    title = re.sub(r"\s*-\s*NCI\s*$", "", str(meta["title"]))
    reviewed = str(meta.get("lastReviewed") or "") or None
    year = int(reviewed[:4]) if reviewed and reviewed[:4].isdigit() else None
    slug = path.stem
    if is_hp:
        title = re.sub(r"\s*\(PDQ®\)\s*$", "", title) + " (PDQ®), Health Professional Version"
    source = Source(
        id=f"nci:{slug}",
        type=SourceType.TEXTBOOK if is_hp else SourceType.PATIENT_INFORMATION,
        title=title,
        organization="PDQ® editorial boards, National Cancer Institute" if is_hp else "National Cancer Institute",
        year=year,
        url=meta["url"] if isinstance(meta.get("url"), str) else None,
        last_reviewed=reviewed,
        corpus="nci",
    )
    out = ReadResult([source])
    sections = _split_sections(body)
    ref_sources: dict[tuple[str, int], Source] = {}
    # First pass: reference lists, keyed by the section number their markers use.
    pending: list[tuple[list[str], str, str]] = []  # (heading path, paragraphs text, raw)
    seen_sec: list[str] = []
    for heads, lines in sections:
        if heads and heads[-1].lower() == "references":
            sec = seen_sec[-1] if seen_sec else "0"
            for line in lines:
                parsed = parse_reference(line)
                if parsed is None:
                    continue
                item = REF_ITEM.match(line.strip())
                assert item is not None  # parse_reference returned parts, so REF_ITEM matched this line
                n = int(item.group(1))
                rtitle, journal, ryear, pmid = parsed
                if not pmid or not rtitle:
                    continue
                ref_sources[(sec, n)] = Source(
                    id=f"pmid:{pmid}",
                    type=SourceType.RESEARCH,
                    title=rtitle,
                    organization=journal,
                    year=ryear,
                    pmid=pmid,
                    url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
                    corpus="nci",
                )
            continue
        text = "\n".join(lines)
        for one in CIT_ONE.finditer(text):
            if not seen_sec or seen_sec[-1] != one.group(2):
                seen_sec.append(one.group(2))
        pending.append((heads, text, ""))
    out.sources.extend({s.id: s for s in ref_sources.values()}.values())
    pos = 0
    for heads, text, _ in pending:
        text = CARD.sub("", text)  # multi-line link "cards" (related-news teasers) are not content
        paras = [p for p in (_clean_para(p) for p in re.split(r"\n\s*\n", text)) if p]
        if not paras:
            continue
        heading = " > ".join(h for h in heads if h)
        for chunk in pack(paras):
            chunk = "\n\n".join(
                clean_ws(para.replace("\n", " \n ")).replace(" \n ", "\n") for para in chunk.split("\n\n")
            )
            clean, marks = extract_citations(chunk)
            if len(clean.split()) < 8:
                continue
            cites = [source.id]
            per_sentence = []
            for offset, refs in marks:
                ids = [ref_sources[r].id for r in refs if r in ref_sources]
                if ids:
                    per_sentence.append((offset, ids))
                    cites.extend(i for i in ids if i not in cites)
            out.passages.append(
                Passage(
                    id=f"nci:{slug}#{pos}",
                    source_id=source.id,
                    heading=heading,
                    text=clean,
                    position=pos,
                    cites=cites,
                    embed_text=f"{heading}: {first_words(clean, 28)}",
                    meta={"marks": json.dumps(per_sentence)} if per_sentence else {},
                )
            )
            pos += 1
    return out


def _clean_para(p: str) -> str:
    lines = [ln for ln in p.splitlines() if ln.strip() and not SKIP_LINE.match(ln.strip())]
    return strip_markdown(tokenize_citations("\n".join(lines))).strip()


def _split_sections(body: str) -> list[tuple[list[str], list[str]]]:
    """Split Markdown into (heading path, lines) blocks; the two title headings are dropped."""
    blocks: list[tuple[list[str], list[str]]] = []
    path: list[str] = []
    cur: list[str] = []
    for line in body.splitlines():
        m = HEADING.match(line)
        if m:
            if cur:
                blocks.append((list(path), cur))
            level = len(m.group(1))
            name = strip_markdown(m.group(2)).strip()
            if level == 1:
                path = []
            else:
                path = path[: max(0, level - 2)] + [name]
                if level == 6:
                    path = path[:-1] + [name]
            cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append((list(path), cur))
    return blocks
