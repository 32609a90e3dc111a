"""POST /ask/stream: generative answers streamed to the page as server-sent events (issue #15).

Events: `bullet` ({"kind", "text"}) for each bullet as soon as it passed verification (never before),
then `done` ({"id", "url", "mode"}) once the answer is stored, or `error` ({"error", "hint"}). The page
shows the verified bullets while the rest are checked, then opens the stored answer, which is the
authority: verified bullets left out as duplicates, or a fallback to the extractive answer, show there.
Pages without JavaScript post to /ask as before.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Form
from fastapi.responses import StreamingResponse

from medora.compose.generative import BULLET_SINK, check_mode
from medora.compose.verify import Verdict
from medora.errors import MedoraError
from medora.web.auth import load_identity, verify_csrf
from medora.web.services import Services, answer_question, services

log = logging.getLogger("medora.web")
router = APIRouter(dependencies=[Depends(load_identity), Depends(verify_csrf)])
Svc = Annotated[Services, Depends(services)]


def event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.post("/ask/stream", include_in_schema=False)
def ask_stream(
    svc: Svc,
    question: Annotated[str, Form()] = "",
    audience: Annotated[str | None, Form()] = None,
    mode: Annotated[str, Form()] = "generative",
) -> StreamingResponse:
    check_mode(mode)
    events: queue.Queue[tuple[str, dict]] = queue.Queue()

    def on_bullet(kind: str, v: Verdict) -> None:
        events.put(("bullet", {"kind": kind, "text": v.text}))

    def work() -> None:
        BULLET_SINK.set(on_bullet)  # this thread's context only
        try:
            stored = answer_question(svc, question, audience, mode=mode)
            events.put(("done", {"id": stored.id, "url": f"/answers/{stored.id}", "mode": stored.answer.mode}))
        except MedoraError as exc:
            events.put(("error", {"error": exc.message, "hint": exc.hint}))
        except Exception:  # noqa: BLE001 - the stream must end with an event whatever happened
            log.exception("streamed answer failed")
            events.put(("error", {"error": "the answer could not be made", "hint": "Try again in a moment."}))

    threading.Thread(target=work, name="medora-stream", daemon=True).start()

    async def stream() -> AsyncIterator[str]:
        yield ": verified bullets follow\n\n"
        while True:
            name, data = await asyncio.to_thread(events.get)
            yield event(name, data)
            if name in ("done", "error"):
                return

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"cache-control": "no-store"})
