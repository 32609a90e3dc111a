"""Speed suite: latency percentiles and throughput of the CLI path and the HTTP path.

  * in-process: `ask()` after one warm-up question, sequentially, then with a small thread pool;
  * cold start: `medora ask` in a fresh Python process (import, index open, model load, answer);
  * HTTP: the web app through FastAPI's TestClient (in-process transport, no socket), when
    `medora.web.app.create_app` exists.
Timing is reported, never asserted: CI gates on quality only.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from medora.eval import metrics
from medora.eval.results import Plot, SuiteResult, Table
from medora.settings import Settings

COLD_RUNS = 5
WORKERS = 4


def _timed(fn: Callable[..., object], *args: object) -> float:
    t0 = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t0) * 1000


def in_process(settings: Settings, questions: list[str]) -> tuple[list[float], dict[str, float]]:
    from medora.qa import ask, get_engine

    engine = get_engine(settings)
    ask(questions[0], settings=settings, engine=engine)  # warm-up: lazy imports, caches

    def one(q: str) -> float:
        return _timed(lambda: ask(q, settings=settings, engine=engine))

    seq = [one(q) for q in questions]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(WORKERS) as pool:
        list(pool.map(one, questions))
    concurrent_qps = len(questions) / (time.perf_counter() - t0)
    return seq, {"concurrent_qps": round(concurrent_qps, 2)}


def cold_start(settings: Settings, question: str, runs: int = COLD_RUNS) -> list[float]:
    cmd = [
        sys.executable,
        "-m",
        "medora.cli",
        "--data-dir",
        str(settings.data_dir),
        "ask",
        "--quiet",
        "--format",
        "json",
        question,
    ]
    env = dict(os.environ)
    if settings.shared_dir is not None:
        env.setdefault("MEDORA_SHARED_DIR", str(settings.shared_dir))
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, check=False)
        out.append((time.perf_counter() - t0) * 1000)
        if proc.returncode != 0:
            raise RuntimeError(f"`medora ask` exited {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return out


def http(settings: Settings, questions: list[str]) -> tuple[list[float] | None, str]:
    """Latencies through the web app, or None and the reason it could not be measured."""
    try:
        from medora.web.app import create_app
    except ImportError as exc:
        return None, f"not available: medora.web.app.create_app cannot be imported ({exc})"
    from fastapi.testclient import TestClient

    # The web app stores every answer; keep evaluation questions out of the real database.
    tmp = tempfile.mkdtemp(prefix="medora-eval-")
    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp}/eval.db"}))
    client = TestClient(app)
    routes = [(path, sorted(m.upper() for m in ops)) for path, ops in app.openapi().get("paths", {}).items()]
    ask_routes = [(p, m) for p, m in routes if "ask" in p and "{" not in p]
    if not ask_routes:
        return None, f"not available: no ask route among {[p for p, _ in routes][:15]}"
    path, methods = sorted(ask_routes, key=lambda r: (not r[0].startswith("/api"), len(r[0])))[0]

    def call(q: str) -> int:
        body = {"question": q, "audience": "clinician"}
        resp = client.post(path, json=body) if "POST" in methods else client.get(path, params=body)
        return resp.status_code

    status = call(questions[0])
    if status >= 400:
        return None, f"not available: {path} answered HTTP {status} to a plain question"
    out = []
    for q in questions:
        t0 = time.perf_counter()
        call(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out, f"{'POST' if 'POST' in methods else 'GET'} {path} via TestClient"


def run(
    settings: Settings,
    questions: list[tuple[str, str]] | None = None,
    *,
    limit: int | None = None,
    cold_runs: int = COLD_RUNS,
    progress: bool = True,
) -> SuiteResult:
    from medora.eval.datasets import question_set

    qs = [q for q, _ in (questions if questions is not None else question_set("kqa", settings.shared_dir))]
    qs = qs[:limit] if limit else qs
    log = (lambda m: print(f"  speed: {m}", file=sys.stderr)) if progress else (lambda m: None)
    log(f"in-process ask() x {len(qs)}")
    seq, extra = in_process(settings, qs)
    log(f"HTTP x {len(qs)}")
    web, web_note = http(settings, qs)
    log(f"cold-start subprocess x {cold_runs}")
    cold = cold_start(settings, qs[0], cold_runs)
    rows = [
        ["ask() in-process", *metrics.latency_summary(seq).values()],
        ["`medora ask` cold start", *metrics.latency_summary(cold).values()],
    ]
    if web:
        rows.append(["HTTP (TestClient)", *metrics.latency_summary(web).values()])
    ip, cs = metrics.latency_summary(seq), metrics.latency_summary(cold)
    figures: dict[str, float | str] = {
        "ask_p50_ms": ip["p50_ms"],
        "ask_p95_ms": ip["p95_ms"],
        "ask_p99_ms": ip["p99_ms"],
        "ask_qps": ip["throughput_qps"],
        f"ask_qps_{WORKERS}_threads": extra["concurrent_qps"],
        "cold_start_p50_ms": cs["p50_ms"],
    }
    if web:
        hs = metrics.latency_summary(web)
        figures |= {
            "http_p50_ms": hs["p50_ms"],
            "http_p95_ms": hs["p95_ms"],
            "http_p99_ms": hs["p99_ms"],
            "http_qps": hs["throughput_qps"],
        }
    else:
        figures["http"] = "not available"
    series = {"ask() in-process": seq} | ({"HTTP": web} if web else {})
    return SuiteResult(
        suite="speed",
        figures=figures,
        tables=[
            Table(
                "Latency (ms) and sequential throughput (questions/s)",
                ["path", "n", "p50", "p95", "p99", "max", "q/s"],
                rows,
            )
        ],
        plots=[Plot("latency", "Latency per question", "hist", series, xlabel="milliseconds", ylabel="questions")],
        notes=[
            f"HTTP path: {web_note}.",
            f"Thread-pool throughput ({WORKERS} workers): {extra['concurrent_qps']} q/s.",
            f"Questions: {len(qs)}; onnxruntime threads: {settings.threads}; CPUs: {os.cpu_count()}.",
        ],
        config={"index": str(settings.index_dir), "cold_runs": cold_runs},
    )
