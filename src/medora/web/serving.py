"""How `medora serve` runs uvicorn: no proxy headers believed by uvicorn itself (the app decides, from
`MEDORA_WEB__TRUSTED_PROXIES`), no `Server` header, and our own access log in place of uvicorn's.

uvicorn's access log writes the client address next to the full path: for Medora that is an address next to
a capability URL to someone's health question (issue #14, audit L8). `medora.access` logs the route
template instead, unless `MEDORA_WEB__ACCESS_LOG_DETAIL=true`.
"""

from __future__ import annotations

import copy
import logging
import socket
import time

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medora.web.config import WebSettings

access_log = logging.getLogger("medora.access")
# With several workers, a keep-alive connection is closed after this many requests, so the client's next one
# is a new connection that either worker may take (`medora serve --workers N` sets it unless it is set).
REQUESTS_PER_CONNECTION = 8


def uvicorn_options(web: WebSettings) -> dict:
    """Keyword arguments for `uvicorn.run` / `uvicorn.Config`."""
    from uvicorn.config import LOGGING_CONFIG

    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["handlers"]["medora"] = {
        "formatter": "default",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    log_config["loggers"]["medora.access"] = {"handlers": ["medora"], "level": "INFO", "propagate": False}
    return {
        "proxy_headers": False,
        "server_header": False,
        "access_log": False,
        "log_config": log_config,
        "log_level": "info",
    }


def run_workers(app: str, workers: int, host: str, port: int, web: WebSettings) -> None:
    """`uvicorn.run(app, factory=True, workers=N, ...)`, with TCP_NODELAY on every connection (#14).

    uvicorn binds the shared listening socket with `proto=0`; accepted sockets inherit it and asyncio then
    leaves Nagle's algorithm on, so every keep-alive request after the first waits ~40 ms for a delayed ACK
    (uvicorn issue #3149; measured here: /health 2 ms with one worker, 44 ms with two). We bind it with
    IPPROTO_TCP instead and start uvicorn's own supervisor.
    """
    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config(app, factory=True, workers=workers, host=host, port=port, **uvicorn_options(web))
    bound = config.bind_socket()
    sock = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    try:
        Multiprocess(config, sockets=[sock]).run()
    except KeyboardInterrupt:
        pass


class ConnectionRecycler:
    """ASGI middleware: `Connection: close` on every `every`-th response of a keep-alive connection (#14).

    Each worker process answers every request of the connections it accepted, and with long keep-alive
    connections (a proxy's pool, a load script) the split stays as it fell: measured with 16 connections on
    2 workers, 9/7 to 12/4, and the worker with fewer finished early and idled while the other queued. A
    connection closed after a few requests is opened again, and each reopening is a new draw, so the work
    evens out. Outermost, so `scope["client"]` is still the socket's peer (one open connection per
    address and port), not a forwarded address.
    """

    def __init__(self, app: ASGIApp, every: int, remember: int = 4096) -> None:
        self.app = app
        self.every = every
        self.remember = remember  # connections closed early by the client leave a count behind: bounded
        self.served: dict[tuple, int] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope.get("client"):
            await self.app(scope, receive, send)
            return
        peer = tuple(scope["client"])
        count = self.served.pop(peer, 0) + 1  # popped and put back: the dict stays in order of last use
        last = count >= self.every
        if not last:
            self.served[peer] = count
            if len(self.served) > self.remember:
                del self.served[next(iter(self.served))]

        async def closing_send(message: Message) -> None:
            if last and message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await self.app(scope, receive, closing_send if last else send)


def log_request(request: Request, response: Response, started: float, web: WebSettings) -> None:
    """One access-log line: by default method, route template, status and time; no ids, queries or addresses."""
    ms = (time.perf_counter() - started) * 1000
    if web.access_log_detail:
        client = request.client.host if request.client else "-"
        query = f"?{request.url.query}" if request.url.query else ""
        access_log.info(
            '%s - "%s %s%s" %d %.0fms', client, request.method, request.url.path, query, response.status_code, ms
        )
        return
    route = request.scope.get("route")
    template = getattr(route, "path", None) or "(no route)"
    access_log.info("%s %s %d %.0fms", request.method, template, response.status_code, ms)
