"""The routes of Interview API V2 (the contract's nine, plus practice history) (documents live in documents.py). Each parses, calls the service, and shapes the response."""
from __future__ import annotations

import json
import re
from typing import Any, Optional

from anyio import to_thread
from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from interview_engine import AnswerInput, InterviewService, StartInput
from interview_engine.errors import BadRequest, Forbidden
from interview_engine.inputs import check_id
from interview_engine.security import Principal, token_matches

from ..deps import SessionIdPath, UserIdPath, get_owner, get_principal, get_service, read_upload
from ..errors import validation_detail
from ..schemas import (AnswerResponse, CompleteResponse, ErrorResponse, GlobalMetricsResponse,
                       PerformanceResponse, ResetResponse, SessionStateResponse, StartRequest, StartResponse,
                       UserSessionsResponse)

router = APIRouter(prefix="/interview/v2", tags=["interview"])
ERRORS = {400: {"model": ErrorResponse}, 404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}}


MAX_JSON_DEPTH = 20
# A JSON string (with its escapes) or one bracket: enough to measure nesting without parsing.
_JSON_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def json_depth(raw: bytes) -> int:
    depth = deepest = 0
    for match in _JSON_TOKEN.finditer(raw):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def parse_json_object(raw: bytes) -> Any:
    """The body as a JSON object, or a 400 list in FastAPI's shape. Runs in the thread pool: even a 1 MB
    body never holds the event loop, and nesting is measured before parsing (5,000 levels would exhaust
    the parser's recursion)."""
    if json_depth(raw) > MAX_JSON_DEPTH:
        raise BadRequest([{"loc": ["body"], "msg": f"JSON nested deeper than {MAX_JSON_DEPTH} levels",
                           "type": "json_too_deep"}])
    try:
        body = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise BadRequest([{"loc": ["body"], "msg": f"Invalid JSON: {str(exc)[:200]}", "type": "json_invalid"}])
    if not isinstance(body, dict):
        raise BadRequest([{"loc": ["body"], "msg": "Input should be a JSON object", "type": "model_type"}])
    return body


async def _json_body(request: Request) -> dict:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise BadRequest("Content-Type must be application/json: send the fields as a JSON object "
                         "(use /interview/v2/start-with-ids for form data)")
    raw = await request.body()  # at most MAX_JSON_MB: the body limit stops anything longer while it arrives
    return await to_thread.run_sync(parse_json_object, raw)


@router.post("/start", response_model=StartResponse, responses=ERRORS,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": StartRequest.model_json_schema()}}}})
async def start(request: Request, service: InterviewService = Depends(get_service),
                owner: Optional[str] = Depends(get_owner)):
    """Start a session from CV and JD text (JSON only). An existing session_id is restored for the same
    user_id; another user_id gets 409."""
    body = await _json_body(request)
    try:
        req = StartRequest.model_validate(body)
    except ValidationError as exc:
        raise BadRequest(validation_detail(exc.errors(), prefix=("body",)))
    return await to_thread.run_sync(service.start, StartInput(**req.model_dump(), owner=owner))


@router.post("/start-with-ids", response_model=StartResponse, responses=ERRORS)
def start_with_ids(
    user_id: str = Form(...), session_id: str = Form(...), role: str = Form(...), company: str = Form(...),
    cv_id: Optional[str] = Form(None), jd_id: Optional[str] = Form(None),
    cv_file: Optional[UploadFile] = File(None), jd_file: Optional[UploadFile] = File(None),
    cv_text: Optional[str] = Form(None), jd_text: Optional[str] = Form(None),
    max_questions: Optional[int] = Form(None), defer_question: bool = Form(False),
    service: InterviewService = Depends(get_service), owner: Optional[str] = Depends(get_owner),
):
    """Start a session from form data: files, stored document ids, or text (files > ids > text, per side).

    Runs in the thread pool (a plain `def`), so text extraction never blocks the event loop."""
    limit = service.settings.max_document_bytes
    return service.start(StartInput(user_id=user_id, session_id=session_id, role=role, company=company,
                                    cv_text=cv_text or "", jd_text=jd_text or "", max_questions=max_questions,
                                    defer_question=defer_question, cv_file=read_upload(cv_file, limit),
                                    jd_file=read_upload(jd_file, limit), cv_id=cv_id or None, jd_id=jd_id or None,
                                    owner=owner))


@router.post("/answer", response_model=AnswerResponse, response_model_exclude_unset=True,
             responses={**ERRORS, 413: {"model": ErrorResponse}, 503: {"model": ErrorResponse}})
def answer(
    request: Request,
    session_id: str = Form(...),
    audio_file: Optional[UploadFile] = File(None), video_file: Optional[UploadFile] = File(None),
    answer_text: Optional[str] = Form(None), defer_question: bool = Form(False),
    question_number: Optional[int] = Form(None, description="Optional guard: the question this answers"),
    retry: bool = Form(False, description="Answer question_number again, replacing its last answer (allowed "
                                          "for the last answered question until the next one is answered)"),
    service: InterviewService = Depends(get_service), owner: Optional[str] = Depends(get_owner),
):
    """Submit an answer: an audio or video recording (transcribed; the response adds `voice_analysis`),
    or typed `answer_text`. Runs in the thread pool; transcription itself runs in a bounded worker pool.
    With `retry=true` and `question_number`, the answer replaces the last one given to that question."""
    limit = service.settings.max_media_bytes
    return service.answer(AnswerInput(session_id=session_id, answer_text=answer_text,
                                      audio=read_upload(audio_file, limit), video=read_upload(video_file, limit),
                                      defer_question=defer_question,
                                      question_number=question_number, retry=retry,
                                      received_at=getattr(request.state, "received_at", None), owner=owner))


@router.get("/stream/{session_id}", response_class=StreamingResponse,
            responses={200: {"description": "Server-Sent Events, each `data:` a JSON object: `{\"chunk\"}`, then "
                                            "`{\"done\": true, \"question_number\"}`, or `{\"error\"}`",
                             "content": {"text/event-stream": {"schema": {
                                 "type": "object", "required": ["data"],
                                 "properties": {"data": {"type": "string"}, "event": {"type": "string"}}}}}},
                       400: {"model": ErrorResponse}})
async def stream(session_id: SessionIdPath, service: InterviewService = Depends(get_service),
                 owner: Optional[str] = Depends(get_owner)):
    """The question awaiting an answer as Server-Sent Events; a deferred question is generated live.
    Errors about the session arrive as events (`{"error": ...}`); a malformed id is a 400.

    Waiting while another request generates the same question holds no thread (api streams never starve
    the thread pool); each engine chunk runs briefly in the pool."""
    check_id("session_id", session_id)

    async def events():
        gen = service.astream(session_id, owner=owner)
        try:
            async for event in gen:
                yield f"data: {json.dumps(event)}\n\n"
        finally:
            await gen.aclose()  # a client gone mid-question: the generator releases its lease now

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "Connection": "keep-alive",
                                      "X-Accel-Buffering": "no"})


@router.get("/state/{session_id}", response_model=SessionStateResponse, responses=ERRORS)
def state(session_id: SessionIdPath, service: InterviewService = Depends(get_service),
          owner: Optional[str] = Depends(get_owner)):
    return service.state(session_id, owner=owner)


@router.get("/performance/{session_id}", response_model=PerformanceResponse, responses=ERRORS)
def performance(session_id: SessionIdPath, service: InterviewService = Depends(get_service),
                owner: Optional[str] = Depends(get_owner)):
    return service.performance(session_id, owner=owner)


@router.get("/users/{user_id}/sessions", response_model=UserSessionsResponse, responses=ERRORS)
def user_sessions(user_id: UserIdPath, service: InterviewService = Depends(get_service),
                  owner: Optional[str] = Depends(get_owner)):
    """A user's sessions, oldest first, with the report's scores for finished ones: practice history. With
    API keys, only the sessions this key's owner started."""
    return service.user_sessions(user_id, owner=owner)


@router.post("/complete/{session_id}", response_model=CompleteResponse, responses=ERRORS)
async def complete(session_id: SessionIdPath, force: bool = Query(False, description="End an unfinished interview now"),
                   service: InterviewService = Depends(get_service), owner: Optional[str] = Depends(get_owner)):
    """Build the final report (once; later calls return the same report). If a question is streaming in
    or an answer is being scored, waits (up to 10 s, holding no thread) for it to be saved first. Returns
    only a report that is saved."""
    return await service.acomplete(session_id, force=force, owner=owner)


@router.get("/metrics/global", response_model=GlobalMetricsResponse)
def metrics_global(service: InterviewService = Depends(get_service)):
    return service.global_metrics()


@router.post("/metrics/reset", response_model=ResetResponse, responses={403: {"model": ErrorResponse}})
def metrics_reset(x_admin_token: Optional[str] = Header(None), service: InterviewService = Depends(get_service),
                  principal: Principal = Depends(get_principal)):
    """With API keys: an admin key (API_ADMIN_OWNERS). Without: X-Admin-Token when ADMIN_TOKEN is set."""
    if principal.owner is not None:
        if not principal.admin:
            raise Forbidden("An admin API key is required")
    else:
        token = service.settings.admin_token
        if token and not token_matches(x_admin_token, token):
            raise Forbidden("A valid X-Admin-Token header is required")
    return service.reset_metrics()
