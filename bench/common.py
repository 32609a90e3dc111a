"""Helpers shared by the bench scripts: settings from the environment, percentiles."""

from __future__ import annotations

import os
from pathlib import Path

from medora.settings import Settings

HERE = Path(__file__).resolve().parent


def settings() -> Settings:
    """MEDORA_DATA_DIR chooses the index; the default is the same as the CLI's."""
    return Settings(data_dir=Path(os.environ["MEDORA_DATA_DIR"])) if os.environ.get("MEDORA_DATA_DIR") else Settings()


def questions() -> list[str]:
    lines = (HERE / "questions.txt").read_text(encoding="utf-8").splitlines()
    return [q.strip() for q in lines if q.strip() and not q.startswith("#")]


def percentile(values: list[float], p: float) -> float:
    xs = sorted(values)
    if not xs:
        return float("nan")
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
