"""Run one evaluation suite by name, print its figures and write its report.

Usage example::

    from medora.eval.run import run_suite
    result, report = run_suite("safety", settings, out_root=Path("eval-reports"))
    result.figures["urgent_recall"]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from medora.errors import InvalidRequest
from medora.eval import DEFAULT_OUT, SUITE_NAMES, citations, kqa, liveqa, medicationqa, readability, safety, speed
from medora.eval.report import write_report
from medora.eval.results import SuiteResult
from medora.settings import Settings

SUITES: dict[str, Callable[..., SuiteResult]] = {
    "liveqa": liveqa.run,
    "kqa": kqa.run,
    "citations": citations.run,
    "safety": safety.run,
    "safety-heldout": safety.run_heldout,
    "safety-frozen": safety.run_frozen,
    "safety-frozen2": safety.run_frozen2,
    "safety-frozen3": safety.run_frozen3,
    "safety-frozen4": safety.run_frozen4,
    "safety-frozen5": safety.run_frozen5,
    "medicationqa": medicationqa.run,
    "readability": readability.run,
    "speed": speed.run,
}
assert tuple(SUITES) == SUITE_NAMES, "keep medora.eval.SUITE_NAMES in step with the dispatch table"


def run_suite(
    name: str,
    settings: Settings,
    *,
    out_root: Path = DEFAULT_OUT,
    limit: int | None = None,
    command: str = "",
    progress: bool = True,
) -> tuple[SuiteResult, Path]:
    if name not in SUITES:
        raise InvalidRequest(f"unknown evaluation suite {name!r}; choose from {', '.join(SUITES)}")
    if progress:
        print(f"running {name} against the index in {settings.index_dir}", file=sys.stderr)
    result = SUITES[name](settings, limit=limit, progress=progress)
    report = write_report(result, out_root, command or f"medora eval {name}")
    return result, report
