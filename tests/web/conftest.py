"""Web fixtures: an app on the session's real index with its own database, a live server, a browser."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from medora.settings import REPO_DIR, Settings
from medora.web.app import create_app
from medora.web.config import WebSettings

SEED_Q = "What is the initial approach to managing endplate vertebral body compression?"
ARTIFACTS = REPO_DIR / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def with_database(settings: Settings, path: Path) -> Settings:
    return settings.model_copy(update={"database_url": f"sqlite:///{path}"})


@pytest.fixture(scope="session")
def web_settings(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shared index, with a database of the web tests' own."""
    return with_database(index_settings, tmp_path_factory.mktemp("web-db") / "medora.db")


# The suite asks many questions from one test address: the per-address limits are tested on their own apps.
UNLIMITED = WebSettings(ask_per_minute=0, submit_per_hour=0)


@pytest.fixture(scope="session")
def client(web_settings: Settings) -> TestClient:
    return TestClient(create_app(web_settings, UNLIMITED))


@contextmanager
def serving(app: object) -> Iterator[str]:
    """Run `app` under uvicorn in a background thread on 127.0.0.1 and a free port; yield its base URL."""
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on its own database, served on loopback."""
    db = tmp_path_factory.mktemp("browser-db") / "medora.db"
    with serving(create_app(with_database(index_settings, db), UNLIMITED)) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def form_token(client: TestClient, path: str = "/") -> str:
    """The CSRF token a page's forms carry (and, as a side effect, this client's CSRF cookie)."""
    import re

    page = client.get(path, headers={"accept": "text/html"}).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, f"no CSRF field on {path}"
    return found.group(1)
