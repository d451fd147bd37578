"""Erasure: a session and everything derived from it, or everything of one user."""
from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends

from interview_engine import InterviewService

from ..deps import SessionIdPath, UserIdPath, get_owner, get_service
from ..schemas import ErrorResponse, SessionDeleted, UserDeleted

router = APIRouter(prefix="/interview/v2", tags=["privacy"])


@router.delete("/sessions/{session_id}", response_model=SessionDeleted,
               responses={400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}})
def delete_session(session_id: SessionIdPath, service: InterviewService = Depends(get_service),
                   owner: Optional[str] = Depends(get_owner)):
    """Erase a session: its conversation, transcripts, scores and report, and the cached analyses of its
    CV and JD text. Stored documents it was started from are kept (delete them with DELETE /documents)."""
    return service.delete_session(session_id, owner=owner)


@router.delete("/users/{user_id}", response_model=UserDeleted, responses={400: {"model": ErrorResponse}})
def delete_user(user_id: UserIdPath, service: InterviewService = Depends(get_service),
                owner: Optional[str] = Depends(get_owner)):
    """Erase everything of one user: their sessions, the analyses cached from them, and the documents
    stored with this `user_id`. Answers 200 with empty lists when there is nothing to erase."""
    return service.delete_user(user_id, owner=owner)
