"""A tiny real installation for the index lifecycle tests: one KB topic as the default corpus, one user document."""

from __future__ import annotations

from pathlib import Path

from medora.settings import REPO_DIR, Settings

TOPICS = ("musculoskeletal/osteoporotic-vertebral-compression-fracture.yaml",)
QUESTION = "What is the initial approach to managing endplate vertebral body compression?"
PROTOCOL = """# Protocol ZETA07QX: night-shift fall review

Every inpatient fall during the night shift gets a ZETA07QX review within 24 hours.

## Steps

The nurse in charge checks orthostatic blood pressure, reviews sedatives given after 22:00 and
records the review in the ward's falls register before the end of the shift.
"""


def tiny_install(tmp_path: Path) -> tuple[Settings, Path]:
    """Settings whose default corpus is one KB topic (no shared corpora), and a folder of the user's documents."""
    kb = tmp_path / "kb"
    for rel in TOPICS:
        (kb / rel).parent.mkdir(parents=True, exist_ok=True)
        (kb / rel).write_bytes((REPO_DIR / "knowledge" / rel).read_bytes())
    docs = tmp_path / "protocols"
    docs.mkdir()
    (docs / "zeta07qx.md").write_text(PROTOCOL, encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=kb, shared_dir=None)
    return settings, docs
