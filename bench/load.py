"""Load on `POST /api/ask` through real `medora serve --workers N` processes, on loopback only (#14).

    MEDORA_DATA_DIR=/path/with/index python bench/load.py [--workers 1 2] [--concurrency 1 4 16]
        [--requests 64] [--max-seconds 60] [--repeats 1] [--cache]

For each worker count it starts `medora serve` on a free 127.0.0.1 port (rate limit off, a throwaway
database so the real one is not touched, the answer cache off unless --cache), fires the fixed questions in
bench/questions.txt round-robin from a thread pool (http.client, keep-alive) at each concurrency, at most --requests requests
and --max-seconds seconds per run, and prints throughput, p50/p95/p99 latency and errors, the cores the server
kept busy, and how many answers each worker process served (each client connection is traced through /proc to
the worker holding its accepted socket). With --repeats R the worker counts take turns R times (1, 2, 1, 2...,
a fresh server each time, so a quiet or busy minute on the machine falls on both) and the summary gives each
setting's median and the median ratio of the last worker count's throughput to the first's.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
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


def start(workers: int, db_dir: str, cache: bool, name: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "MEDORA_WEB__ASK_PER_MINUTE": "0",
        "MEDORA_WEB__ANSWER_CACHE_SIZE": os.environ.get("MEDORA_WEB__ANSWER_CACHE_SIZE", "256") if cache else "0",
        "MEDORA_DATABASE_URL": f"sqlite:///{db_dir}/load-{name}.db",
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


def cpu_by_pid(pids: set[int]) -> dict[int, float]:
    """CPU seconds used so far by each of `pids` (from /proc; Linux only)."""
    out: dict[int, float] = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return out


def tree(root: int) -> set[int]:
    """The server process and every process under it (uvicorn's supervisor, its workers)."""
    parents: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                parents[int(d.name)] = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
    found = {root}
    for _ in range(3):
        found |= {pid for pid, ppid in parents.items() if ppid in found}
    return found


def worker_of(client_port: int, server_port: int, pids: set[int]) -> int | None:
    """The server process holding the accepted end of the loopback connection from `client_port` (Linux /proc)."""
    want = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        f = line.split()
        if (f[1], f[2]) == want:
            inode = f"socket:[{f[9]}]"
            break
    if inode is None:
        return None
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == inode:
                    return pid
            except OSError:
                continue
    return None


def warm(base: str, workers: int) -> None:
    """Each worker loads the index on its first question: ask enough in parallel that all of them have."""
    with ThreadPoolExecutor(workers * 2) as pool:
        list(pool.map(lambda q: httpx.post(f"{base}/api/ask", json={"question": q}, timeout=120), ["gout?"] * 8))


def run(base: str, qs: list[str], concurrency: int, requests: int, max_seconds: float, server: int) -> dict:
    feed, lock = cycle(qs), Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    served: Counter[int | None] = Counter()  # answers per worker pid (None: connection not traced)
    deadline = time.monotonic() + max_seconds

    host, port = base.removeprefix("http://").split(":")
    pids = tree(server)

    def client_loop(n: int) -> None:
        # http.client with one keep-alive connection per thread: a light client, so the load generator takes
        # as little as it can of the cores the server is measured on (httpx costs several times more per call)
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        owner: dict[int, int | None] = {}  # this thread's client port -> worker pid
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
                    cport = conn.sock.getsockname()[1] if conn.sock else 0
                    r = conn.getresponse()
                    r.read()
                    ok, why = r.status == 200, str(r.status)
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()
                    ok, why = False, type(exc).__name__
                ms = (time.perf_counter() - t) * 1000
                if ok and cport not in owner:  # once per connection, after its first answer: it is accepted by now
                    owner[cport] = worker_of(cport, int(port), pids)
                with lock:
                    if ok:
                        latencies.append(ms)
                        served[owner.get(cport)] += 1
                    else:
                        errors[why] = errors.get(why, 0) + 1
        finally:
            conn.close()

    shares = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]
    t0, cpu0, srv0 = time.perf_counter(), time.process_time(), cpu_by_pid(pids)
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(client_loop, shares))
    wall, client_cpu = time.perf_counter() - t0, time.process_time() - cpu0
    srv1 = cpu_by_pid(pids)
    per_pid = {pid: srv1.get(pid, 0.0) - srv0.get(pid, 0.0) for pid in pids}
    srv = sum(per_pid.values())
    busy = sorted((pid for pid in pids if per_pid[pid] > 0.05 * wall or served[pid]), key=lambda p: -served[p])
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
        # per worker process, most answers first: answers served and cores used (the supervisor uses ~0)
        "per_worker": [(served[pid], per_pid[pid] / wall) for pid in busy],
        "untraced": served[None],
    }


def row(workers: int, c: int, r: dict) -> str:
    split = "/".join(str(n) for n, _ in r["per_worker"]) + (f" +{r['untraced']}?" if r["untraced"] else "")
    cores = "/".join(f"{x:.2f}" for _, x in r["per_worker"])
    errors = f"{sum(r['errors'].values())} {r['errors'] or ''}".strip()
    return (
        f"{workers:7d} {c:11d} {r['requests']:8d} {r['rps']:6.1f} {r['p50']:7.0f} {r['p95']:7.0f} {r['p99']:7.0f}"
        f"  {r['server_cores']:12.2f}  {r['server_ms']:13.1f}  {r['client_cores']:12.2f}  {errors:6s}"
        f"  {split} ({cores})"
    )


def summary(results: dict[tuple[int, int], list[dict]], workers: list[int], concurrency: list[int]) -> None:
    """Medians over the repeats, and the median of the per-repeat throughput ratios (last / first worker count)."""
    print("\nmedians over repeats:")
    print("workers concurrency repeats  ans/s (each)                 p99 ms (each)")
    for w in workers:
        for c in concurrency:
            rs = results[(w, c)]
            each = " ".join(f"{r['rps']:.1f}" for r in rs)
            p99s = " ".join(f"{r['p99']:.0f}" for r in rs)
            med = statistics.median(r["rps"] for r in rs)
            print(
                f"{w:7d} {c:11d} {len(rs):7d}  {med:6.1f} ({each})  {statistics.median(r['p99'] for r in rs):.0f} ({p99s})"
            )
    if len(workers) > 1:
        lo, hi = workers[0], workers[-1]
        for c in concurrency:
            ratios = [b["rps"] / a["rps"] for a, b in zip(results[(lo, c)], results[(hi, c)], strict=True)]
            each = " ".join(f"{x:.2f}" for x in ratios)
            print(f"{hi} vs {lo} workers at concurrency {c}: median ratio {statistics.median(ratios):.2f}x ({each})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 4, 16])
    ap.add_argument("--requests", type=int, default=64, help="requests per (workers, concurrency) run")
    ap.add_argument("--max-seconds", type=float, default=60, help="time bound per run")
    ap.add_argument("--repeats", type=int, default=1, help="rounds over the worker counts, in turn")
    ap.add_argument("--cache", action="store_true", help="leave the answer cache on (repeats become cache hits)")
    args = ap.parse_args()
    if not os.environ.get("MEDORA_DATA_DIR"):
        raise SystemExit("set MEDORA_DATA_DIR to a data folder with an index")
    qs = questions()
    print(f"{len(qs)} questions, {args.requests} requests or {args.max_seconds:.0f} s per run, cache {args.cache}")
    print(f"{os.cpu_count()} cores; client and server on the same machine; load average {os.getloadavg()[0]:.2f}")
    print(
        "workers concurrency requests  ans/s  p50 ms  p95 ms  p99 ms  server cores  CPU ms/answer  client cores"
        "  errors  answers per worker (cores each)"
    )
    results: dict[tuple[int, int], list[dict]] = {(w, c): [] for w in args.workers for c in args.concurrency}
    with tempfile.TemporaryDirectory() as db_dir:
        for rep in range(args.repeats):
            for workers in args.workers:
                proc, base = start(workers, db_dir, args.cache, f"{workers}-{rep}")
                try:
                    warm(base, workers)
                    for c in args.concurrency:
                        r = run(base, qs, c, args.requests, args.max_seconds, proc.pid)
                        results[(workers, c)].append(r)
                        print(row(workers, c, r), flush=True)
                finally:
                    stop(proc)
    if args.repeats > 1:
        summary(results, args.workers, args.concurrency)


if __name__ == "__main__":
    main()
