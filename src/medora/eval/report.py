"""Write a suite's Markdown report with PNG plots, and append its figures to the history file.

Layout under the output folder (default ./eval-reports, git-ignored):

    history.jsonl            one line per run: time, suite, version, command, figures
    <suite>/report.md        the latest report, with a "change since the previous run" table
    <suite>/<plot>.png
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from medora import __version__
from medora.eval.results import Plot, SuiteResult, Table

HISTORY = "history.jsonl"


def previous_run(out_root: Path, suite: str) -> dict | None:
    path = out_root / HISTORY
    if not path.exists():
        return None
    last = None
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue
        if row.get("suite") == suite:
            last = row
    return last


def append_history(out_root: Path, result: SuiteResult, command: str) -> dict:
    row = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "suite": result.suite,
        "version": __version__,
        "command": command,
        "figures": result.figures,
        "config": result.config,
    }
    out_root.mkdir(parents=True, exist_ok=True)
    with (out_root / HISTORY).open("a", encoding="utf-8") as f:
        f.write(json.dumps(row, default=str) + "\n")
    return row


def draw(plot: Plot, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(max(6.0, 0.45 * len(plot.labels) + 3), 4.2))
    if plot.kind == "hist":
        values = [v for v in plot.series.values() if v]
        ax.hist(
            values,
            bins=30,
            label=[k for k, v in plot.series.items() if v],
            alpha=0.75,
            histtype="stepfilled" if len(values) == 1 else "bar",
        )
    else:
        n = len(plot.series)
        width = 0.8 / max(n, 1)
        for i, (name, vals) in enumerate(plot.series.items()):
            xs = [j + (i - (n - 1) / 2) * width for j in range(len(vals))]
            ax.bar(xs, vals, width=width, label=name)
        ax.set_xticks(range(len(plot.labels)))
        crowded = len(plot.labels) > 5
        ax.set_xticklabels(plot.labels, rotation=35 if crowded else 0, ha="right" if crowded else "center")
    ax.set_title(plot.title)
    ax.set_xlabel(plot.xlabel)
    ax.set_ylabel(plot.ylabel)
    if len(plot.series) > 1:
        ax.legend()
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _cell(v: object) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def table_md(t: Table) -> list[str]:
    if not t.rows:
        return [f"### {t.title}", "", "(none)", ""]
    lines = [f"### {t.title}", "", "| " + " | ".join(_cell(h) for h in t.headers) + " |", "|" + "---|" * len(t.headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    return [*lines, ""]


def _delta(now: object, before: object) -> str:
    if isinstance(now, int | float) and isinstance(before, int | float):
        d = now - before
        return "=" if abs(d) < 1e-9 else f"{d:+.3g}"
    return "" if before is None else ("=" if now == before else f"was {before}")


def write_report(result: SuiteResult, out_root: Path, command: str) -> Path:
    """Render the report (plots first, so a missing matplotlib only loses the pictures) and log the run."""
    folder = out_root / result.suite
    folder.mkdir(parents=True, exist_ok=True)
    before = previous_run(out_root, result.suite)
    images, plot_note = [], None
    try:
        for p in result.plots:
            draw(p, folder / f"{p.name}.png")
            images.append(p)
    except ImportError:
        plot_note = "Plots skipped: matplotlib is not installed (it is a dependency of medora: reinstall with pip install -e .)."
    row = append_history(out_root, result, command)
    lines = [
        f"# Medora evaluation: {result.suite}",
        "",
        f"Run {row['time']} with medora {__version__}. Reproduce with:",
        "",
        "```bash",
        command,
        "```",
        "",
    ]
    prev = before["figures"] if before else {}
    lines += ["## Figures", "", "| figure | value | change since previous run |", "|---|---|---|"]
    lines += [f"| {k} | {v} | {_delta(v, prev.get(k)) if before else 'first run'} |" for k, v in result.figures.items()]
    lines.append("")
    if before:
        lines += [f"Previous run: {before['time']} (`{before.get('command', '')}`).", ""]
    for p in images:
        lines += [f"![{p.title}]({p.name}.png)", ""]
    if plot_note:
        lines += [plot_note, ""]
    for t in result.tables:
        lines += table_md(t)
    if result.notes:
        lines += ["## Notes", "", *[f"- {n}" for n in result.notes], ""]
    path = folder / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
