"""What a suite returns: headline figures, tables and plot specifications (rendered by report.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Sequence[Sequence[object]]  # read-only here, so a suite may pass list[list[str]] as it built it


@dataclass
class Plot:
    """A chart to draw: kind is "bar" (labels x values per series) or "hist" (values per series)."""

    name: str  # file stem, e.g. "latency"
    title: str
    kind: str
    series: dict[str, list[float]]
    labels: list[str] = field(default_factory=list)
    xlabel: str = ""
    ylabel: str = ""


@dataclass
class SuiteResult:
    suite: str
    figures: Mapping[str, float | int | str]  # the headline numbers, also appended to the history file
    tables: list[Table] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    config: dict[str, object] = field(default_factory=dict)

    def summary_lines(self) -> list[str]:
        return [f"{k}: {v}" for k, v in self.figures.items()]
