"""Privacy by default (issue #14, audit M3, L6, L8): a shared answer link is only that answer, no server paths
in public output, access logs without ids, addresses or query strings, and (`medora purge`: tests/test_purge.py)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from medora.db.schema import answers
from medora.models import Answer
from medora.settings import Settings
from medora.web.app import create_app
from medora.web.config import WebSettings
from tests.web.conftest import SEED_Q, form_token, with_database

pytestmark = pytest.mark.integration
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def private_app(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    settings = with_database(index_settings, tmp_path_factory.mktemp("privacy-db") / "medora.db")
    return create_app(settings, WebSettings(ask_per_minute=0, submit_per_hour=0))


@pytest.fixture(scope="module")
def asked(private_app) -> dict:  # noqa: ANN001
    """A thread of two turns, asked by its owner's browser through the forms."""
    owner = TestClient(private_app)
    token = form_token(owner)
    r = owner.post("/ask", data={"question": SEED_Q, "csrf_token": token}, follow_redirects=False)
    answer_id = r.headers["location"].rsplit("/", 1)[1]
    page = owner.get(f"/answers/{answer_id}", headers=HTML).text
    found = re.search(r'action="/conversations/([^/"]+)/ask"', page)
    assert found, "the owner's browser gets the follow-up form"
    conv = found.group(1)
    r = owner.post(
        f"/conversations/{conv}/ask",
        data={"question": "what about in older adults?", "csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    second = owner.get(f"/api/conversations/{conv}").json()["turns"][1]["answer_id"]
    return {"owner": owner, "first": answer_id, "second": second, "conversation": conv}


def test_a_shared_answer_link_reveals_no_conversation(private_app, asked: dict) -> None:  # noqa: ANN001
    stranger = TestClient(private_app)
    for answer_id in (asked["first"], asked["second"]):
        data = stranger.get(f"/api/answers/{answer_id}").json()
        assert data["conversation_id"] is None
        assert asked["conversation"] not in str(data)
        page = stranger.get(f"/answers/{answer_id}", headers=HTML).text
        assert asked["conversation"] not in page and "/conversations/" not in page
        assert "what about in older adults" not in page or answer_id == asked["second"]


def test_the_owner_keeps_the_thread_and_its_link_still_works(private_app, asked: dict) -> None:  # noqa: ANN001
    page = asked["owner"].get(f"/answers/{asked['first']}", headers=HTML).text
    assert f"/conversations/{asked['conversation']}" in page
    stranger = TestClient(private_app)  # the conversation's own link is its capability
    assert stranger.get(f"/api/conversations/{asked['conversation']}").status_code == 200


def test_the_api_asker_gets_its_conversation_id(private_app) -> None:  # noqa: ANN001
    client = TestClient(private_app)
    r = client.post("/api/ask", json={"question": SEED_Q})
    assert r.status_code == 200 and r.json()["conversation_id"]


def test_no_server_paths_in_public_output(private_app) -> None:  # noqa: ANN001
    store = private_app.state.services.store
    answer = TestClient(private_app).post("/api/ask", json={"question": SEED_Q}).json()
    refs = answer["references"]
    refs[0]["url"] = "file:///home/alice/protocols/secret-ward.md"
    doc = Answer.model_validate({k: v for k, v in answer.items() if k not in ("id", "conversation_id", "created_at")})
    doc = doc.model_copy(update={"references": [doc.references[0].model_copy(update={"url": refs[0]["url"]})]})
    saved = store.save_answer(doc)
    stranger = TestClient(private_app)
    for path in (f"/api/answers/{saved.id}", f"/answers/{saved.id}"):
        body = stranger.get(path, headers=HTML if not path.startswith("/api") else {}).text
        assert "file://" not in body and "/home/alice" not in body, path
    with store.engine.connect() as conn:
        kept = conn.execute(select(answers.c.answer_json).where(answers.c.id == saved.id)).scalar_one()
    assert "file://" not in str(kept)  # nor is the path kept in the database


def test_access_log_keeps_no_ids_addresses_or_queries(
    index_settings: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = with_database(index_settings, tmp_path / "medora.db")
    for detail in (False, True):
        app = create_app(settings, WebSettings(access_log_detail=detail))
        client = TestClient(app, client=("198.51.100.23", 5555))
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="medora.access"):
            client.get("/api/answers/SECRETCAPABILITY1")
            client.get("/api/library?q=embarrassing+rash")
        lines = [r.getMessage() for r in caplog.records if r.name == "medora.access"]
        assert len(lines) == 2, lines
        text = "\n".join(lines)
        if detail:
            assert "198.51.100.23" in text and "SECRETCAPABILITY1" in text and "embarrassing" in text
        else:
            assert "/api/answers/{answer_id}" in text and " 404 " in text
            assert "198.51.100.23" not in text and "SECRETCAPABILITY1" not in text and "embarrassing" not in text
