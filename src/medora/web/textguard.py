"""Invalid text stops at the edge: one ASGI middleware cleans every request before a handler sees it.

Python's JSON parser accepts a lone UTF-16 surrogate (``"\\ud800"``); stored, it breaks every page and
every database driver that later encodes it (issue #14, audit M1/M2). PostgreSQL refuses NUL in text.
So, for every request, in this one place:

- JSON bodies and URL-encoded forms: unpaired surrogates become U+FFFD, and NUL and the other control
  characters (except tab, newline and carriage return) are removed, in keys and values at any depth;
- the query string gets the same treatment;
- a path holding a control character is refused (400) in the one error shape.

Bodies that do not parse are passed on untouched: FastAPI answers them with its own 400/422.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from medora.web.errors import error_body

# C0 and C1 controls except \t \n \r, DEL, and every surrogate code point (paired ones never survive decoding)
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
JSON_TYPES = ("application/json", "application/merge-patch+json")
FORM_TYPE = "application/x-www-form-urlencoded"


def clean_text(text: str) -> str:
    """`text` with unpaired surrogates replaced by U+FFFD and control characters (but tab/newlines) removed."""
    return _CONTROLS.sub("", _SURROGATES.sub("\ufffd", text))


def clean_value(value: Any) -> Any:
    """A parsed JSON value with every string (keys included) cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): clean_value(v) for k, v in value.items()}
    return value


def clean_json_body(body: bytes) -> bytes | None:
    """The cleaned body, or None when nothing needed cleaning (or it does not parse: FastAPI reports that)."""
    try:
        value = json.loads(body)
    except (ValueError, RecursionError):
        return None
    try:
        cleaned = clean_value(value)
    except RecursionError:
        return None
    if cleaned == value:
        return None
    return json.dumps(cleaned, ensure_ascii=False).encode("utf-8")


def clean_pairs(raw: str) -> str | None:
    """A cleaned query string or form body, or None when nothing changed."""
    pairs = parse_qsl(raw, keep_blank_values=True, errors="replace")
    cleaned = [(clean_text(k), clean_text(v)) for k, v in pairs]
    if cleaned == pairs:
        return None
    return urlencode(cleaned)


class TextGuard:
    """ASGI middleware: clean query strings and JSON/form bodies; refuse paths with control characters."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if clean_text(scope.get("path", "")) != scope.get("path", ""):
            await _refuse(send, "the address contains characters that are not allowed (control characters)")
            return
        query = scope.get("query_string", b"")
        if query:
            cleaned = clean_pairs(query.decode("latin-1"))
            if cleaned is not None:
                scope["query_string"] = cleaned.encode("ascii")  # in place: the router's notes stay visible
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        if ctype not in (*JSON_TYPES, FORM_TYPE):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        if ctype == FORM_TYPE:
            text = clean_pairs(body.decode("latin-1"))
            new = text.encode("ascii") if text is not None else None
        else:
            new = clean_json_body(body)
        if new is not None:
            body = new
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"content-length"] + [
                (b"content-length", str(len(body)).encode())
            ]
        await self.app(scope, _replay(body, more, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body (the body limit, outside this middleware, bounds it); False if the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, connected: bool, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        if not connected:
            return {"type": "http.disconnect"}
        return await receive()

    return replayed


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps(
        error_body(400, message, "Remove control characters (such as %00) from the address and try again.")
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
