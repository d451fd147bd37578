"""Form fields that are not UTF-8 text are refused, not guessed at.

Starlette decodes a form field it cannot read as UTF-8 by replacing the bytes (URL-encoded forms) or as
Latin-1 (multipart): a CV or an answer holding a lone surrogate's bytes, or any invalid sequence, would be
stored as mojibake. JSON bodies are checked by their schemas; this does the same for the form routes of
the API: the body is read (it is already bounded by BodyLimitMiddleware), every text field checked, and
then handed on unchanged, or refused with 400 in the API's error shape and nothing changed.
"""
from __future__ import annotations

import re
from typing import List, Optional
from urllib.parse import unquote_to_bytes

from starlette.responses import JSONResponse

API = "/interview/v2"
_BOUNDARY = re.compile(rb'boundary="?([^";]+)"?', re.I)
_NAME = re.compile(rb'name="([^"]*)"', re.I)


def bad_fields(content_type: bytes, body: bytes) -> List[str]:
    """Names of the text fields of a form body that are not valid UTF-8."""
    kind = content_type.split(b";")[0].strip().lower()
    bad: List[str] = []
    if kind == b"application/x-www-form-urlencoded":
        for pair in body.split(b"&"):
            name, _, value = pair.partition(b"=")
            if not _utf8(unquote_to_bytes(value.replace(b"+", b" "))):
                bad.append(unquote_to_bytes(name).decode("utf-8", "replace"))
    elif kind == b"multipart/form-data":
        match = _BOUNDARY.search(content_type)
        if match is None:
            return bad
        for part in body.split(b"--" + match.group(1))[1:]:
            head, sep, content = part.partition(b"\r\n\r\n")
            if not sep or b"filename=" in head.lower():
                continue  # the closing delimiter, or a file: files are checked by what reads them
            if not _utf8(content[:-2] if content.endswith(b"\r\n") else content):
                name = _NAME.search(head)
                bad.append(name.group(1).decode("utf-8", "replace") if name else "?")
    return bad


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _header(scope, key: bytes) -> Optional[bytes]:
    for name, value in scope.get("headers", ()):
        if name == key:
            return value
    return None


class Utf8FormMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        content_type = _header(scope, b"content-type") or b""
        if scope["type"] != "http" or not scope.get("path", "").startswith(API) \
                or scope.get("method") not in ("POST", "PUT") \
                or not content_type.lower().startswith((b"multipart/form-data", b"application/x-www-form-urlencoded")):
            await self.app(scope, receive, send)
            return
        messages, chunks = [], []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client left (or a limit refused it): let the app see that
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                bad = bad_fields(content_type, b"".join(chunks))
                if bad:
                    await JSONResponse({"detail": f"{', '.join(bad)}: not valid UTF-8 text (a form field must be "
                                                  "UTF-8; a lone surrogate cannot be encoded)"},
                                       status_code=400)(scope, receive, send)
                    return
                break
        replay = iter(messages)

        async def replayed():
            return next(replay, None) or await receive()

        await self.app(scope, replayed, send)
