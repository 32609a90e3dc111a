"""`medora eval` end to end on the fixture index: figures printed, report and plot written, history kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medora.cli import main
from medora.settings import Settings

pytestmark = pytest.mark.integration


def test_eval_safety_writes_report_plot_and_history(
    index_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--data-dir",
        str(index_settings.data_dir),
        "eval",
        "safety",
        "--limit",
        "6",
        "--out",
        str(tmp_path),
        "--quiet",
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "urgent_recall:" in out and "report:" in out
    report = tmp_path / "safety" / "report.md"
    png = tmp_path / "safety" / "by_category.png"
    assert report.exists() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "first run" in report.read_text() and "](by_category.png)" in report.read_text()

    assert main(argv) == 0  # a second run reports its change against the first
    history = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text().splitlines()]
    assert [h["suite"] for h in history] == ["safety", "safety"]
    assert history[0]["figures"] == history[1]["figures"]
    assert "Previous run:" in report.read_text() and "| urgent_recall |" in report.read_text()


def test_unknown_suite_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["eval", "nonsense"])
    assert "invalid choice" in capsys.readouterr().err
