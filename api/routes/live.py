"""Live answers over a WebSocket, for integrators: raw PCM in, the running transcript and then the
evaluation out. The protocol is in README (*Live answers*); the work is the service's (start_live, answer).
"""
from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Optional

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from interview_engine import AnswerInput, InterviewService
from interview_engine.errors import BadRequest, InterviewError, PayloadTooLarge

router = APIRouter(prefix="/interview/v2", tags=["interview"])
log = logging.getLogger("interview.api")

PARTIAL_EVERY = 1.0  # seconds between running-transcript events while audio arrives
MAX_CHUNK_BYTES = 1 << 20  # one binary message: about 30 s of 16 kHz s16le, far more than a client sends


def _error(exc: InterviewError) -> dict:
    detail = exc.detail
    return {"type": "error", "status": exc.status_code,
            "detail": detail if isinstance(detail, str) else (detail.get("error") if isinstance(detail, dict)
                                                              else str(detail))}


def _flag(value: Optional[str]) -> bool:
    return (value or "").lower() in ("1", "true", "yes")


@router.websocket("/live/{session_id}")
async def live_answer(websocket: WebSocket, session_id: str):
    """Query: `question_number` (a guard, or the question to retry), `retry`, `defer_question`,
    `sample_rate` (8000-96000, default 16000), `format` (`s16le` default, or `f32le`); mono PCM."""
    service: InterviewService = websocket.app.state.service
    principal = websocket.scope.get("state", {}).get("principal")
    owner = getattr(principal, "owner", None)
    q = websocket.query_params
    await websocket.accept()
    live = None
    try:
        try:
            number = int(q["question_number"]) if q.get("question_number") else None
            rate = int(q.get("sample_rate") or 16000)
        except ValueError:
            raise BadRequest("question_number and sample_rate must be integers")
        fmt = q.get("format") or "s16le"
        if fmt not in ("s16le", "f32le"):
            raise BadRequest(f"Unsupported audio format {fmt!r}: use s16le or f32le")
        if not 8000 <= rate <= 96000:
            raise BadRequest("sample_rate must be between 8000 and 96000")
        # One owner, or one client address without keys, holds at most its share of the live places.
        holder = f"owner:{owner}" if owner else f"address:{websocket.client.host if websocket.client else '?'}"
        live = await run_in_threadpool(service.start_live, session_id, owner, number, _flag(q.get("retry")), holder)
        await websocket.send_json({"type": "ready", "session_id": session_id,
                                   "question_number": live.question_number, "sample_rate": rate, "format": fmt})
        idle = service.settings.live_idle_seconds
        sent_at, last = time.monotonic(), None
        while True:
            try:
                message = await asyncio.wait_for(websocket.receive(), timeout=PARTIAL_EVERY)
            except asyncio.TimeoutError:
                message = None
            if message is not None:
                if message["type"] == "websocket.disconnect":
                    raise WebSocketDisconnect(message.get("code", 1000))
                data, text = message.get("bytes"), message.get("text")
                if data is not None:
                    if len(data) > MAX_CHUNK_BYTES:
                        raise PayloadTooLarge(f"An audio message is limited to {MAX_CHUNK_BYTES} bytes")
                    live.feed(data, rate, fmt)
                elif text is not None:
                    try:
                        command = json.loads(text).get("type")
                    except (ValueError, AttributeError):
                        raise BadRequest('Text messages are JSON: {"type": "stop"} or {"type": "cancel"}')
                    if command == "stop":
                        break
                    if command == "cancel":
                        live.abort()
                        await websocket.send_json({"type": "cancelled"})
                        await websocket.close(1000)
                        return
                    raise BadRequest(f"Unknown message type {command!r}: use stop or cancel")
            # Checked after every message too: frames that carry no sound (empty, or silence) do not count.
            if time.monotonic() - live.transcription.last_activity > idle:
                raise BadRequest(f"No sound for {idle:.0f} s: the live answer was abandoned")
            if live.transcription.state == "aborted":  # the reaper's wall-clock cap
                raise BadRequest("The live answer was open longer than an answer may last, and was abandoned")
            if time.monotonic() - sent_at >= PARTIAL_EVERY:
                snap = live.snapshot()
                if snap != last or time.monotonic() - sent_at >= 2 * PARTIAL_EVERY:
                    await websocket.send_json({"type": "partial", **snap})
                    last = snap
                sent_at = time.monotonic()
        result = await run_in_threadpool(service.answer, AnswerInput(
            session_id=session_id, live=live, defer_question=_flag(q.get("defer_question")), owner=owner))
        await websocket.send_json({"type": "result", **result})
        await websocket.close(1000)
    except WebSocketDisconnect:
        pass  # the client left: the answer is dropped (finally), nothing was stored
    except InterviewError as exc:
        try:
            await websocket.send_json(_error(exc))
            await websocket.close(1000)
        except Exception:
            pass
    finally:
        if live is not None:
            live.abort()  # a no-op once answered
