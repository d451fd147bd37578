"""Request bodies bounded while they are read, whatever their framing.

A declared `Content-Length` over the route's limit is refused before a byte is read. Otherwise the bytes
are counted as they arrive (chunked bodies included): the moment the count passes the limit, the client
gets 413 and the connection is closed; the application sees the client as gone, so a multipart parser
stops spooling at the limit, never beyond. A body that stops arriving for BODY_TIMEOUT_SECONDS gets 408.
"""
from __future__ import annotations

import anyio
from starlette.responses import JSONResponse

from interview_engine import Settings

MB = 1024 * 1024
API = "/interview/v2"


def body_limit(settings: Settings, method: str, path: str) -> int:
    """The most a request to this route may send, in bytes."""
    docs = 2 * settings.max_document_bytes + MB  # two documents plus form fields
    if path == f"{API}/start":
        return settings.max_json_bytes
    if path == f"{API}/answer":
        return 2 * settings.max_media_bytes + MB  # audio_file and video_file may both be sent
    if path == f"{API}/start-with-ids" or (path.startswith(f"{API}/documents") and method in ("POST", "PUT")):
        return docs
    if path.startswith("/gradio_api/upload"):  # the UI's recordings and documents
        return max(settings.max_media_bytes, settings.max_document_bytes) + MB
    return settings.max_json_bytes  # anything else (the UI's events, stray bodies): small


def _too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"Request body too large (limit {_mb(limit)} MB)"}, status_code=413,
                        headers={"Connection": "close"})


def _mb(n: int) -> str:
    value = n / MB
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


class BodyLimitMiddleware:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(self.settings, scope.get("method", "GET"), scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _too_large(limit)(scope, receive, send)
            return

        state = {"received": 0, "done": False, "refused": False, "started": False}
        timeout = self.settings.body_timeout_seconds

        async def refuse(response: JSONResponse) -> None:
            state["refused"] = True
            if not state["started"]:
                state["started"] = True
                await response(scope, _disconnected, send)

        async def limited_receive():
            if state["refused"]:
                return {"type": "http.disconnect"}
            if state["done"]:
                return await receive()  # only a disconnect can come now: no timeout while a response streams
            with anyio.move_on_after(timeout) as scope_:
                message = await receive()
            if scope_.cancelled_caught:
                await refuse(JSONResponse({"detail": f"Request body timeout: nothing received for {timeout:.0f} s"},
                                          status_code=408, headers={"Connection": "close"}))
                return {"type": "http.disconnect"}
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > limit:
                    await refuse(_too_large(limit))
                    return {"type": "http.disconnect"}
                if not message.get("more_body", False):
                    state["done"] = True
            return message

        async def guarded_send(message):
            if state["refused"]:
                return  # the client already has its 413/408; whatever the app answers is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


async def _disconnected():
    return {"type": "http.disconnect"}


def _content_length(scope):
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
