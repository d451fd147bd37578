"""The storage interface every backend implements, and the contract test suite checks.

Sessions carry a version and a short lease ("lock"). A request that changes a session first
claims it at the version it read; only one claimant can win, so two racing answers can never
both be accepted, and nothing is lost. Expiry is judged by the injected clock on every read, so a
session is gone exactly when its TTL passes, whatever the backend's background purge is doing.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Protocol

Clock = Callable[[], float]

METRIC_NAMES = ("llm_calls", "api_requests")
COUNTER_NAMES = ("cache_hits", "cache_misses")


@dataclass
class StoredSession:
    session_id: str
    data: Dict[str, Any]
    version: int
    expires_at: float
    lock_token: Optional[str] = None
    lock_until: Optional[float] = None


class Storage(Protocol):
    clock: Clock
    backend: str

    # Sessions -----------------------------------------------------------------------------
    def get_session(self, session_id: str) -> Optional[StoredSession]: ...

    def create_session(self, session_id: str, data: Dict[str, Any], expires_at: float) -> bool:
        """Insert if absent (or expired). False when a live session already has this id."""

    def claim_session(self, session_id: str, version: int, token: str, lease_until: float) -> bool:
        """Take the session's lease if it is still at `version` and no live lease is held."""

    def commit_session(self, session_id: str, version: int, token: str, data: Dict[str, Any],
                       expires_at: float) -> bool:
        """Write new data as version+1 and drop the lease; only the lease holder can."""

    def release_session(self, session_id: str, token: str) -> None: ...

    def list_sessions(self, user_id: str, limit: int = 500) -> List[StoredSession]:
        """A user's live sessions, oldest first (at most `limit`, the newest ones)."""

    def delete_session(self, session_id: str) -> None: ...

    def purge_expired(self) -> List[str]:
        """Delete expired sessions and cache entries now; returns the session ids removed."""

    # Analysis cache ------------------------------------------------------------------------
    def cache_get(self, key: str) -> Optional[Dict[str, Any]]: ...

    def cache_put(self, key: str, value: Dict[str, Any], expires_at: float) -> None: ...

    # Stored CVs and job descriptions ---------------------------------------------------------
    def put_document(self, doc: Dict[str, Any]) -> None:
        """Insert or replace a document: {id, kind ("cv"|"jd"), text, filename, format, created_at, updated_at}."""

    def get_document(self, doc_id: str, kind: Optional[str] = None) -> Optional[Dict[str, Any]]: ...

    def delete_document(self, doc_id: str) -> bool: ...

    # Metrics (shared by every worker process) ----------------------------------------------
    def observe(self, name: str, value: float) -> None: ...

    def incr(self, name: str, n: int = 1) -> None: ...

    def metrics_snapshot(self) -> Dict[str, Dict[str, float]]: ...

    def metrics_reset(self) -> None: ...

    # LangGraph checkpoints in the same backend ---------------------------------------------
    def checkpointer(self) -> Any: ...

    def delete_checkpoints(self, session_id: str) -> None: ...

    def ping(self) -> bool: ...

    def close(self) -> None: ...


def new_document_id() -> str:
    """A 24-hex ObjectId string, on every backend, so ids look the same whichever store made them."""
    from bson import ObjectId

    return str(ObjectId())


def empty_metric() -> Dict[str, float]:
    return {"count": 0, "sum": 0.0, "min": 0.0, "max": 0.0}


def system_clock() -> float:
    return time.time()
