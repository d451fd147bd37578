"""Liveness and storage reachability."""
from __future__ import annotations

import anyio
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from interview_engine import InterviewService

from ..deps import get_service

router = APIRouter(tags=["health"])


# Its own two threads: a health check answers even while every thread of the request pool is busy (a load
# spike, long transcriptions), so it reports the process and the store, not the length of a queue.
_LIMITER = None


@router.get("/healthz")
async def healthz(service: InterviewService = Depends(get_service)):
    global _LIMITER
    if _LIMITER is None:
        _LIMITER = anyio.CapacityLimiter(2)
    try:
        return await anyio.to_thread.run_sync(service.health, limiter=_LIMITER)
    except Exception as exc:  # the store is unreachable: report it, do not crash
        return JSONResponse({"status": "unavailable", "detail": f"storage: {type(exc).__name__}"}, status_code=503)
