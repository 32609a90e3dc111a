"""Abuse limits and hardening over HTTP (issue #14, audit M5, M6, L2, L3, L7, L10): forwarded headers trusted only
from configured proxies, rate limits on asking and anonymous submission, a paged queue, security headers, HEAD."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from medora.settings import Settings
from medora.web.app import create_app
from medora.web.config import WebSettings
from tests.web.conftest import SEED_Q, with_database

pytestmark = pytest.mark.integration
PASSWORD = "a long enough passphrase"


def make_app(index_settings: Settings, tmp_path, **web):  # noqa: ANN001, ANN201
    app = create_app(with_database(index_settings, tmp_path / "medora.db"), WebSettings(**web))
    app.state.services.review.add_user("rita", PASSWORD, "reviewer", "Dr Rita Reviewer")
    return app


def fail_logins(client: TestClient, n: int, headers: dict) -> list[int]:
    return [
        client.post("/api/login", json={"username": "rita", "password": f"wrong {i}"}, headers=headers).status_code
        for i in range(n)
    ]


def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(index_settings: Settings, tmp_path) -> None:  # noqa: ANN001
    app = make_app(index_settings, tmp_path)
    client = TestClient(app, client=("127.0.0.1", 4000))
    codes = [
        client.post(
            "/api/login",
            json={"username": "rita", "password": f"wrong {i}"},
            headers={"x-forwarded-for": f"198.51.100.{i}"},
        ).status_code
        for i in range(6)
    ]
    assert codes == [401] * 5 + [429]  # rotating the header buys nothing: it is not believed from 127.0.0.1


def test_a_trusted_proxy_reports_each_client(index_settings: Settings, tmp_path) -> None:  # noqa: ANN001
    app = make_app(index_settings, tmp_path, trusted_proxies=["127.0.0.1"])
    client = TestClient(app, client=("127.0.0.1", 4000))
    assert fail_logins(client, 6, {"x-forwarded-for": "198.51.100.7"}) == [401] * 5 + [429]
    ok = client.post(
        "/api/login", json={"username": "rita", "password": PASSWORD}, headers={"x-forwarded-for": "203.0.113.9"}
    )
    assert ok.status_code == 200  # the reviewer behind the same proxy is not locked out


def test_asking_is_rate_limited_per_address(index_settings: Settings, tmp_path) -> None:  # noqa: ANN001
    app = make_app(index_settings, tmp_path, ask_per_minute=3)
    one = TestClient(app, client=("198.51.100.1", 1))
    codes = [one.post("/api/ask", json={"question": SEED_Q}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    r = one.post("/api/ask", json={"question": SEED_Q})
    assert int(r.headers["retry-after"]) >= 1 and set(r.json()) == {"ok", "status", "error", "hint", "errors"}
    other = TestClient(app, client=("198.51.100.2", 1))
    assert other.post("/api/ask", json={"question": SEED_Q}).status_code == 200


def test_anonymous_submission_is_rate_limited(index_settings: Settings, tmp_path) -> None:  # noqa: ANN001
    app = make_app(index_settings, tmp_path, submit_per_hour=2, ask_per_minute=0)
    anon = TestClient(app, client=("198.51.100.3", 1))
    ids = [
        anon.post("/api/ask", json={"question": q}).json()["id"]
        for q in (SEED_Q, "How is gout managed during a flare?", "How is uncomplicated cystitis treated?")
    ]
    codes = [anon.post(f"/api/answers/{i}/submit").status_code for i in ids]
    assert codes[:2] in ([201, 201], [201, 200]) and codes[2] == 429
    token = anon.post("/api/login", json={"username": "rita", "password": PASSWORD}).json()["token"]
    signed_in = anon.post(f"/api/answers/{ids[2]}/submit", headers={"authorization": f"Bearer {token}"})
    assert signed_in.status_code in (200, 201)  # staff are not limited


def test_the_review_queue_is_paged(index_settings: Settings, tmp_path) -> None:  # noqa: ANN001
    app = make_app(index_settings, tmp_path, ask_per_minute=0, submit_per_hour=0)
    client = TestClient(app)
    for q in (SEED_Q, "How is gout managed during a flare?", "How is uncomplicated cystitis treated?"):
        answer = client.post("/api/ask", json={"question": q}).json()
        client.post(f"/api/answers/{answer['id']}/submit")
    auth = {
        "authorization": "Bearer "
        + client.post("/api/login", json={"username": "rita", "password": PASSWORD}).json()["token"]
    }
    first = client.get("/api/review/queue?state=submitted&per_page=2&page=1&sort=oldest", headers=auth).json()
    second = client.get("/api/review/queue?state=submitted&per_page=2&page=2&sort=oldest", headers=auth).json()
    assert first["total"] == 3 and first["pages"] == 2 and len(first["articles"]) == 2 and len(second["articles"]) == 1
    assert {a["id"] for a in first["articles"]}.isdisjoint(a["id"] for a in second["articles"])
    for bad in ("page=0", "per_page=1000", f"page={2**63}"):
        assert client.get(f"/api/review/queue?{bad}", headers=auth).status_code == 422
    page = client.get("/review?per_page=2", headers={**auth, "accept": "text/html"}).text
    assert "page=2" in page  # a link to the next page


def test_security_headers_and_head_health(client: TestClient) -> None:
    r = client.get("/api/library")
    for header, value in (
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "same-origin"),
    ):
        assert r.headers[header] == value
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "strict-transport-security" not in r.headers  # plain HTTP: HSTS would be ignored, and wrong
    https = client.get("https://testserver/api/library")
    assert https.headers["strict-transport-security"].startswith("max-age=")
    answer = client.post("/api/ask", json={"question": SEED_Q}).json()
    for path in (
        f"/answers/{answer['id']}",
        f"/api/answers/{answer['id']}",
        f"/conversations/{answer['conversation_id']}",
    ):
        assert client.get(path).headers["cache-control"] == "no-store", path  # someone's health question
    assert client.get("/api/library").headers["cache-control"].startswith("no-cache")
    head = client.head("/health")
    assert head.status_code == 200 and head.content == b""


def test_the_audience_cookie_is_secure_over_https(client: TestClient) -> None:
    from tests.web.conftest import form_token

    token = form_token(client, "https://testserver/")
    r = client.post(
        "https://testserver/ask",
        data={"question": SEED_Q, "audience": "patient", "csrf_token": token},
        follow_redirects=False,
    )
    cookie = [v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("medora_audience=")]
    assert cookie and "secure" in cookie[0].lower()
