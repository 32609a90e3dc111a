"""A fake OpenAI-compatible chat-completions server on loopback, in the test process.

It answers POST /v1/chat/completions with the next reply queued (a recorded model message, an HTTP error,
a delay) or, when the queue is empty, with `default(request_body)`; it keeps every request body so tests
can check what the model was shown.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    content: str | None = None  # the model's message (None: `raw` is sent as the whole body)
    status: int = 200
    raw: str | None = None
    delay_s: float = 0.0


@dataclass
class FakeServer:
    url: str
    replies: list[Reply] = field(default_factory=list)
    requests: list[dict] = field(default_factory=list)
    default: Callable[[dict], Reply] | None = None

    def queue(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def prompt(self, i: int = -1) -> str:
        return "\n".join(m["content"] for m in self.requests[i]["messages"])


def completion(content: str, model: str = "fake-model") -> str:
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        }
    )


@contextmanager
def fake_openai() -> Iterator[FakeServer]:
    state: dict[str, FakeServer] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            srv = state["server"]
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
            srv.requests.append(body)
            if self.path != "/v1/chat/completions":
                return self._send(404, '{"error": "not found"}')
            if srv.replies:
                reply = srv.replies.pop(0)
            elif srv.default is not None:
                reply = srv.default(body)
            else:
                reply = Reply(status=500, raw='{"error": "no reply queued"}')
            if reply.delay_s:
                time.sleep(reply.delay_s)
            text = reply.raw if reply.content is None else completion(reply.content, body.get("model", "fake"))
            self._send(reply.status, text or "")

        def _send(self, status: int, text: str) -> None:
            data = text.encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
                pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state["server"] = FakeServer(f"http://127.0.0.1:{httpd.server_address[1]}/v1")
    # a short poll so shutdown() returns at once (the default 0.5 s poll cost half a second per test)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state["server"]
    finally:
        httpd.shutdown()
        httpd.server_close()
