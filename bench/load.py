"""Load on `POST /api/ask` through real `medora serve --workers N` processes, on loopback only (#14).

    MEDORA_DATA_DIR=/path/with/index python bench/load.py [--workers 1 2] [--concurrency 1 4 16]
        [--requests 64] [--max-seconds 60] [--cache]

For each worker count it starts `medora serve` on a free 127.0.0.1 port (rate limit off, a throwaway
database so the real one is not touched, the answer cache off unless --cache), fires the fixed questions in
bench/questions.txt round-robin from a thread pool (httpx) at each concurrency, at most --requests requests
and --max-seconds seconds per run, and prints throughput, p50/p95/p99 latency and errors.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle
from pathlib import Path
from threading import Lock

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import percentile, questions  # noqa: E402

HOST = "127.0.0.1"  # loopback only: this script never sends load anywhere else


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(workers: int, db_dir: str, cache: bool) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "MEDORA_WEB__ASK_PER_MINUTE": "0",
        "MEDORA_WEB__ANSWER_CACHE_SIZE": os.environ.get("MEDORA_WEB__ANSWER_CACHE_SIZE", "256") if cache else "0",
        "MEDORA_DATABASE_URL": f"sqlite:///{db_dir}/load-{workers}.db",
    }
    cmd = [sys.executable, "-m", "medora.cli", "serve", "--workers", str(workers), "--host", HOST, "--port", str(port)]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if httpx.get(f"{base}/health", timeout=10).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise SystemExit(f"medora serve --workers {workers} did not become healthy")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def warm(base: str, workers: int) -> None:
    """Each worker loads the index on its first question: ask enough in parallel that all of them have."""
    with ThreadPoolExecutor(workers * 2) as pool:
        list(pool.map(lambda q: httpx.post(f"{base}/api/ask", json={"question": q}, timeout=120), ["gout?"] * 8))


def run(base: str, qs: list[str], concurrency: int, requests: int, max_seconds: float) -> dict:
    feed, lock = cycle(qs), Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + max_seconds

    def client_loop(n: int) -> None:
        with httpx.Client(timeout=60) as client:
            for _ in range(n):
                if time.monotonic() > deadline:
                    return
                with lock:
                    q = next(feed)
                t = time.perf_counter()
                try:
                    r = client.post(f"{base}/api/ask", json={"question": q, "audience": "clinician"})
                    ok, why = r.status_code == 200, str(r.status_code)
                except httpx.HTTPError as exc:
                    ok, why = False, type(exc).__name__
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if ok:
                        latencies.append(ms)
                    else:
                        errors[why] = errors.get(why, 0) + 1

    shares = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client_loop, shares))
    wall = time.perf_counter() - t0
    done = len(latencies) + sum(errors.values())
    return {
        "requests": done,
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": errors,
        "seconds": wall,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--requests", type=int, default=64, help="requests per (workers, concurrency) run")
    ap.add_argument("--max-seconds", type=float, default=60, help="time bound per run")
    ap.add_argument("--cache", action="store_true", help="leave the answer cache on (repeats become cache hits)")
    args = ap.parse_args()
    if not os.environ.get("MEDORA_DATA_DIR"):
        raise SystemExit("set MEDORA_DATA_DIR to a data folder with an index")
    qs = questions()
    print(f"{len(qs)} questions, {args.requests} requests or {args.max_seconds:.0f} s per run, cache {args.cache}")
    print("workers concurrency requests   ans/s    p50 ms   p95 ms   p99 ms  errors")
    with tempfile.TemporaryDirectory() as db_dir:
        for workers in args.workers:
            proc, base = start(workers, db_dir, args.cache)
            try:
                warm(base, workers)
                for c in args.concurrency:
                    r = run(base, qs, c, args.requests, args.max_seconds)
                    print(
                        f"{workers:7d} {c:11d} {r['requests']:8d} {r['rps']:7.1f} {r['p50']:9.0f} {r['p95']:8.0f} "
                        f"{r['p99']:8.0f}  {sum(r['errors'].values())} {r['errors'] or ''}",
                        flush=True,
                    )
            finally:
                stop(proc)


if __name__ == "__main__":
    main()
