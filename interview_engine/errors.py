"""Domain errors. The API maps each to its status code; `detail` is sent as the contract shows it."""
from __future__ import annotations

from typing import Any, Dict, Optional


class InterviewError(Exception):
    status_code = 400

    def __init__(self, detail: Any, headers: Optional[Dict[str, str]] = None):
        super().__init__(detail if isinstance(detail, str) else str(detail))
        self.detail = detail
        self.headers = headers


class BadRequest(InterviewError):
    status_code = 400


class Forbidden(InterviewError):
    status_code = 403


class NotFound(InterviewError):
    status_code = 404


class Conflict(InterviewError):
    status_code = 409


class PayloadTooLarge(InterviewError):
    status_code = 413


class Unavailable(InterviewError):
    status_code = 503
