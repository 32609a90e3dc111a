"""Shared fixtures: the real shared corpora, and one small real index built once per session."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from medora.settings import REPO_DIR, Settings

if TYPE_CHECKING:
    from medora.index.embedder import Embedder

SHARED = Path(os.environ.get("MEDORA_SHARED_DIR", REPO_DIR.parent / "shared" / "data"))
NCI_HP = "types-breast-hp-breast-treatment-pdq.md"
NCI_PATIENT_DIR = "cancer-types"


def need_shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared corpora not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def shared() -> Path:
    return need_shared()


@pytest.fixture(autouse=True)
def _no_network(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unit tests never reach the network (the browser tests use loopback only)."""
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("postgres"):
        return
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if isinstance(host, str) and not (
            host.startswith("127.") or host in {"localhost", "::1"} or host.startswith("/")
        ):
            raise RuntimeError(f"test tried to reach the network: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def small_corpus(shared: Path) -> list[Path]:
    """The house knowledge base plus a slice of each real shared format."""
    nci = shared / "corpus" / "nci"
    patient = sorted((nci / NCI_PATIENT_DIR).glob("*breast*"))[:2]
    return [
        REPO_DIR / "knowledge",
        shared / "corpus" / "medquad" / "5_NIDDK_QA",
        shared / "corpus" / "medquad" / "9_CDC_QA",
        nci / "pdq" / NCI_HP,
        *patient,
        shared / "corpus" / "uspstf",
        shared / "corpus" / "druglabels" / "druglabels-common.jsonl",  # 11 everyday drugs, 583 passages
    ]


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    from medora.ingest import ingest

    shared = need_shared()
    data_dir = tmp_path_factory.mktemp("medora-data")
    settings = Settings(data_dir=data_dir, shared_dir=shared)
    report = ingest(small_corpus(shared), settings, progress=False)
    assert not report.rejected, report.summary()
    return settings


@pytest.fixture(scope="session")
def engine(index_settings: Settings):  # noqa: ANN201
    from medora.qa import get_engine

    return get_engine(index_settings)


@pytest.fixture(scope="session")
def _minilm(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Embedder]:
    """The ONNX MiniLM graph, built once per session (a few seconds), and the embedder loaded from it."""
    from medora.index.embedder import Embedder

    cache = tmp_path_factory.mktemp("models")
    return cache, Embedder.load(cache)


@pytest.fixture(scope="session")
def models_cache(_minilm: tuple[Path, Embedder]) -> Path:
    """The folder holding the built graph, for every test that embeds without an index."""
    return _minilm[0]


@pytest.fixture(scope="session")
def embedder(_minilm: tuple[Path, Embedder]) -> Embedder:
    """One loaded MiniLM embedder for the session's tests without an index (each load opens an ONNX session)."""
    return _minilm[1]
