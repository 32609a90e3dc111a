"""Evidence grades (#10): the issuer's own label travels from the topic file to the bullet, the JSON and every render."""

from __future__ import annotations

import json

import jsonschema
import pytest

from medora.qa import ask
from medora.render import to_markdown, to_text
from medora.settings import REPO_DIR, Settings

pytestmark = pytest.mark.integration


def test_graded_statements_show_their_grade(index_settings: Settings, engine: object) -> None:
    answer = ask("How is uncomplicated cystitis treated?", settings=index_settings, engine=engine)  # type: ignore[arg-type]
    graded = [b for s in answer.sections for b in s.bullets if b.grade]
    assert graded, "the cystitis topic grades its recommendations; at least one bullet must carry a grade"
    b = graded[0]
    assert f"`{b.grade}`" in to_markdown(answer)
    assert f"[{b.grade}]" in " ".join(to_text(answer).split())
    schema = json.loads((REPO_DIR.parent / "shared" / "answer.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(answer.to_json_dict(), schema)
    ungraded = [b for s in answer.sections for b in s.bullets if not b.grade]
    assert all(b.grade is None for b in ungraded)  # no label is invented where the source gives none
