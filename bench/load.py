"""Load on `POST /api/ask` through real `medora serve --workers N` processes, on loopback only (#14).

    MEDORA_DATA_DIR=/path/with/index python bench/load.py [--workers 1 2] [--concurrency 1 4 16]
        [--requests 64] [--max-seconds 60] [--cache]

For each worker count it starts `medora serve` on a free 127.0.0.1 port (rate limit off, a throwaway
database so the real one is not touched, the answer cache off unless --cache), fires the fixed questions in
bench/questions.txt round-robin from a thread pool (http.client, keep-alive) at each concurrency, at most --requests requests
and --max-seconds seconds per run, and prints throughput, p50/p95/p99 latency and errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
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


def server_cpu(root: int) -> float:
    """CPU seconds used so far by the server process and every worker under it (from /proc; Linux only)."""
    stats: dict[int, tuple[int, float]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(d.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    tree, total = {root}, 0.0
    for _ in range(3):  # the server, its workers, and anything they start
        tree |= {pid for pid, (ppid, _) in stats.items() if ppid in tree}
    for pid in tree:
        total += stats.get(pid, (0, 0.0))[1]
    return total


def warm(base: str, workers: int) -> None:
    """Each worker loads the index on its first question: ask enough in parallel that all of them have."""
    with ThreadPoolExecutor(workers * 2) as pool:
        list(pool.map(lambda q: httpx.post(f"{base}/api/ask", json={"question": q}, timeout=120), ["gout?"] * 8))


def run(base: str, qs: list[str], concurrency: int, requests: int, max_seconds: float, server: int) -> dict:
    feed, lock = cycle(qs), Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    deadline = time.monotonic() + max_seconds

    host, port = base.removeprefix("http://").split(":")

    def client_loop(n: int) -> None:
        # http.client with one keep-alive connection per thread: a light client, so the load generator takes
        # as little as it can of the cores the server is measured on (httpx costs several times more per call)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        try:
            for _ in range(n):
                if time.monotonic() > deadline:
                    return
                with lock:
                    q = next(feed)
                body = json.dumps({"question": q, "audience": "clinician"}).encode()
                t = time.perf_counter()
                try:
                    conn.request("POST", "/api/ask", body, {"Content-Type": "application/json"})
                    r = conn.getresponse()
                    r.read()
                    ok, why = r.status == 200, str(r.status)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    ok, why = False, type(exc).__name__
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if ok:
                        latencies.append(ms)
                    else:
                        errors[why] = errors.get(why, 0) + 1
        finally:
            conn.close()

    shares = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]
    t0, cpu0, srv0 = time.perf_counter(), time.process_time(), server_cpu(server)
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client_loop, shares))
    wall, client_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    srv = server_cpu(server) - srv0
    done = len(latencies) + sum(errors.values())
    return {
        "requests": done,
        "rps": len(latencies) / wall,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "errors": errors,
        "seconds": wall,
        "client_cores": client_cpu / wall,  # the load generator's own share of the machine's cores
        "server_cores": srv / wall,  # cores the server kept busy: at os.cpu_count() it has no more to give
        "server_ms": 1000 * srv / max(1, len(latencies)),  # server CPU per answer
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
    print(f"{os.cpu_count()} cores; client and server on the same machine")
    print(
        "workers concurrency requests  ans/s  p50 ms  p95 ms  p99 ms  server cores  CPU ms/answer  client cores  errors"
    )
    with tempfile.TemporaryDirectory() as db_dir:
        for workers in args.workers:
            proc, base = start(workers, db_dir, args.cache)
            try:
                warm(base, workers)
                for c in args.concurrency:
                    r = run(base, qs, c, args.requests, args.max_seconds, proc.pid)
                    print(
                        f"{workers:7d} {c:11d} {r['requests']:8d} {r['rps']:6.1f} {r['p50']:7.0f} {r['p95']:7.0f} "
                        f"{r['p99']:7.0f}  {r['server_cores']:12.2f}  {r['server_ms']:13.1f}  {r['client_cores']:12.2f}  {sum(r['errors'].values())} {r['errors'] or ''}",
                        flush=True,
                    )
            finally:
                stop(proc)


if __name__ == "__main__":
    main()
