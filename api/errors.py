"""Error responses in the contract's shapes. Validation errors are 400, never 422."""
from __future__ import annotations

import logging
from typing import Any, List

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.routing import Route

from interview_engine.errors import InterviewError

log = logging.getLogger("interview.api")


def validation_detail(errors: List[dict], prefix: tuple = ()) -> Any:
    """'Missing required field: x' when a field is missing, else FastAPI's detail list."""
    cleaned = []
    for e in errors:
        loc = list(prefix) + [p for p in e.get("loc", ())]
        if e.get("type") == "missing":
            return f"Missing required field: {loc[-1]}"
        cleaned.append({"loc": loc, "msg": e.get("msg"), "type": e.get("type")})
    return jsonable_encoder(cleaned)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InterviewError)
    async def _domain(request: Request, exc: InterviewError):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return JSONResponse({"detail": validation_detail(exc.errors())}, status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            # Starlette names only the methods of the first route matching the path; a path served by
            # several routes (GET, PUT and DELETE /documents/{id}) allows all of theirs.
            headers = {**(headers or {}), "Allow": ", ".join(_allowed_methods(request))}
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect):
        # The client left mid-body, or the body limit cut it off (it already has its 413): nothing to say.
        return JSONResponse({"detail": "Client disconnected"}, status_code=400)

    @app.exception_handler(RecursionError)
    async def _recursion(request: Request, exc: RecursionError):
        # Never a 500 for input too deeply nested to walk; the JSON route refuses such bodies before this.
        return JSONResponse({"detail": "Input nested too deeply"}, status_code=400)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error", extra={"path": request.url.path})
        return JSONResponse({"detail": f"Internal error: {type(exc).__name__}"}, status_code=500)


def _allowed_methods(request: Request) -> List[str]:
    methods = set()
    for route in request.app.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.url.path):
            methods |= set(route.methods)
    return sorted(methods)
