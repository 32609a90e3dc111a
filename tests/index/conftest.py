"""Index lifecycle fixtures: tiny installations that share one built embedding model."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from medora.settings import Settings
from tests.index.tiny import tiny_install


@pytest.fixture
def tiny(tmp_path: Path, models_cache: Path) -> Callable[[], tuple[Settings, Path]]:
    def make() -> tuple[Settings, Path]:
        settings, docs = tiny_install(tmp_path)
        (settings.data_dir / "models").mkdir(parents=True)
        for f in models_cache.iterdir():
            (settings.data_dir / "models" / f.name).hardlink_to(f)
        return settings, docs

    return make
