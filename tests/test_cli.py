"""The command line: JSON validates against the shared schema; help lists every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from medora.cli import build_parser
from medora.settings import REPO_DIR, Settings

pytestmark = pytest.mark.integration


def run(args: list[str], settings: Settings, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MEDORA_DATA_DIR": str(settings.data_dir)}
    return subprocess.run(
        [sys.executable, "-m", "medora.cli", *args], capture_output=True, text=True, env=env, input=stdin, timeout=120
    )


def test_ask_json_follows_the_schema(index_settings: Settings) -> None:
    out = run(["ask", "--format", "json", "How is uncomplicated cystitis treated?"], index_settings)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    schema = json.loads((REPO_DIR.parent / "shared" / "answer.schema.json").read_text())
    jsonschema.validate(data, schema)
    assert data["status"] == "answered" and data["references"]


def test_ask_markdown_has_sections_and_references(index_settings: Settings) -> None:
    out = run(
        [
            "ask",
            "--format",
            "markdown",
            "What is the initial approach to managing endplate vertebral body compression?",
        ],
        index_settings,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("\n## ") >= 6 and "## References" in out.stdout and "[^1]:" in out.stdout


def test_empty_question_exits_with_clear_error(index_settings: Settings) -> None:
    out = run(["ask", "   "], index_settings)
    assert out.returncode == 2 and "error: the question is empty" in out.stderr and "hint:" in out.stderr


def test_question_from_stdin(index_settings: Settings) -> None:
    out = run(["ask", "--format", "json"], index_settings, stdin="What are the symptoms of kidney stones?")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["question"].startswith("What are the symptoms")


def test_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for cmd in ("ingest", "ask", "kb", "serve", "user", "eval"):
        assert cmd in text


def test_ingest_reports_rejected_file(tmp_path: Path, index_settings: Settings) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<Document id='1'><QAPairs>", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    out = run(["ingest", "--quiet", str(bad)], settings)
    assert out.returncode == 3
    assert "files rejected: 1" in out.stdout and "bad.xml" in out.stdout


def test_user_accounts_from_the_command_line(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    out = run(
        ["user", "add", "jortiz", "--role", "reviewer", "--name", "Dr Jane Ortiz", "--password-stdin"],
        settings,
        stdin="a long enough passphrase\n",
    )
    assert out.returncode == 0, out.stderr
    assert "added jortiz (reviewer): Dr Jane Ortiz" in out.stdout
    again = run(["user", "add", "jortiz", "--password-stdin"], settings, stdin="another long passphrase\n")
    assert again.returncode == 2 and "already exists" in again.stderr
    short = run(["user", "add", "sam", "--role", "editor", "--password-stdin"], settings, stdin="short\n")
    assert short.returncode == 2 and "too short" in short.stderr
    assert run(["user", "disable", "jortiz"], settings).returncode == 0
    listed = run(["user", "list"], settings).stdout
    assert "jortiz" in listed and "disabled" in listed and "sam" not in listed
    assert run(["user", "add"], settings).returncode == 2  # argparse: a username is needed
    log = run(["user", "log", "jortiz"], settings).stdout.splitlines()
    assert [line.split()[3] for line in log] == ["add", "disable"] and all(" cli:" in line for line in log)
    from medora.review import open_review

    stored = open_review(settings).engine.connect().exec_driver_sql("SELECT password_hash FROM users").scalar_one()
    assert stored.startswith("$argon2id$") and "passphrase" not in stored
