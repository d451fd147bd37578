"""Dependencies shared by the routers."""
from __future__ import annotations

from fastapi import Request

from interview_engine import InterviewService


def get_service(request: Request) -> InterviewService:
    return request.app.state.service
