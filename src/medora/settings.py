"""One Settings object, with typed described fields and MEDORA_* environment overrides."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent.parent


def _find_shared() -> Path | None:
    """../shared/data beside the checkout (or beside the working directory)."""
    for base in (REPO_DIR, Path.cwd()):
        for cand in (base.parent / "shared" / "data", base / "shared" / "data"):
            if cand.is_dir():
                return cand
    return None


class RetrievalSettings(BaseModel):
    k_lexical: int = Field(60, description="candidates taken from the BM25 index")
    k_dense: int = Field(60, description="candidates taken from the vector index")
    rrf_k: int = Field(60, description="reciprocal-rank-fusion constant (Cormack et al. 2009)")
    type_prior: dict[str, float] = Field(
        default={
            "Guideline": 1.0,
            "Systematic review": 0.8,
            "Textbook": 0.75,
            "Research": 0.5,
            "Drug label": 0.5,
            "Patient information": 0.35,
        },
        description="evidence-type prior added (scaled by prior_weight) to the fused score",
    )
    prior_weight: float = Field(0.004, description="weight of the evidence-type prior in fused scores")
    recency_weight: float = Field(0.002, description="weight of the recency prior (newer sources first)")
    qtype_boost: float = Field(
        0.005, description="added when a FAQ-style passage's question type matches the question's intent"
    )
    # Question matching (#13 part 6), chosen on LiveQA first-answer score over a small grid (bench/RESULTS.md):
    # the focus-and-type boost helped (0.442 -> 0.481 from 0.03 up, a plateau to 0.1); the question-to-question
    # ranking lowered it at every weight tried (0.1 to 1.0) and K-QA did not move, so it is off by default.
    k_question: int = Field(
        0,
        description="candidates taken from question matching: passages whose question (MedQuAD's own, or a label "
        "section's or house statement's implicit one) is closest to the user's question or to its focus-and-type "
        "form; 0: off (the question vectors stay in the index)",
    )
    question_weight: float = Field(
        0.5, description="weight of the question-matching ranking in the fusion (BM25 and vectors weigh 1.0 each)"
    )
    focus_boost: float = Field(
        0.03,
        description="added to candidates from a source about the question's focus (its MedQuAD documents, drug "
        "labels or house topic), twice when their MedQuAD question type is the type asked; 0: off",
    )
    min_similarity: float = Field(0.34, description="below this best cosine similarity there is no evidence")
    k_hits: int = Field(20, description="hits retrieval hands to the composer")
    topic_boost: float = Field(0.02, description="added to the fused score of passages from a topic the question names")
    topic_similarity: float = Field(0.55, description="a topic leading the hits at this cosine is the answer's topic")
    non_medical_similarity: float = Field(
        0.45, description="a question with no medical words and no hit this close is not a medical question"
    )
    unknown_word_override: float = Field(
        0.8, description="a match this close answers even when the question names something the library lacks"
    )


class ComposeSettings(BaseModel):
    max_bullets: int = Field(28, description="most bullets in one answer")
    max_per_section: int = Field(6, description="most bullets in one section")
    dedupe_threshold: float = Field(0.8, description="token-set overlap above which two bullets are duplicates")


class GenerationSettings(BaseModel):
    """An OpenAI-compatible chat-completions server for the generative composer (issue #15); empty = none."""

    base_url: str = Field(
        "", description="server root, e.g. http://127.0.0.1:8080/v1 (vLLM, Ollama, llama.cpp); empty: no model"
    )
    model: str = Field("", description="model name sent with each request; empty: no model")
    api_key: SecretStr = Field(SecretStr(""), description="bearer token, if the server wants one")
    timeout_s: float = Field(30.0, description="seconds to wait for a reply before serving the extractive answer")
    max_tokens: int = Field(1024, description="most tokens the model may write per answer")
    temperature: float = Field(0.0, description="sampling temperature (0: as repeatable as the server allows)")
    response_format: Literal["json_schema", "json_object", "none"] = Field(
        "json_schema", description="how to ask for JSON; a server that refuses it is asked again with the next one"
    )
    max_passages: int = Field(8, description="most retrieved passages shown to the model")
    passage_chars: int = Field(1200, description="characters of each passage shown to the model")
    min_verified: int = Field(
        2, description="fewer verified bullets than this (bottom line included) serves the extractive answer"
    )

    @property
    def configured(self) -> bool:
        return bool(self.base_url.strip() and self.model.strip())


EXAMPLES = [
    "What is the initial approach to managing endplate vertebral body compression?",
    "How is uncomplicated cystitis treated?",
    "What is the first-line treatment for anaphylaxis?",
    "How is gout managed during a flare?",
    "When should a thyroid nodule be biopsied?",
]


class WebSettings(BaseModel):
    """Limits and page content of the web app (`Settings.web`; environment: MEDORA_WEB__<FIELD>)."""

    max_body_bytes: int = Field(default=64 * 1024, description="bodies over this are refused with 413")
    audience_cookie: str = Field(default="medora_audience", description="cookie that remembers clinician or patient")
    audience_cookie_days: int = Field(default=365, description="how long the audience choice is remembered")
    secure_cookies: bool = Field(
        default=False,
        description="mark cookies Secure even when the app sees plain HTTP "
        "(behind a TLS proxy without X-Forwarded-Proto); HTTPS requests always get Secure",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed "
        "(e.g. [\"127.0.0.1\"]); default none: the socket's address is the client's",
    )
    ask_per_minute: int = Field(
        default=60,
        ge=0,
        description="questions per client address per minute (/api/ask, /ask, follow-ups); 0: no limit",
    )
    submit_per_hour: int = Field(
        default=20, ge=0, description="anonymous submissions for review per client address per hour; 0: no limit"
    )
    answer_cache_size: int = Field(
        default=256,
        ge=0,
        description="recent answers to fresh questions kept per worker process, keyed by question, audience, "
        "mode, index version and review-library revision; 0: no cache",
    )
    requests_per_connection: int = Field(
        default=0,
        ge=0,
        description="close a keep-alive connection after this many requests so several worker processes share "
        "the work (`medora serve --workers N` sets 8 unless set); 0: never",
    )
    access_log_detail: bool = Field(
        default=False,
        description="log client addresses and full paths with query strings; default: method, route template "
        "(no ids), status and time only, since answer and thread URLs are capabilities to health questions",
    )
    hsts_seconds: int = Field(
        default=31_536_000,
        ge=0,
        description="Strict-Transport-Security max-age sent on HTTPS responses (or always with secure_cookies); 0: none",
    )
    examples: list[str] = Field(
        default_factory=lambda: list(EXAMPLES), description="example questions on the home page"
    )


class Settings(BaseSettings):
    """Everything configurable, with MEDORA_ environment overrides (nested with __)."""

    model_config = SettingsConfigDict(env_prefix="MEDORA_", env_nested_delimiter="__")

    data_dir: Path = Field(
        default=Path.home() / ".local" / "share" / "medora",
        description="where indexes and the database live",
    )
    shared_dir: Path | None = Field(
        default_factory=_find_shared, description="the shared public corpora (../shared/data)"
    )
    knowledge_dir: Path = Field(default=REPO_DIR / "knowledge", description="house knowledge-base topics")
    max_question_chars: int = Field(2000, description="longer questions are refused with a clear error")
    embed_batch: int = Field(64, description="sentences per embedding batch")
    embed_max_tokens: int = Field(128, description="tokens embedded per passage (MiniLM was trained on 128)")
    threads: int = Field(2, description="onnxruntime intra-op threads")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="search parameters")
    compose: ComposeSettings = Field(default_factory=ComposeSettings, description="answer-building parameters")
    generation: GenerationSettings = Field(
        default_factory=GenerationSettings, description="optional language model for generative answers"
    )
    web: WebSettings = Field(default_factory=WebSettings, description="the web app's limits and page content")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir")
    retention_days: int = Field(
        default=0,
        ge=0,
        description="`medora purge` deletes questions, answers and threads idle for longer than this many days "
        "(articles under review keep their own copy); 0: keep them until purged with --days",
    )

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def catalog_path(self) -> Path | None:
        return self.shared_dir / "catalog" / "guidelines.jsonl" if self.shared_dir else None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
