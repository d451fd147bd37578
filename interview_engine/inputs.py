"""What the use cases take: typed inputs and the checks every entry point (REST, UI, CLI) shares."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

from .errors import BadRequest
from .text import normalise

if TYPE_CHECKING:
    from .speech.live import LiveTranscription

ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,128}$"
ID_RE = re.compile(ID_PATTERN)
# Stored document ids: ours are 24 hex digits; an integrator's own may use the characters of session ids.
DOC_ID_PATTERN = r"^[A-Za-z0-9_.:\-]{1,200}$"
DOC_ID_RE = re.compile(DOC_ID_PATTERN)
MAX_TEXT_CHARS = 200_000


def check_kind(kind: Any) -> str:
    if kind not in ("cv", "jd"):
        raise BadRequest("kind must be 'cv' or 'jd'")
    return kind


def check_doc_id(value: Any) -> str:
    """Any string id an integrator uses (ObjectId hex or their own), within sane bounds."""
    if not isinstance(value, str) or not DOC_ID_RE.match(value):
        raise BadRequest("Document ids are 1-200 characters from A-Z, a-z, 0-9, '_', '.', ':' and '-'")
    return value


def check_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise BadRequest(f"{name} must be 1-128 characters from A-Z, a-z, 0-9, '_', '.', ':' and '-'")
    return value


def check_text(name: str, value: Any) -> None:
    """Refuses a string that is not Unicode text: JSON may carry a lone UTF-16 surrogate ("\\ud800"), which
    Python keeps in a str but nothing can encode (hashing, storing, logging it would fail later)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadRequest(f"{name} is not valid Unicode text: it holds a lone surrogate "
                             f"({value[exc.start]!a}) at character {exc.start}") from None


def _check_texts(inputs: Any) -> None:
    for name, value in vars(inputs).items():
        check_text(name, value)


def content_digest(text: str) -> str:
    """What identifies a text in the analysis cache (and lets erasure find its entries)."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


@dataclass
class StartInput:
    user_id: str
    session_id: str
    role: str
    company: str
    cv_text: str = ""
    jd_text: str = ""
    max_questions: Optional[int] = None
    defer_question: bool = False
    # start-with-ids: per side, a file wins over a stored document id, which wins over text.
    cv_file: Optional[Tuple[str, bytes]] = None  # (filename, bytes)
    jd_file: Optional[Tuple[str, bytes]] = None
    cv_id: Optional[str] = None
    jd_id: Optional[str] = None
    owner: Optional[str] = None  # the API-key owner making the request (None without keys)

    def __post_init__(self) -> None:
        _check_texts(self)


@dataclass
class DocumentInput:
    kind: str  # "cv" | "jd"
    file: Optional[Tuple[str, bytes]] = None
    text: Optional[str] = None
    owner: Optional[str] = None
    user_id: Optional[str] = None  # whose document it is: DELETE /users/{user_id} erases it too

    def __post_init__(self) -> None:
        _check_texts(self)


@dataclass
class AnswerInput:
    session_id: str
    answer_text: Optional[str] = None
    audio: Optional[Tuple[str, bytes]] = None  # (filename, bytes)
    video: Optional[Tuple[str, bytes]] = None
    defer_question: bool = False
    question_number: Optional[int] = None
    received_at: Optional[float] = None  # when the request arrived (service clock), if known
    metadata: Dict[str, Any] = field(default_factory=dict)
    owner: Optional[str] = None
    # Answer question_number again, replacing its last answer (only the last answered question, and
    # only before the next one is answered).
    retry: bool = False
    # Told each step as it starts ("transcribing", "scoring"), so a UI can name what is happening.
    on_step: Optional[Callable[[str], None]] = None
    # A live answer (start_live) the candidate has stopped: its audio is already in, mostly transcribed.
    live: Optional["LiveAnswer"] = None

    def __post_init__(self) -> None:
        _check_texts(self)


@dataclass
class LiveAnswer:
    """A spoken answer arriving in chunks (see speech/live.py). Nothing is stored until `answer` takes it."""

    session_id: str
    question_number: int
    transcription: "LiveTranscription"
    opened_at: float  # service clock: a session moved on since then makes the answer a duplicate (409)
    retry: bool = False
    owner: Optional[str] = None

    def feed(self, data, sample_rate: int = 16000, fmt: str = "s16le") -> None:
        self.transcription.feed(data, sample_rate, fmt)

    def snapshot(self) -> Dict[str, Any]:
        return self.transcription.snapshot()

    def abort(self) -> None:
        self.transcription.abort()
