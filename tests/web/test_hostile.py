"""No 500 from any input (issue #14, audit M1/M2): surrogates, NUL, huge integers and non-ASCII digits.

Every request below once answered 500 (or stored text that broke later pages); each must now answer in the
4xx error shape, or succeed with clean text stored.
"""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from medora.settings import Settings
from medora.web.app import create_app
from medora.web.config import WebSettings
from tests.web.conftest import with_database

pytestmark = pytest.mark.integration
PASSWORD = "a long enough passphrase"
QUESTION = "How is gout managed during a flare?"
ERROR_KEYS = {"ok", "status", "error", "hint", "errors"}
BIG = 2**63


@pytest.fixture(scope="module")
def hostile(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    settings = with_database(index_settings, tmp_path_factory.mktemp("hostile-db") / "medora.db")
    app = create_app(settings, WebSettings(ask_per_minute=0, submit_per_hour=0))
    app.state.services.review.add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer")
    app.state.services.review.add_user("eddie", PASSWORD, "editor", "Eddie Editor")
    return TestClient(app)


@pytest.fixture(scope="module")
def article(hostile: TestClient) -> dict:
    answer = hostile.post("/api/ask", json={"question": QUESTION, "audience": "patient"}).json()
    r = hostile.post(f"/api/answers/{answer['id']}/submit")
    assert r.status_code in (200, 201), r.text
    return r.json()["article"]


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['token']}"}


def raw_json(client: TestClient, path: str, body: dict, headers: dict | None = None):  # noqa: ANN201
    """POST `body` as JSON with every "@S@" written as the escape of a lone surrogate, and "@0@" as NUL."""
    text = json.dumps(body).replace("@S@", "\\ud800").replace("@0@", "\\u0000")
    return client.post(path, content=text.encode(), headers={"content-type": "application/json", **(headers or {})})


def assert_client_error(r, *allowed: int) -> None:  # noqa: ANN001
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if allowed:
        assert r.status_code in allowed, (r.status_code, r.text[:300])
    if r.headers.get("content-type", "").startswith("application/json"):
        assert set(r.json()) == ERROR_KEYS


def test_a_surrogate_conversation_id_is_not_found(hostile: TestClient) -> None:
    r = raw_json(hostile, "/api/ask", {"question": "gout", "conversation_id": "@S@"})
    assert_client_error(r, 404)


@pytest.mark.parametrize("field", ["username", "password"])
def test_surrogates_in_sign_in_fields_are_a_failed_sign_in(hostile: TestClient, field: str) -> None:
    r = raw_json(hostile, "/api/login", {"username": "rita", "password": "x"} | {field: "ri@S@ta"})
    assert_client_error(r, 401)


def test_surrogates_in_comments_and_transitions_are_cleaned(hostile: TestClient, article: dict) -> None:
    rita = bearer(hostile, "rita")
    aid = article["id"]
    r = raw_json(hostile, f"/api/review/articles/{aid}/comments", {"body": "hi @S@ there@0@"}, rita)
    assert r.status_code == 201, r.text
    assert r.json()["comment"]["body"] == "hi \ufffd there"
    r = raw_json(hostile, f"/api/review/articles/{aid}/transitions", {"action": "start_review", "comment": "@S@"}, rita)
    assert r.status_code == 200, r.text
    assert hostile.get(f"/api/review/articles/{aid}", headers=rita).status_code == 200
    assert hostile.get(f"/review/articles/{aid}", headers={**rita, "accept": "text/html"}).status_code == 200


def test_a_surrogate_in_an_edit_never_poisons_the_article(hostile: TestClient, article: dict) -> None:
    eddie = bearer(hostile, "eddie")
    aid = article["id"]
    current = hostile.get(f"/api/review/articles/{aid}", headers=eddie).json()
    summary = current["bullets"][0]["text"]
    for text in (summary + " @S@", "Gout @S@ zzqx wibble flare"):  # high and low lexical support
        body = {"edits": [{"bullet": "summary", "text": text}], "note": "x@S@"}
        r = raw_json(hostile, f"/api/review/articles/{aid}/versions", body, eddie)
        assert r.status_code < 500, r.text
    for path in (f"/api/articles/{aid}", f"/articles/{aid}", f"/api/review/articles/{aid}/diff"):
        assert hostile.get(path, headers=eddie).status_code == 200, path
    assert hostile.get(f"/review/articles/{aid}/edit", headers={**eddie, "accept": "text/html"}).status_code == 200
    versions = hostile.get(f"/api/review/articles/{aid}", headers=eddie).json()["versions"]
    assert all("\ud800" not in (v.get("note") or "") for v in versions)


@pytest.mark.parametrize(
    "query",
    [f"from={BIG}", f"to={BIG}", f"from=1&to={BIG}", "from=99999999999999999999", f"v={BIG}", "from=%C2%B2", "to=٣"],
)
def test_huge_and_non_ascii_integers_in_queries_are_refused(hostile: TestClient, article: dict, query: str) -> None:
    rita = bearer(hostile, "rita")
    path = "diff" if not query.startswith("v=") else ""
    r = hostile.get(f"/api/review/articles/{article['id']}/{path}?{query}".replace("/?", "?"), headers=rita)
    assert_client_error(r, 422)


def test_a_huge_base_version_is_refused(hostile: TestClient, article: dict) -> None:
    eddie = bearer(hostile, "eddie")
    body = {"edits": [{"bullet": "summary", "text": "x"}], "base_version": BIG}
    r = hostile.post(f"/api/review/articles/{article['id']}/versions", json=body, headers=eddie)
    assert_client_error(r, 422)


@pytest.mark.parametrize("base", ["²", "٣", "99999999999999999999", str(BIG), "-1", "1e3"])
def test_the_edit_form_accepts_only_ascii_version_numbers(hostile: TestClient, article: dict, base: str) -> None:
    r = hostile.post("/login", data={"username": "eddie", "password": PASSWORD, "csrf_token": _token(hostile)})
    assert r.status_code in (200, 303)
    token = _token(hostile, f"/review/articles/{article['id']}/edit")
    r = hostile.post(
        f"/review/articles/{article['id']}/edit",
        data={"csrf_token": token, "base_version": base, "text:summary": "Gout flares are treated early."},
        headers={"accept": "text/html"},
        follow_redirects=False,
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    hostile.post("/logout", data={"csrf_token": _token(hostile)})


def test_a_nul_in_the_path_is_refused(hostile: TestClient) -> None:
    assert_client_error(hostile.get("/api/answers/ab%00cd"), 400)
    assert_client_error(hostile.get("/api/conversations/%00"), 400)


def test_a_nul_in_the_query_is_dropped(hostile: TestClient) -> None:
    r = hostile.get("/api/library?q=go%00ut")
    assert r.status_code == 200 and r.json()["q"] == "gout"


def _token(client: TestClient, path: str = "/login") -> str:
    page = client.get(path, headers={"accept": "text/html"}).text
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, path
    return found.group(1)
