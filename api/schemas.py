"""Request and response schemas of the REST contract (`../shared/interview-api-v2.md`)."""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, Union

from typing_extensions import Annotated

from pydantic import BaseModel, WithJsonSchema, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, StrictStr, field_validator

from pydantic_core import PydanticCustomError

from interview_engine.models import VoiceAnalysis

ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,128}$"


class StartRequest(BaseModel):
    """OptimizedStartRequest, plus two optional fields: max_questions and defer_question."""

    model_config = ConfigDict(extra="ignore")
    user_id: StrictStr = Field(pattern=ID_PATTERN, description="1-128 characters from A-Za-z0-9_.:-")
    session_id: StrictStr = Field(pattern=ID_PATTERN, description="1-128 characters from A-Za-z0-9_.:-")
    role: StrictStr = Field(min_length=1, max_length=200)
    company: StrictStr = Field(min_length=1, max_length=200)
    cv_text: StrictStr
    jd_text: StrictStr
    # JSON has one number type: 5.0 is the integer 5 (JSON Schema agrees); 5.5, "5" and true are not.
    max_questions: Annotated[Optional[Union[StrictInt, StrictFloat]], WithJsonSchema(
        {"anyOf": [{"type": "integer", "minimum": 3, "maximum": 15}, {"type": "null"}]})] = Field(None, ge=3, le=15)
    defer_question: StrictBool = False

    @field_validator("cv_text", "jd_text")
    @classmethod
    def _unicode(cls, value):
        # pydantic refuses a lone surrogate in role and company (their length checks encode the text) but
        # passes it in the unbounded texts: refuse it here the same way, before anything hashes or stores it.
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise PydanticCustomError("string_unicode",
                                      "Input should be a valid string, unable to parse raw data as a unicode string")
        return value

    @field_validator("max_questions")
    @classmethod
    def _whole(cls, value):
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("Input should be a valid integer")
            return int(value)
        return value


class StartResponse(BaseModel):
    session_id: str
    status: Literal["active", "restored", "completed"]
    question: Optional[str]
    question_number: int


class EvaluationOut(BaseModel):
    clarity: int
    relevance: int
    depth: int
    feedback: str
    evidence: Dict[str, Any] = Field(default_factory=dict)
    engine: Optional[str] = Field(None, description="who scored it: offline, gemini:<model>, openai:<model>, "
                                                    "or offline-fallback when the provider failed")
    tips: List[str] = Field(default_factory=list, description="plain-language coaching from the evidence")


class AnswerResponse(BaseModel):
    session_id: str
    status: Literal["active", "completed"]
    question: Optional[str] = None
    question_number: Optional[int] = None
    evaluation: Optional[EvaluationOut] = None
    voice_analysis: Optional[VoiceAnalysis] = None  # the engine's own model: the contract's six fields and evidence
    video_analysis: Optional[Dict[str, Any]] = None
    message: Optional[str] = None
    total_questions: Optional[int] = None
    attempt: Optional[int] = Field(None, description="with retry=true: which attempt at the question this was")


class MessageOut(BaseModel):
    role: Literal["interviewer", "candidate"]
    content: str
    timestamp: float
    metadata: Dict[str, Any] = Field(default_factory=dict)


class SessionStateResponse(BaseModel):
    session_id: str
    user_id: str
    role: str
    company: str
    question_count: int
    stage: Literal["intro", "technical", "behavioral", "closing"]
    completed: bool
    messages: List[MessageOut]
    avg_response_time: float
    max_questions: int
    analysis: Optional[Dict[str, Any]] = None


class ResponseTimes(BaseModel):
    min: float
    max: float
    avg: float
    all: List[float]


class PerformanceResponse(BaseModel):
    session_id: str
    total_questions: int
    response_times: ResponseTimes
    cache_status: Literal["active", "not_cached"]


class CompleteResponse(BaseModel):
    session_id: str
    status: Literal["completed"]
    total_questions: int
    evaluation: Dict[str, Any]
    conversation: List[Dict[str, Any]]
    performance_metrics: Dict[str, Any]
    strengths: List[str] = Field(default_factory=list)
    areas_to_improve: List[str] = Field(default_factory=list)
    ended_early: bool = False


class SessionSummary(BaseModel):
    session_id: str
    role: str
    company: str
    status: Literal["active", "completed"]
    created_at: float
    updated_at: float
    expires_at: float
    question_count: int
    max_questions: int
    answered: int
    attempts: int = Field(description="answers given, retries included")
    overall_score: Optional[float] = None
    recommendation: Optional[Literal["hire", "maybe", "no_hire"]] = None
    clarity: Optional[float] = None
    relevance: Optional[float] = None
    depth: Optional[float] = None
    voice_total: Optional[float] = None
    video_delivery: Optional[float] = None
    ended_early: Optional[bool] = None


class UserSessionsResponse(BaseModel):
    user_id: str
    sessions: List[SessionSummary]


class DurationStats(BaseModel):
    total: int
    avg_duration: float
    min_duration: float
    max_duration: float


class CacheStats(BaseModel):
    hits: int
    misses: int
    hit_rate: float
    hit_rate_percentage: str


class GlobalMetricsBody(BaseModel):
    llm_calls: DurationStats
    api_requests: DurationStats
    cache: CacheStats


class GlobalMetricsResponse(BaseModel):
    status: Literal["success"]
    metrics: GlobalMetricsBody
    timestamp: float


class ResetResponse(BaseModel):
    status: Literal["success"]
    message: str


class ErrorResponse(BaseModel):
    detail: Any


class DocumentSummary(BaseModel):
    characters: int
    words: int
    lines: int
    headings: List[str]
    skills: List[str]
    years_experience: Optional[float] = None
    seniority: Optional[str] = None
    preview: str


class DocumentResponse(BaseModel):
    id: str
    kind: Literal["cv", "jd"]
    filename: Optional[str] = None
    format: Optional[str] = None
    pages: Optional[int] = None
    created_at: Optional[float] = None
    updated_at: Optional[float] = None
    summary: DocumentSummary


class DocumentWithText(DocumentResponse):
    text: str


class DocumentDeleted(BaseModel):
    status: Literal["deleted"]
    id: str
    sessions_deleted: List[str] = Field(default_factory=list, description="erased with ?cascade=true")
    sessions_with_copies: List[str] = Field(default_factory=list,
                                            description="sessions started from it that still hold its text")


class SessionDeleted(BaseModel):
    status: Literal["deleted"]
    session_id: str


class UserDeleted(BaseModel):
    status: Literal["deleted"]
    user_id: str
    sessions_deleted: List[str]
    documents_deleted: List[str]
    documents_kept: List[str] = Field(description="documents this user's sessions used by id but that were not "
                                                  "stored with this user_id (they may be shared, like a JD)")
