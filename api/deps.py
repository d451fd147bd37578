"""Dependencies shared by the routers."""
from __future__ import annotations

from typing import Optional

from fastapi import Path, Request, Security, UploadFile
from typing_extensions import Annotated
from fastapi.security import APIKeyHeader
from starlette.datastructures import UploadFile as StarletteUploadFile

from interview_engine import InterviewService
from interview_engine.inputs import DOC_ID_PATTERN, ID_PATTERN
from interview_engine.security import ANONYMOUS, Principal

# Ids in paths, as /openapi.json declares them. The service checks them (400 with its own message), so
# FastAPI is not asked to validate them a second time with another message.
_ID_SCHEMA = {"pattern": ID_PATTERN, "minLength": 1, "maxLength": 128}
SessionIdPath = Annotated[str, Path(description="1-128 characters from A-Za-z0-9_.:-", json_schema_extra=_ID_SCHEMA)]
UserIdPath = Annotated[str, Path(description="1-128 characters from A-Za-z0-9_.:-", json_schema_extra=_ID_SCHEMA)]
DocIdPath = Annotated[str, Path(description="the id returned by POST /documents (or an integrator's own: 1-200 "
                                            "characters from A-Za-z0-9_.:-)",
                                json_schema_extra={"minLength": 1, "maxLength": 200, "pattern": DOC_ID_PATTERN})]

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
