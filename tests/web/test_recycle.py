"""Keep-alive connections reopened every few requests, so several worker processes share the work (#14)."""

from __future__ import annotations

import http.client

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from medora.web.serving import ConnectionRecycler
from tests.web.conftest import serving

pytestmark = pytest.mark.unit


def hello(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


def app(every: int) -> ConnectionRecycler:
    return ConnectionRecycler(Starlette(routes=[Route("/", hello)]), every=every)


def ports_and_closes(base: str, requests: int) -> list[tuple[int, str | None]]:
    """On one http.client connection (which reconnects when told to close): client port and Connection header."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    seen = []
    try:
        for _ in range(requests):
            conn.request("GET", "/")
            local = conn.sock.getsockname()[1]
            r = conn.getresponse()
            assert r.read() == b"ok"
            seen.append((local, r.getheader("connection")))
    finally:
        conn.close()
    return seen


def test_every_third_response_closes_the_connection_and_the_next_request_opens_a_new_one() -> None:
    with serving(app(3)) as base:
        seen = ports_and_closes(base, 7)
    assert [c for _, c in seen] == [None, None, "close", None, None, "close", None]
    ports = [p for p, _ in seen]
    assert ports[0] == ports[1] == ports[2] != ports[3] == ports[4] == ports[5] != ports[6]


def test_connections_are_counted_apart() -> None:
    with serving(app(2)) as base:
        host, port = base.removeprefix("http://").split(":")
        a, b = (http.client.HTTPConnection(host, int(port), timeout=10) for _ in range(2))
        try:
            closes = []
            for conn in (a, b, a, b):
                conn.request("GET", "/")
                r = conn.getresponse()
                r.read()
                closes.append(r.getheader("connection"))
        finally:
            a.close()
            b.close()
    assert closes == [None, None, "close", "close"]


def test_the_memory_of_counts_is_bounded() -> None:
    recycler = app(100)
    recycler.remember = 3
    with serving(recycler) as base:
        for _ in range(6):
            ports_and_closes(base, 1)  # six connections, one request each, closed by the client
    assert len(recycler.served) == 3
