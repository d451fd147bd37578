"""The storage interface every backend implements, and the contract test suite checks.

Sessions carry a version and a short lease ("lock"). A request that changes a session first
claims it at the version it read; only one claimant can win, so two racing answers can never
both be accepted, and nothing is lost. A lease names its holder (the process, see leases.py), is
renewed while the holder works, and can be taken over from a holder known to be dead. Only the
holder of the token can commit, at the version it claimed, so even a lease taken over by mistake
cannot make two writes succeed. Expiry is judged by the injected clock on every read, so a
session is gone exactly when its TTL passes, whatever the backend's background purge is doing.
"""
from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence

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
    lock_holder: Optional[str] = None  # the process holding the lease (leases.process_identity())


class Storage(Protocol):
    clock: Clock
    backend: str

    # Sessions -----------------------------------------------------------------------------
    def get_session(self, session_id: str, include_expired: bool = False) -> Optional[StoredSession]:
        """A live session by its storage key (see session_key); expired ones too for erasure."""

    def create_session(self, session_id: str, data: Dict[str, Any], expires_at: float) -> bool:
        """Insert if absent (or expired). False when a live session already has this id."""

    def claim_session(self, session_id: str, version: int, token: str, lease_until: float,
                      holder: Optional[str] = None, stale_token: Optional[str] = None) -> bool:
        """Take the session's lease if it is still at `version` and no live lease is held. With
        `stale_token`, take it over from that lease (its holder is known to be dead) even before it lapses."""

    def renew_session(self, session_id: str, token: str, lease_until: float) -> bool:
        """Extend a held lease; False when it is no longer this token's."""

    def release_holder(self, holder: str) -> int:
        """Drop every lease this holder still has (graceful shutdown); returns how many."""

    def commit_session(self, session_id: str, version: int, token: str, data: Dict[str, Any],
                       expires_at: float) -> bool:
        """Write new data as version+1 and drop the lease; only the lease holder can."""

    def release_session(self, session_id: str, token: str) -> None: ...

    def delete_session(self, session_id: str) -> bool: ...

    def session_keys(self, owner: Optional[str], user_id: Optional[str] = None,
                     doc_id: Optional[str] = None) -> List[str]:
        """Keys of the owner's sessions (expired ones not yet purged included), narrowed to one user_id
        and/or to sessions that copied the stored document `doc_id`. The key is what get_session takes."""

    def list_sessions(self, user_id: str, owner: Optional[str] = None, limit: int = 500) -> List[StoredSession]:
        """A user's live sessions under one owner, oldest first (at most `limit`, the newest ones)."""

    def purge_expired(self) -> List[str]:
        """Delete expired sessions and cache entries now; returns the session ids removed."""

    # Analysis cache ------------------------------------------------------------------------
    def cache_get(self, key: str) -> Optional[Dict[str, Any]]: ...

    def cache_put(self, key: str, value: Dict[str, Any], expires_at: float, owner: Optional[str] = None,
                  digest: Optional[str] = None, doc_id: Optional[str] = None) -> None:
        """`owner`, `digest` (of the analysed text) and `doc_id` say what the entry was derived from,
        so erasure can find it."""

    def cache_delete(self, owner: Optional[str], digests: Sequence[str] = (), doc_ids: Sequence[str] = ()) -> int:
        """Delete the owner's entries derived from any of these texts or stored documents."""

    # Stored CVs and job descriptions ---------------------------------------------------------
    def put_document(self, doc: Dict[str, Any]) -> None:
        """Insert or replace a document: {id, kind ("cv"|"jd"), text, filename, format, created_at, updated_at,
        owner, user_id}."""

    def get_document(self, doc_id: str, kind: Optional[str] = None) -> Optional[Dict[str, Any]]: ...

    def delete_document(self, doc_id: str) -> bool: ...

    def document_ids(self, owner: Optional[str], user_id: str) -> List[str]:
        """Ids of the owner's documents stored for this user_id."""

    # Erasure -----------------------------------------------------------------------------
    def flush_deleted(self) -> None:
        """Make deletions final in the files too (SQLite: checkpoint and truncate the WAL)."""

    # Metrics (shared by every worker process) ----------------------------------------------
    def observe(self, name: str, value: float) -> None: ...

    def incr(self, name: str, n: int = 1) -> None: ...

    def metrics_snapshot(self) -> Dict[str, Dict[str, float]]: ...

    def metrics_reset(self) -> None: ...

    # Rate limits shared by every worker process --------------------------------------------
    def rate_limit_storage(self) -> Any:
        """A `limits` storage (moving-window capable) in the same backend."""

    def ping(self) -> bool: ...

    def close(self) -> None: ...


# Legacy LangGraph checkpoint tables/collections: the graph runs without a checkpointer now (the session
# record is the source of truth), and these held copies of every CV; they are dropped on start-up.
LEGACY_CHECKPOINT_TABLES = ("checkpoints", "writes")
LEGACY_CHECKPOINT_COLLECTIONS = ("checkpoints", "checkpoint_writes")


def new_document_id() -> str:
    """96 random bits as 24 hex characters: the shape of an ObjectId (integrators see no change), but
    unguessable. An ObjectId is a timestamp plus a counter, so "my id + 1" was someone else's CV."""
    return secrets.token_hex(12)


def session_key(owner: Optional[str], session_id: str) -> str:
    """Where a session is stored. With API keys each owner has its own session-id namespace, so another
    owner's id is simply not found (no 403 that would confirm it exists). '/' cannot occur in a session id
    or an owner name, so keys never collide; without keys the key is the session id itself."""
    return session_id if owner is None else f"{owner}/{session_id}"


def empty_metric() -> Dict[str, float]:
    return {"count": 0, "sum": 0.0, "min": 0.0, "max": 0.0}


def system_clock() -> float:
    return time.time()
