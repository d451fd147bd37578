"""Dependencies shared by the routers."""
from __future__ import annotations

from typing import Optional

from fastapi import Request, UploadFile
from starlette.datastructures import UploadFile as StarletteUploadFile

from interview_engine import InterviewService


def get_service(request: Request) -> InterviewService:
    return request.app.state.service


def read_upload(f: Optional[UploadFile], limit: Optional[int] = None) -> Optional[tuple]:
    """(filename, bytes) of an upload, or None when the field is absent. Reads at most limit+1 bytes:
    enough for the service to answer 413 without holding a huge file in memory."""
    if f is None or not isinstance(f, StarletteUploadFile) or not (f.filename or f.size):
        return None
    return f.filename or "blob", f.file.read(-1 if limit is None else limit + 1)
