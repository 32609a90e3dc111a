"""The editorial review loop over HTTP (in-process, real index, real SQLite): API and forms, and its security."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from medora.review import ReviewStore
from medora.settings import Settings
from medora.web.app import create_app
from tests.web.conftest import UNLIMITED, form_token, with_database

pytestmark = pytest.mark.integration
HTML = {"accept": "text/html"}
PASSWORD = "a long enough passphrase"
QUESTION = "How is gout managed during a flare?"


def postgres_settings(settings: Settings, schema: str) -> Settings:
    """The same settings on a fresh schema of the test PostgreSQL server (skip without one)."""
    url = os.environ.get("MEDORA_TEST_POSTGRES_URL")
    if not url:
        pytest.skip("MEDORA_TEST_POSTGRES_URL is not set (.ci/run starts a server)")
    with create_engine(url).begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    return settings.model_copy(update={"database_url": f"{url}?options=-csearch_path%3D{schema}"})


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def app(request: pytest.FixtureRequest, index_settings: Settings, tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    """The app on SQLite, and the very same app on a real PostgreSQL server."""
    if request.param == "postgres":
        settings = postgres_settings(index_settings, "medora_web_review")
    else:
        settings = with_database(index_settings, tmp_path_factory.mktemp("review-db") / "medora.db")
    app = create_app(settings, UNLIMITED)
    dialect = app.state.services.review.engine.dialect.name
    assert dialect == {"sqlite": "sqlite", "postgres": "postgresql"}[request.param]
    review: ReviewStore = app.state.services.review
    review.add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer")
    review.add_user("rob", PASSWORD, "reviewer", "Dr Rob Reviewer")
    review.add_user("eddie", PASSWORD, "editor", "Eddie Editor")
    review.add_user("ada", PASSWORD, "admin", "Ada Admin")
    return app


@pytest.fixture
def anon(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app) as c:
        yield c


def bearer(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['token']}"}


def submitted_article(client: TestClient, question: str = QUESTION) -> tuple[dict, dict]:
    answer = client.post("/api/ask", json={"question": question}).json()
    r = client.post(f"/api/answers/{answer['id']}/submit")
    assert r.status_code in (200, 201), r.text
    return answer, r.json()["article"]


def test_the_whole_loop_over_the_api(anon: TestClient, app) -> None:  # noqa: ANN001
    answer, article = submitted_article(anon)
    aid = article["id"]
    assert article["state"] == "submitted" and answer["review"] is None
    assert anon.post(f"/api/answers/{answer['id']}/submit").json()["created"] is False  # same question, same article
    rita, eddie, rob = bearer(anon, "rita"), bearer(anon, "eddie"), bearer(anon, "rob")

    r = anon.get("/api/review/queue?state=submitted", headers=rita)
    assert r.headers["cache-control"] == "no-store"  # drafts and comments never sit in a shared cache
    queue = r.json()
    assert aid in [a["id"] for a in queue["articles"]]
    go = lambda who, action, comment="": anon.post(  # noqa: E731
        f"/api/review/articles/{aid}/transitions", json={"action": action, "comment": comment}, headers=who
    )
    assert go(eddie, "start_review").status_code == 403  # editors do not review
    assert go(rita, "start_review").json()["article"]["state"] == "under_review"
    r = anon.post(
        f"/api/review/articles/{aid}/comments",
        json={"body": "Give the colchicine dose.", "bullet": "s1.b1"},
        headers=rita,
    )
    assert r.status_code == 201 and r.json()["comment"]["bullet"] == "s1.b1"
    assert go(rita, "request_changes").status_code == 400  # a reason is required
    assert go(rita, "request_changes", "Dose missing in s1.b1").json()["article"]["state"] == "changes_requested"
    assert go(rita, "approve").status_code == 409  # not under review any more

    detail = anon.get(f"/api/review/articles/{aid}", headers=eddie).json()
    first = detail["bullets"][1]
    bad = anon.post(
        f"/api/review/articles/{aid}/versions",
        headers=eddie,
        json={
            "edits": [
                {"bullet": first["key"], "text": "Start allopurinol at 900 mg daily on the first day of every flare."}
            ]
        },
    )
    assert bad.status_code == 400 and "supports" in bad.json()["error"]
    edited_text = "As a rule, " + first["text"][0].lower() + first["text"][1:]
    r = anon.post(
        f"/api/review/articles/{aid}/versions",
        headers=eddie,
        json={"edits": [{"bullet": first["key"], "text": edited_text}], "note": "clearer"},
    )
    assert r.status_code == 201 and r.json()["article"] == {
        **r.json()["article"],
        "state": "submitted",
        "current_version": 2,
    }
    stale = anon.post(
        f"/api/review/articles/{aid}/versions",
        headers=eddie,
        json={"edits": [{"bullet": first["key"], "text": "Generally, " + first["text"]}], "base_version": 1},
    )
    assert stale.status_code == 409 and "version 2 was saved after version 1" in stale.json()["error"]
    changes = anon.get(f"/api/review/articles/{aid}/diff", headers=rita).json()["changes"]
    assert [c["op"] for c in changes if c["op"] != "equal"] == ["changed"]
    assert {"op": "insert", "text": "As a rule,"} in changes[1]["words"] or any(
        w["op"] == "insert" and "rule" in w["text"] for c in changes for w in c["words"]
    )

    assert go(rita, "start_review").status_code == 200
    assert go(rita, "approve", "Checked against the guideline.").json()["article"]["state"] == "approved"
    audit = anon.get(f"/api/review/articles/{aid}", headers=rob).json()["audit"]
    assert [(e["action"], e["from_state"], e["to_state"]) for e in audit] == [
        ("submit", None, "submitted"),
        ("start_review", "submitted", "under_review"),
        ("request_changes", "under_review", "changes_requested"),
        ("edit", "changes_requested", "submitted"),
        ("start_review", "submitted", "under_review"),
        ("approve", "under_review", "approved"),
    ]
    assert audit[2]["comment"] == "Dose missing in s1.b1" and audit[3]["actor"] == "Eddie Editor"

    public = anon.get(f"/api/articles/{aid}").json()
    assert public["article"]["state"] == "approved" and public["article"]["approved_by_role"] == "reviewer"
    assert "comments" not in public and "audit" not in public
    assert aid in [a["id"] for a in anon.get("/api/library?q=gout").json()["articles"]]
    assert anon.get("/api/library?q=appendicitis").json()["articles"] == []

    fast = anon.post("/api/ask", json={"question": "how is gout managed during a flare"}).json()
    assert fast["review"]["status"] == "approved" and fast["review"]["article_id"] == aid
    assert "library" in fast["timing_ms"] and "retrieval" not in fast["timing_ms"]
    assert edited_text in [b["text"] for s in fast["sections"] for b in s["bullets"]]
    page = anon.get(f"/articles/{aid}", headers=HTML).text
    assert "Approved by a reviewer" in page and "pending human review" not in page


def test_a_reviewer_cannot_approve_their_own_edit(anon: TestClient) -> None:
    _, article = submitted_article(anon, "What is the first-line treatment for anaphylaxis?")
    aid = article["id"]
    rita, rob = bearer(anon, "rita"), bearer(anon, "rob")
    detail = anon.get(f"/api/review/articles/{aid}", headers=rita).json()
    b = detail["bullets"][0]
    r = anon.post(
        f"/api/review/articles/{aid}/versions",
        headers=rita,
        json={"edits": [{"bullet": b["key"], "text": b["text"] + " "}]},
    )
    assert r.status_code == 400  # nothing changed is not an edit... whitespace is folded
    r = anon.post(
        f"/api/review/articles/{aid}/versions",
        headers=rita,
        json={"edits": [{"bullet": b["key"], "text": "In short: " + b["text"]}]},
    )
    assert r.status_code == 201
    go = lambda who, action: anon.post(  # noqa: E731
        f"/api/review/articles/{aid}/transitions", json={"action": action}, headers=who
    )
    assert go(rita, "start_review").status_code == 200
    refused = go(rita, "approve")
    assert refused.status_code == 403 and "another reviewer" in refused.json()["error"]
    assert "approve" not in anon.get(f"/api/review/articles/{aid}", headers=rita).json()["actions"]
    assert go(rob, "approve").json()["article"]["state"] == "approved"


REVIEW_URLS = [
    ("get", "/review"),
    ("get", "/review/articles/{aid}"),
    ("get", "/review/articles/{aid}/edit"),
    ("get", "/review/articles/{aid}/diff"),
    ("get", "/api/review/queue"),
    ("get", "/api/review/articles/{aid}"),
    ("get", "/api/review/articles/{aid}/diff"),
    ("post", "/api/review/articles/{aid}/transitions"),
    ("post", "/api/review/articles/{aid}/comments"),
    ("post", "/api/review/articles/{aid}/versions"),
    ("get", "/api/me"),
]


def test_anonymous_visitors_reach_no_review_url(anon: TestClient) -> None:
    _, article = submitted_article(anon, "How is uncomplicated cystitis treated?")
    rita = bearer(anon, "rita")
    anon.post(f"/api/review/articles/{article['id']}/comments", json={"body": "SECRET-NOTE"}, headers=rita)
    for method, url in REVIEW_URLS:
        path = url.format(aid=article["id"])
        r = anon.request(method, path, json={} if method == "post" else None)
        assert r.status_code == 401, (path, r.status_code)
        assert "SECRET-NOTE" not in r.text
        page = anon.request(method, path, headers=HTML, follow_redirects=False)
        assert page.status_code in (303, 401, 403), (path, page.status_code)
        if page.status_code == 303:
            assert page.headers["location"].startswith("/login?next=")
    for path in (f"/articles/{article['id']}", f"/api/articles/{article['id']}", "/library", "/editorial-policy"):
        r = anon.get(path, headers=HTML)
        assert r.status_code == 200 and "SECRET-NOTE" not in r.text
    assert "pending human review" in anon.get(f"/articles/{article['id']}", headers=HTML).text


def test_forms_without_the_csrf_token_are_refused(anon: TestClient) -> None:
    token = form_token(anon)
    assert anon.post("/ask", data={"question": "How is gout treated?"}, follow_redirects=False).status_code == 403
    assert (
        anon.post(
            "/ask", data={"question": "How is gout treated?", "csrf_token": "forged"}, follow_redirects=False
        ).status_code
        == 403
    )
    assert (
        anon.post(
            "/ask", data={"question": "How is gout treated?", "csrf_token": token}, follow_redirects=False
        ).status_code
        == 303
    )
    _, article = submitted_article(anon, "When should a thyroid nodule be biopsied?")
    # signed in, the session's own token is required: the anonymous one no longer works
    r = anon.post(
        "/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
    )
    assert r.status_code == 303
    url = f"/review/articles/{article['id']}/transition"
    assert (
        anon.post(url, data={"action": "start_review", "csrf_token": token}, follow_redirects=False).status_code == 403
    )
    assert anon.post(url, data={"action": "start_review"}, follow_redirects=False).status_code == 403
    fresh = form_token(anon, f"/review/articles/{article['id']}")
    assert fresh != token
    assert (
        anon.post(url, data={"action": "start_review", "csrf_token": fresh}, follow_redirects=False).status_code == 303
    )
    # JSON calls riding on the session cookie need the token in a header
    api = f"/api/review/articles/{article['id']}/comments"
    assert anon.post(api, json={"body": "x"}).status_code == 403
    assert anon.post(api, json={"body": "x"}, headers={"x-csrf-token": fresh}).status_code == 201
    audit = anon.get(f"/api/review/articles/{article['id']}", headers={"x-csrf-token": fresh}).json()["audit"]
    assert [e["action"] for e in audit] == ["submit", "start_review"]  # the refused posts changed nothing


def test_signing_in_issues_a_new_session_and_ends_the_old(app) -> None:  # noqa: ANN001
    with TestClient(app) as c:
        token = form_token(c)
        c.cookies.set("medora_session", "planted-by-an-attacker")
        r = c.post(
            "/login", data={"username": "rob", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303 and r.headers["location"] == "/review"
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
        new = re.search(r"medora_session=([^;]+)", cookie).group(1)
        assert new != "planted-by-an-attacker"
        assert c.get("/api/me").json()["user"]["username"] == "rob"
        first = new
        token = form_token(c, "/review")
        r = c.post(
            "/login", data={"username": "rob", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )  # signing in again replaces the session
        assert r.status_code == 303 and first not in r.headers["set-cookie"]
        assert c.post("/logout", data={"csrf_token": token}).status_code == 403  # the old session's token
        assert c.post("/logout", data={"csrf_token": form_token(c, "/review")}).status_code == 200
        assert c.get("/api/me").status_code == 401
    with TestClient(app) as other:  # the ended session is worth nothing elsewhere
        other.cookies.set("medora_session", first)
        assert other.get("/api/me").status_code == 401
    with TestClient(app, base_url="https://medora.example") as tls:
        token = form_token(tls, "/login")
        r = tls.post(
            "/login", data={"username": "rob", "password": PASSWORD, "csrf_token": token}, follow_redirects=False
        )
        assert "Secure" in r.headers["set-cookie"]


def test_sign_in_is_rate_limited(app) -> None:  # noqa: ANN001
    app.state.services.review.add_user("victim", PASSWORD, "editor")
    with TestClient(app) as c:
        codes = [
            c.post("/api/login", json={"username": "victim", "password": "wrong guess " * 2}).status_code
            for _ in range(6)
        ]
        assert codes == [401] * 5 + [429]
        r = c.post("/api/login", json={"username": "victim", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
        token = form_token(c, "/login")
        page = c.post("/login", data={"username": "victim", "password": PASSWORD, "csrf_token": token}, headers=HTML)
        assert page.status_code == 429 and "too many failed sign-ins" in page.text.lower()


def test_roles_see_what_they_may_do(anon: TestClient) -> None:
    _, article = submitted_article(anon, "How is gout managed during a flare?")
    ada = bearer(anon, "ada")
    detail = anon.get(f"/api/review/articles/{article['id']}", headers=ada).json()
    assert detail["actions"] == []  # admins run the service; they do not take review decisions
    r = anon.post(f"/api/review/articles/{article['id']}/transitions", json={"action": "approve"}, headers=ada)
    assert r.status_code in (403, 409)
    assert anon.get("/api/me", headers={"authorization": "Bearer not-a-token"}).status_code == 401


def test_html_in_questions_and_comments_is_escaped(anon: TestClient) -> None:
    evil = '<script>alert("q")</script> How is gout treated?'
    _, article = submitted_article(anon, evil)
    rita = bearer(anon, "rita")
    anon.post(
        f"/api/review/articles/{article['id']}/comments", json={"body": '<img src=x onerror="alert(1)">'}, headers=rita
    )
    token = form_token(anon, "/login")
    anon.post("/login", data={"username": "rita", "password": PASSWORD, "csrf_token": token})
    page = anon.get(f"/review/articles/{article['id']}", headers=HTML).text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=" in page


def test_a_refused_decision_is_explained_on_the_article_page(app) -> None:  # noqa: ANN001
    with TestClient(app) as c:
        _, article = submitted_article(c, "What are the symptoms of kidney stones?")
        token = form_token(c, "/login")
        c.post("/login", data={"username": "rob", "password": PASSWORD, "csrf_token": token})
        url = f"/review/articles/{article['id']}"
        token = form_token(c, url)
        c.post(f"{url}/transition", data={"action": "start_review", "csrf_token": token})
        r = c.post(
            f"{url}/transition", data={"action": "request_changes", "comment": "", "csrf_token": token}, headers=HTML
        )
        assert r.status_code == 400 and 'id="decision-error"' in r.text and "needs a comment" in r.text
        assert "Review queue" in r.text and 'name="action" value="approve"' in r.text  # still on the article page
        r = c.post(f"{url}/comments", data={"body": "  ", "csrf_token": token}, headers=HTML)
        assert r.status_code == 400 and "the comment is empty" in r.text.lower()
        state = c.get(f"/api/review/articles/{article['id']}", headers={"x-csrf-token": token}).json()
        assert state["article"]["state"] == "under_review" and state["comments"] == []
