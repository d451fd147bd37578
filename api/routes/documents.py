"""Stored CVs and job descriptions: beyond the contract, for integrators and the UI."""
from __future__ import annotations

from typing import Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from interview_engine import InterviewService
from interview_engine.service import DocumentInput

from ..deps import DocIdPath, get_owner, get_service, read_upload
from ..schemas import DocumentDeleted, DocumentResponse, DocumentWithText, ErrorResponse

router = APIRouter(prefix="/interview/v2/documents", tags=["documents"])
ERRORS = {400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}, 413: {"model": ErrorResponse}}


@router.post("", response_model=DocumentResponse, responses=ERRORS)
def create_document(kind: Literal["cv", "jd"] = Form(...), file: Optional[UploadFile] = File(None),
                    text: Optional[str] = Form(None),
                    user_id: Optional[str] = Form(None, description="whose document it is: "
                                                                    "DELETE /users/{user_id} erases it too"),
                    service: InterviewService = Depends(get_service), owner: Optional[str] = Depends(get_owner)):
    """Store a CV (`kind=cv`) or job description (`kind=jd`) from a PDF/DOCX/TXT `file` or from `text`.
    Returns its id (use it as `cv_id`/`jd_id` in start-with-ids) and a summary of the extracted text."""
    return service.save_document(DocumentInput(kind=kind, file=read_upload(file, service.settings.max_document_bytes),
                                               text=text, owner=owner, user_id=user_id or None))


@router.get("/{doc_id}", response_model=DocumentWithText, responses=ERRORS)
def get_document(doc_id: DocIdPath, service: InterviewService = Depends(get_service),
                 owner: Optional[str] = Depends(get_owner)):
    """A stored document with its extracted text."""
    return service.get_document(doc_id, owner=owner)


@router.put("/{doc_id}", response_model=DocumentResponse, responses=ERRORS)
def replace_document(doc_id: DocIdPath, file: Optional[UploadFile] = File(None), text: Optional[str] = Form(None),
                     service: InterviewService = Depends(get_service), owner: Optional[str] = Depends(get_owner)):
    """Replace a stored document's content. Its cached analysis (of the old text) is erased."""
    return service.update_document(doc_id, DocumentInput(kind="", file=read_upload(file, service.settings.max_document_bytes),
                                                         text=text, owner=owner))


@router.delete("/{doc_id}", response_model=DocumentDeleted, responses=ERRORS)
def delete_document(doc_id: DocIdPath,
                    cascade: bool = Query(False, description="also erase the sessions started from this document "
                                                             "(they hold a copy of its text)"),
                    service: InterviewService = Depends(get_service), owner: Optional[str] = Depends(get_owner)):
    """Delete a stored document and its cached analyses. Sessions started from it by id keep their copy of
    the text unless `cascade=true`; they are listed in `sessions_with_copies`."""
    return service.delete_document(doc_id, owner=owner, cascade=cascade)
