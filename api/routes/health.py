"""Liveness and storage reachability."""
from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from interview_engine import InterviewService

from ..deps import get_service

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(service: InterviewService = Depends(get_service)):
    try:
        return service.health()
    except Exception as exc:  # the store is unreachable: report it, do not crash
        return JSONResponse({"status": "unavailable", "detail": f"storage: {type(exc).__name__}"}, status_code=503)
