"""`medora serve --workers 2`: two processes over one database and index answer concurrent questions (#14)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from medora.settings import Settings

pytestmark = pytest.mark.integration
QUESTIONS = [
    "How is uncomplicated cystitis treated?",
    "What is the first-line treatment for anaphylaxis?",
    "How is gout managed during a flare?",
    "When should a thyroid nodule be biopsied?",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(c) for c in (task / "children").read_text().split()}
    return found


def wait_healthy(base: str, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        try:
            if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError("the server did not become healthy")


def test_two_workers_answer_concurrent_questions_and_stop_cleanly(index_settings: Settings) -> None:
    port = free_port()
    env = {
        **os.environ,
        "MEDORA_DATA_DIR": str(index_settings.data_dir),
        "MEDORA_SHARED_DIR": str(index_settings.shared_dir),
        "MEDORA_WEB__ASK_PER_MINUTE": "0",
    }
    cmd = [sys.executable, "-m", "medora.cli", "serve", "--workers", "2", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc)
        workers = children(proc.pid)
        assert len([p for p in workers if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]) == 2

        def ask(q: str) -> httpx.Response:
            with httpx.Client(timeout=60) as client:  # one connection each, so the kernel spreads them
                return client.post(f"{base}/api/ask", json={"question": q, "audience": "clinician"})

        with httpx.Client(timeout=60) as client:  # one keep-alive connection, reopened after 8 requests
            closes = [client.get(f"{base}/health").headers.get("connection") for _ in range(9)]
        assert closes == [None] * 7 + ["close", None]

        with ThreadPoolExecutor(8) as pool:
            replies = list(pool.map(ask, QUESTIONS * 4))
        assert [r.status_code for r in replies] == [200] * len(replies)
        assert all(r.json()["references"] for r in replies if "cystitis" in r.json()["question"])
        # every question started its own thread in the one shared database, whichever worker answered
        assert len({r.json()["conversation_id"] for r in replies}) == len(replies)
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert out.count("Started server process") >= 2
    assert "Traceback" not in out, out
