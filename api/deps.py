"""Dependencies shared by the routers."""
from __future__ import annotations

from typing import Optional

from fastapi import Request, Security, UploadFile
from fastapi.security import APIKeyHeader
from starlette.datastructures import UploadFile as StarletteUploadFile

from interview_engine import InterviewService
from interview_engine.security import ANONYMOUS, Principal

# Declared for the OpenAPI docs ("Authorize" in /docs); the key itself is checked by SecurityMiddleware
# before the request reaches a route.
api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="Needed only when the server sets API_KEYS")


def get_service(request: Request) -> InterviewService:
    return request.app.state.service


def get_principal(request: Request, _key: Optional[str] = Security(api_key_header)) -> Principal:
    return getattr(request.state, "principal", ANONYMOUS)


def get_owner(principal: Principal = Security(get_principal)) -> Optional[str]:
    """The API-key owner the request acts for (None when keys are off)."""
    return principal.owner


def read_upload(f: Optional[UploadFile], limit: Optional[int] = None) -> Optional[tuple]:
    """(filename, bytes) of an upload, or None when the field is absent. Reads at most limit+1 bytes:
    enough for the service to answer 413 without holding a huge file in memory."""
    if f is None or not isinstance(f, StarletteUploadFile) or not (f.filename or f.size):
        return None
    return f.filename or "blob", f.file.read(-1 if limit is None else limit + 1)
