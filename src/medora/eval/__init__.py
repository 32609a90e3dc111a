"""The evaluation harness behind `medora eval <suite>` (issue #6).

Suites: liveqa (retrieval quality), kqa (comprehensiveness, contradiction proxy), citations, safety,
safety-heldout (the same measures on cases written without sight of the rules), readability and speed. Each calls the engine only through `ask()` or the search engine, reads the
benchmarks in place from ../shared/data/bench, and never writes to anything the engine learns from.
"""

from pathlib import Path

# Kept here (not in run.py) so the CLI can list the suites without importing numpy and the suites.
SUITE_NAMES = (
    "liveqa",
    "kqa",
    "citations",
    "safety",
    "safety-heldout",
    "safety-frozen",
    "safety-frozen2",
    "safety-frozen3",
    "safety-frozen4",
    "safety-frozen5",
    "medicationqa",
    "readability",
    "speed",
)
DEFAULT_OUT = Path("eval-reports")
