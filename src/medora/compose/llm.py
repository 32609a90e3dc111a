"""A minimal OpenAI-compatible chat-completions client (vLLM, Ollama, a llama.cpp server, a hosted API).

Only ever called when `Settings.generation` names a server and a model: there is no default service. Every
failure (unreachable, slow, an error status, a reply that is not a chat completion) raises
`GenerationFailed` with a reason the caller logs and records before serving the extractive answer.

Usage example::

    client = ChatClient(GenerationSettings(base_url="http://127.0.0.1:8080/v1", model="gemma-3-270m"))
    text = client.complete([{"role": "user", "content": "Say hi in JSON"}], schema={"type": "object"})
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from medora.settings import GenerationSettings

if TYPE_CHECKING:
    import ssl

# Asked in this order; a server that answers 400/422/501 to one form is asked again with the next.
FORMATS = ("json_schema", "json_object", "none")


class GenerationFailed(Exception):
    """The model gave no usable reply; `reason` is short and names what to check."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Completion:
    text: str
    model: str
    latency_ms: float
    response_format: str


class ChatClient:
    def __init__(self, settings: GenerationSettings) -> None:
        if not settings.configured:
            raise GenerationFailed("no language model configured (set generation.base_url and generation.model)")
        self.settings = settings
        self.url = settings.base_url.rstrip("/") + "/chat/completions"

    def _body(self, messages: list[dict], schema: dict | None, fmt: str) -> dict:
        body: dict = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": self.settings.max_tokens,
            "temperature": self.settings.temperature,
            "stream": False,
        }
        if fmt == "json_schema" and schema is not None:
            body["response_format"] = {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}
        elif fmt == "json_object":  # `schema` is llama.cpp's extension (grammar-constrained); others ignore it
            body["response_format"] = {"type": "json_object", **({"schema": schema} if schema else {})}
        return body

    def complete(self, messages: list[dict], schema: dict | None = None) -> Completion:
        """The model's reply text; raises GenerationFailed with the reason."""
        import httpx  # only generative mode pays for the import

        s = self.settings
        headers = {"content-type": "application/json"}
        if s.api_key.get_secret_value():
            headers["authorization"] = f"Bearer {s.api_key.get_secret_value()}"
        formats = FORMATS[FORMATS.index(s.response_format) :]
        deadline = time.perf_counter() + s.timeout_s
        t0 = time.perf_counter()
        timeout = httpx.Timeout(s.timeout_s, connect=min(5.0, s.timeout_s))
        with httpx.Client(timeout=timeout, verify=_tls()) as http:
            for fmt in formats:
                left = deadline - time.perf_counter()
                if left <= 0:
                    raise GenerationFailed(f"no reply from {self.url} within {s.timeout_s:g} s")
                try:
                    r = http.post(self.url, json=self._body(messages, schema, fmt), headers=headers, timeout=left)
                except httpx.TimeoutException:
                    raise GenerationFailed(f"no reply from {self.url} within {s.timeout_s:g} s") from None
                except httpx.HTTPError as exc:
                    raise GenerationFailed(f"cannot reach {self.url}: {type(exc).__name__}: {exc}") from None
                refused = r.status_code in (400, 422, 501) or (r.status_code == 500 and "response_format" in r.text)
                if refused and fmt != formats[-1]:
                    continue  # this server does not take that response_format (llama.cpp says 500): ask again
                if r.status_code != 200:
                    raise GenerationFailed(f"{self.url} answered HTTP {r.status_code}: {r.text[:200]}")
                return Completion(_content(r), str(_json(r).get("model") or s.model), _ms(t0), fmt)
        raise GenerationFailed(f"{self.url} refused every response format")  # pragma: no cover


@cache
def _tls() -> ssl.SSLContext:
    """httpx's default TLS context (certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR as the process started with),
    built once per process: building it reads the whole CA bundle (20-35 ms), which every answer paid."""
    import httpx

    return httpx.create_ssl_context()


def _json(r: object) -> dict:
    try:
        data = r.json()  # type: ignore[attr-defined]
    except ValueError:
        raise GenerationFailed("the server's reply is not JSON (is base_url the /v1 root?)") from None
    if not isinstance(data, dict):
        raise GenerationFailed("the server's reply is not a chat completion")
    return data


def _content(r: object) -> str:
    data = _json(r)
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise GenerationFailed("the server's reply has no choices[0].message.content") from None
    if not isinstance(content, str) or not content.strip():
        raise GenerationFailed("the model returned an empty message")
    return content


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
