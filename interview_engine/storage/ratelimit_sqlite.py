"""A `limits` storage in the service's own SQLite file, so every worker process shares one count.

`limits` ships memory, Redis, Memcached and MongoDB storages; the embedded default needs none of those
servers. This implements the storage interface `limits`' moving-window strategy uses (the strategy,
parsing and window maths stay the library's): one row per hit, counted inside a write transaction, so
two workers can never both take the last slot.
"""
from __future__ import annotations

import sqlite3
import threading
import time
from typing import Callable, Optional

from limits.storage import MovingWindowSupport, Storage

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_limits (
    key TEXT NOT NULL,
    at REAL NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS rate_limits_key_at ON rate_limits(key, at);
CREATE INDEX IF NOT EXISTS rate_limits_expires_at ON rate_limits(expires_at);
"""
_PURGE_EVERY_SECONDS = 60.0


class SQLiteRateLimitStorage(Storage, MovingWindowSupport):
    STORAGE_SCHEME = ["interview+sqlite"]

    def __init__(self, uri: Optional[str] = None, wrap_exceptions: bool = False,
                 connect: Optional[Callable[[], sqlite3.Connection]] = None, path: Optional[str] = None,
                 **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        if connect is None:
            target = path or (uri or "").split("://", 1)[-1]
            connect = lambda: sqlite3.connect(target, timeout=30.0, isolation_level=None)  # noqa: E731
        self._connect = connect
        self._local = threading.local()
        self._last_purge = 0.0
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    @property
    def base_exceptions(self):
        return sqlite3.Error

    # Moving window -------------------------------------------------------------------------
    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")  # one writer at a time across processes: the count cannot race
        try:
            (count,) = conn.execute("SELECT COUNT(*) FROM rate_limits WHERE key = ? AND at >= ?",
                                    (key, now - expiry)).fetchone()
            if count + amount > limit:
                conn.execute("COMMIT")
                return False
            conn.executemany("INSERT INTO rate_limits (key, at, expires_at) VALUES (?, ?, ?)",
                             [(key, now, now + expiry)] * amount)
            if now - self._last_purge >= _PURGE_EVERY_SECONDS:
                # Keys name client addresses: keep them no longer than their window.
                self._last_purge = now
                conn.execute("DELETE FROM rate_limits WHERE expires_at <= ?", (now,))
            conn.execute("COMMIT")
            return True
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple:
        now = time.time()
        oldest, count = self._conn().execute(
            "SELECT MIN(at), COUNT(*) FROM rate_limits WHERE key = ? AND at >= ?", (key, now - expiry)).fetchone()
        return (oldest, count) if count else (now, 0)

    # The rest of the storage interface (fixed-window counters are not used) -----------------
    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        for _ in range(amount):
            self.acquire_entry(key, 1 << 30, expiry)
        return self.get(key)

    def get(self, key: str) -> int:
        (count,) = self._conn().execute("SELECT COUNT(*) FROM rate_limits WHERE key = ? AND expires_at > ?",
                                        (key, time.time())).fetchone()
        return count

    def get_expiry(self, key: str) -> float:
        (latest,) = self._conn().execute("SELECT MAX(expires_at) FROM rate_limits WHERE key = ?",
                                         (key,)).fetchone()
        return latest or time.time()

    def check(self) -> bool:
        try:
            self._conn().execute("SELECT 1").fetchone()
            return True
        except sqlite3.Error:
            return False

    def reset(self) -> int:
        return self._conn().execute("DELETE FROM rate_limits").rowcount

    def clear(self, key: str) -> None:
        self._conn().execute("DELETE FROM rate_limits WHERE key = ?", (key,))

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
