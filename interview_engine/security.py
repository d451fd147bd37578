"""API keys and rate limits: who is calling, and how often they may.

API keys are optional (off by default: a laptop demo needs none). When `API_KEYS` names them, each
key maps to an owner; sessions and documents belong to the owner whose key created them. Only
SHA-256 hashes of the keys are configured: keys are 256 random bits, so a fast hash is as strong as a
slow one here, and it keeps the check to microseconds.
"""
from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

OWNER_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
KEY_PREFIX = "ik_"


def hash_key(key: str) -> str:
    """The hex SHA-256 of a key: what `API_KEYS` holds."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> str:
    """A new API key: 256 random bits."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Principal:
    """Who a request acts for. `owner` is None when keys are off (everyone shares one space)."""

    owner: Optional[str]
    admin: bool = False


ANONYMOUS = Principal(None)


class ApiKeys:
    """The configured keys: `owner:sha256hex` entries, separated by commas or whitespace. An owner may
    have several keys (rotation). Owners listed in `API_ADMIN_OWNERS` may reset metrics."""

    def __init__(self, entries: List[Tuple[str, bytes]], admins: Tuple[str, ...] = ()):
        self.entries = entries
        self.admins = frozenset(admins)

    @classmethod
    def parse(cls, spec: Optional[str], admins: Optional[str] = None) -> "ApiKeys":
        entries: List[Tuple[str, bytes]] = []
        for item in re.split(r"[\s,]+", (spec or "").strip()):
            if not item:
                continue
            owner, sep, digest = item.rpartition(":")
            digest = digest.lower()
            if not sep or not OWNER_RE.match(owner) or not _HEX64.match(digest):
                shown = item if len(item) < 12 else item[:8] + "..."
                raise ValueError(f"API_KEYS entry {shown!r} is not owner:sha256hex (owner 1-64 characters from "
                                 "A-Za-z0-9_.-, then the 64-hex SHA-256 of the key; "
                                 "`python -m interview_engine new-api-key OWNER` prints one)")
            entries.append((owner, bytes.fromhex(digest)))
        admin_owners = tuple(a for a in re.split(r"[\s,]+", (admins or "").strip()) if a)
        unknown = [a for a in admin_owners if a not in {o for o, _ in entries}]
        if entries and unknown:
            raise ValueError(f"API_ADMIN_OWNERS names owners with no key in API_KEYS: {', '.join(unknown)}")
        return cls(entries, admin_owners)

    @property
    def enabled(self) -> bool:
        return bool(self.entries)

    def verify(self, key: Optional[str]) -> Optional[Principal]:
        """The principal for a presented key, or None. Every configured hash is compared, in constant
        time, whatever matches: the time taken says nothing about which key, or how much of it, matched."""
        if not key:
            return None
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).digest()
        found: Optional[str] = None
        for owner, expected in self.entries:
            if hmac.compare_digest(digest, expected):
                found = owner
        if found is None:
            return None
        return Principal(found, admin=found in self.admins)


def token_matches(presented: Optional[str], expected: str) -> bool:
    """Constant-time comparison of a presented secret with the configured one (any lengths)."""
    a = hashlib.sha256((presented or "").encode("utf-8", "surrogateescape")).digest()
    b = hashlib.sha256(expected.encode("utf-8")).digest()
    return hmac.compare_digest(a, b) and presented is not None


# Rate limits ---------------------------------------------------------------------------------
BUCKETS = ("start", "answer", "documents", "ui")


class RateLimited(Exception):
    def __init__(self, bucket: str, limit: str, retry_after: int):
        super().__init__(f"{bucket}: {limit}")
        self.bucket, self.limit, self.retry_after = bucket, limit, retry_after


class RateLimits:
    """Per-caller limits on the routes that create data, with `limits`' moving-window strategy over a
    storage every worker shares (the service's SQLite file or MongoDB database, or any `limits` URI)."""

    def __init__(self, specs: Dict[str, str], storage: Any):
        from limits import parse_many
        from limits.strategies import MovingWindowRateLimiter

        self.items = {bucket: parse_many(spec) for bucket, spec in specs.items() if spec and spec.strip()}
        self.limiter = MovingWindowRateLimiter(storage)

    def hit(self, bucket: str, identity: str) -> None:
        """Count one request; raise RateLimited (with the seconds until a slot frees) when over."""
        for item in self.items.get(bucket, ()):
            if not self.limiter.hit(item, bucket, identity):
                stats = self.limiter.get_window_stats(item, bucket, identity)
                retry = max(1, math.ceil(stats.reset_time - time.time()))
                raise RateLimited(bucket, f"{item.amount} per {item.multiples} {item.GRANULARITY.name}", retry)


def bucket_for(method: str, path: str) -> Optional[str]:
    """Which limit a request counts against, if any."""
    if path.startswith("/interview/v2/"):
        tail = path[len("/interview/v2/"):]
        if method == "POST" and tail in ("start", "start-with-ids"):
            return "start"
        if method == "POST" and tail == "answer":
            return "answer"
        if tail == "documents" or tail.startswith("documents/"):
            return "documents"
        return None
    if method == "POST" and path.startswith("/gradio_api/"):
        return "ui"  # the mounted UI's uploads and events (it calls the same service in process)
    return None
