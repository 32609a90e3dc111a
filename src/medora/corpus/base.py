"""What every reader returns, and the chunking readers share (sentences and spaces: `medora.text`)."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from medora.models import Passage, Source, Topic
from medora.text import clean_ws, sentences

__all__ = ["ReadResult", "clean_ws", "first_words", "load_yaml", "pack", "sentences"]

# libyaml's parser when PyYAML was built with it, else the pure-Python one: the same documents (checked on the 120
# house topics and the 1,425 NCI front matters), read 6-8 times faster
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> object:
    """`yaml.safe_load`, with libyaml's parser when there is one; raises `yaml.YAMLError` on a broken document."""
    return yaml.load(text, Loader=_YAML_LOADER)


@dataclass
class ReadResult:
    """The sources and passages one file yields, the synonyms its names teach query expansion, and the house
    topics it defines (ingest stores them as they come, knowing no reader's format)."""

    sources: list[Source] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # (term, expansion, origin), e.g. ("lexapro", "escitalopram", "druglabel")
    synonyms: list[tuple[str, str, str]] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)


def pack(paragraphs: list[str], target_words: int = 180, max_words: int = 320) -> list[str]:
    """Pack paragraphs into chunks of about target_words, splitting very long paragraphs."""
    chunks: list[str] = []
    cur: list[str] = []
    n = 0
    for para in paragraphs:
        words = len(para.split())
        if words > max_words:
            if cur:
                chunks.append("\n\n".join(cur))
                cur, n = [], 0
            sents = sentences(para)
            buf: list[str] = []
            m = 0
            for s in sents:
                buf.append(s)
                m += len(s.split())
                if m >= target_words:
                    chunks.append(" ".join(buf))
                    buf, m = [], 0
            if buf:
                chunks.append(" ".join(buf))
            continue
        if n and n + words > target_words:
            chunks.append("\n\n".join(cur))
            cur, n = [], 0
        cur.append(para)
        n += words
    if cur:
        chunks.append("\n\n".join(cur))
    return chunks


def first_words(text: str, n: int) -> str:
    words = text.split()
    return " ".join(words[:n])
