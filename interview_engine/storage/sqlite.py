"""Embedded storage: one SQLite file (WAL) that several worker processes can share safely.

Privacy: the folder is 0700 and the files 0600; `secure_delete` zeroes deleted rows, and erasures end
with a WAL checkpoint that truncates the log, so an erased CV leaves no byte in any file.
"""
from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from . import codec
from .base import (COUNTER_NAMES, LEGACY_CHECKPOINT_TABLES, METRIC_NAMES, Clock, StoredSession, empty_metric,
                   system_clock)

log = logging.getLogger("interview.storage")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,  -- the storage key: the session id, or owner/session id with API keys
    user_id TEXT,
    owner TEXT,
    version INTEGER NOT NULL,
    lock_token TEXT,
    lock_until REAL,
    lock_holder TEXT,
    expires_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions(expires_at);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions(user_id);
CREATE TABLE IF NOT EXISTS analysis_cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL,
    owner TEXT,
    digest TEXT,
    doc_id TEXT
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    filename TEXT,
    format TEXT,
    pages INTEGER,
    created_at REAL,
    updated_at REAL,
    owner TEXT,
    user_id TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    name TEXT PRIMARY KEY,
    count INTEGER NOT NULL DEFAULT 0,
    sum REAL NOT NULL DEFAULT 0,
    min REAL,
    max REAL
);
"""
# Columns added since the first release; older files gain them on open.
_ADDED_COLUMNS = {"sessions": ("owner", "lock_holder"), "analysis_cache": ("owner", "digest", "doc_id"),
                  "documents": ("owner", "user_id")}
_INDEXES = """
CREATE INDEX IF NOT EXISTS sessions_owner_user ON sessions(owner, user_id);
CREATE INDEX IF NOT EXISTS analysis_cache_digest ON analysis_cache(digest);
CREATE INDEX IF NOT EXISTS analysis_cache_doc_id ON analysis_cache(doc_id);
CREATE INDEX IF NOT EXISTS documents_owner_user ON documents(owner, user_id);
CREATE INDEX IF NOT EXISTS sessions_lock_holder ON sessions(lock_holder) WHERE lock_holder IS NOT NULL;
"""
_PURGE_EVERY_SECONDS = 60.0
_SESSION_COLUMNS = "session_id, data, version, expires_at, lock_token, lock_until, lock_holder"


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"))  # no spaces after separators: ~5% of a session


def _stored(row) -> StoredSession:
    return StoredSession(row[0], codec.unpack(json.loads(row[1])), row[2], row[3], row[4], row[5], row[6])


class SQLiteStorage:
    backend = "sqlite"

    def __init__(self, path: Path, clock: Clock = system_clock):
        self.path = Path(path)
        self._private_files()
        self.clock = clock
        self._local = threading.local()
        self._last_purge = 0.0
        self._rate_limits = None
        conn = self._conn()
        conn.executescript(_SCHEMA)
        for table, columns in _ADDED_COLUMNS.items():
            have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
            for column in columns:
                if column not in have:
                    conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} TEXT")
                    if table == "analysis_cache":
                        # Older entries do not say what they came from, so erasure could not find them:
                        # they are only a cache, drop them.
                        conn.execute("DELETE FROM analysis_cache")
        conn.executescript(_INDEXES)
        self._drop_legacy_checkpoints(conn)

    def _private_files(self) -> None:
        """The data folder 0700 and the database files 0600, created so before SQLite opens them (SQLite
        gives the -wal and -shm files the database file's mode)."""
        folder = self.path.parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        for f in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm")):
            if f.exists():
                os.chmod(f, 0o600)

    def _drop_legacy_checkpoints(self, conn: sqlite3.Connection) -> None:
        """Earlier versions kept LangGraph checkpoints (a copy of the CV per step) in this file."""
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        legacy = [t for t in LEGACY_CHECKPOINT_TABLES if t in tables]
        if not legacy:
            return
        for table in legacy:
            conn.execute(f"DROP TABLE {table}")
        conn.execute("VACUUM")  # rewrites the file without the freed pages
        self.flush_deleted()
        log.info("dropped legacy LangGraph checkpoint tables", extra={"tables": legacy})

    # Connections: one per thread, autocommit, WAL so readers never block the writer.
    def _connect(self, check_same_thread: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None,
                               check_same_thread=check_same_thread)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        # Deleted rows are overwritten with zeros, not left in free space.
        conn.execute("PRAGMA secure_delete=ON")
        # When the log is reset after a checkpoint it is cut back, so old page images do not linger in it.
        conn.execute("PRAGMA journal_size_limit=0")
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _maybe_purge(self) -> None:
        now = self.clock()
        if now - self._last_purge >= _PURGE_EVERY_SECONDS:
            self._last_purge = now
            self.purge_expired()

    # Sessions -----------------------------------------------------------------------------
    def get_session(self, session_id: str, include_expired: bool = False) -> Optional[StoredSession]:
        row = self._conn().execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE session_id = ? AND expires_at > ?",
            (session_id, float("-inf") if include_expired else self.clock())).fetchone()
        return None if row is None else _stored(row)

    def create_session(self, session_id: str, data: Dict[str, Any], expires_at: float) -> bool:
        self._maybe_purge()
        cur = self._conn().execute(
            "INSERT INTO sessions (session_id, user_id, owner, version, expires_at, data) VALUES (?, ?, ?, 1, ?, ?) "
            "ON CONFLICT(session_id) DO UPDATE SET user_id = excluded.user_id, owner = excluded.owner, "
            "version = sessions.version + 1, "
            "expires_at = excluded.expires_at, data = excluded.data, lock_token = NULL, lock_until = NULL "
            "WHERE sessions.expires_at <= ?",
            (session_id, data.get("user_id"), data.get("owner"), expires_at, _dumps(codec.pack(data)), self.clock()))
        return cur.rowcount == 1

    def claim_session(self, session_id: str, version: int, token: str, lease_until: float,
                      holder: Optional[str] = None, stale_token: Optional[str] = None) -> bool:
        now = self.clock()
        if stale_token is not None:
            free, args = "lock_token = ?", (stale_token,)
        else:
            free, args = "(lock_token IS NULL OR lock_until <= ?)", (now,)
        cur = self._conn().execute(
            "UPDATE sessions SET lock_token = ?, lock_until = ?, lock_holder = ? WHERE session_id = ? "
            f"AND version = ? AND expires_at > ? AND {free}",
            (token, lease_until, holder, session_id, version, now, *args))
        return cur.rowcount == 1

    def renew_session(self, session_id: str, token: str, lease_until: float) -> bool:
        cur = self._conn().execute("UPDATE sessions SET lock_until = ? WHERE session_id = ? AND lock_token = ?",
                                   (lease_until, session_id, token))
        return cur.rowcount == 1

    def release_holder(self, holder: str) -> int:
        return self._conn().execute("UPDATE sessions SET lock_token = NULL, lock_until = NULL, lock_holder = NULL "
                                    "WHERE lock_holder = ?", (holder,)).rowcount

    def commit_session(self, session_id: str, version: int, token: str, data: Dict[str, Any],
                       expires_at: float) -> bool:
        cur = self._conn().execute(
            "UPDATE sessions SET data = ?, version = version + 1, expires_at = ?, lock_token = NULL, "
            "lock_until = NULL, lock_holder = NULL WHERE session_id = ? AND version = ? AND lock_token = ?",
            (_dumps(codec.pack(data)), expires_at, session_id, version, token))
        return cur.rowcount == 1

    def release_session(self, session_id: str, token: str) -> None:
        self._conn().execute("UPDATE sessions SET lock_token = NULL, lock_until = NULL, lock_holder = NULL "
                             "WHERE session_id = ? AND lock_token = ?", (session_id, token))

    def delete_session(self, session_id: str) -> bool:
        return self._conn().execute("DELETE FROM sessions WHERE session_id = ?", (session_id,)).rowcount == 1

    def session_keys(self, owner: Optional[str], user_id: Optional[str] = None,
                     doc_id: Optional[str] = None) -> List[str]:
        sql, args = "SELECT session_id FROM sessions WHERE owner IS ?", [owner]
        if user_id is not None:
            sql += " AND user_id = ?"
            args.append(user_id)
        if doc_id is not None:
            sql += (" AND (json_extract(data, '$.sources.cv.doc_id') = ? "
                    "OR json_extract(data, '$.sources.jd.doc_id') = ?)")
            args += [doc_id, doc_id]
        return [r[0] for r in self._conn().execute(sql + " ORDER BY session_id", args)]

    def list_sessions(self, user_id: str, owner: Optional[str] = None, limit: int = 500) -> List[StoredSession]:
        rows = self._conn().execute(
            f"SELECT {_SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND owner IS ? AND expires_at > ? "
            "ORDER BY json_extract(data, '$.created_at') DESC LIMIT ?", (user_id, owner, self.clock(), limit)).fetchall()
        found = [_stored(r) for r in rows]
        return sorted(found, key=lambda s: s.data.get("created_at") or 0.0)

    def purge_expired(self) -> List[str]:
        now = self.clock()
        conn = self._conn()
        ids = [r[0] for r in conn.execute("SELECT session_id FROM sessions WHERE expires_at <= ?", (now,))]
        if ids:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
        cached = conn.execute("DELETE FROM analysis_cache WHERE expires_at <= ?", (now,)).rowcount
        if ids or cached:
            self.flush_deleted()
        return ids

    # Analysis cache ------------------------------------------------------------------------
    def cache_get(self, key: str) -> Optional[Dict[str, Any]]:
        row = self._conn().execute("SELECT value FROM analysis_cache WHERE key = ? AND expires_at > ?",
                                   (key, self.clock())).fetchone()
        return json.loads(row[0]) if row else None

    def cache_put(self, key: str, value: Dict[str, Any], expires_at: float, owner: Optional[str] = None,
                  digest: Optional[str] = None, doc_id: Optional[str] = None) -> None:
        self._conn().execute(
            "INSERT INTO analysis_cache (key, value, expires_at, owner, digest, doc_id) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
            (key, _dumps(value), expires_at, owner, digest, doc_id))

    def cache_delete(self, owner: Optional[str], digests: Sequence[str] = (), doc_ids: Sequence[str] = ()) -> int:
        n = 0
        for column, values in (("digest", digests), ("doc_id", doc_ids)):
            for value in values:
                n += self._conn().execute(f"DELETE FROM analysis_cache WHERE owner IS ? AND {column} = ?",
                                          (owner, value)).rowcount
        return n

    # Documents ----------------------------------------------------------------------------
    _DOC_FIELDS = ("id", "kind", "text", "filename", "format", "pages", "created_at", "updated_at", "owner", "user_id")

    def put_document(self, doc: Dict[str, Any]) -> None:
        self._conn().execute(
            f"INSERT INTO documents ({', '.join(self._DOC_FIELDS)}) VALUES ({', '.join('?' * len(self._DOC_FIELDS))}) "
            "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, text = excluded.text, filename = excluded.filename, "
            "format = excluded.format, pages = excluded.pages, updated_at = excluded.updated_at",
            tuple(doc.get(f) for f in self._DOC_FIELDS))

    def get_document(self, doc_id: str, kind: Optional[str] = None) -> Optional[Dict[str, Any]]:
        sql = f"SELECT {', '.join(self._DOC_FIELDS)} FROM documents WHERE id = ?"
        args: tuple = (doc_id,)
        if kind:
            sql += " AND kind = ?"
            args += (kind,)
        row = self._conn().execute(sql, args).fetchone()
        if row is None:
            return None
        return dict(zip(self._DOC_FIELDS, row))

    def delete_document(self, doc_id: str) -> bool:
        return self._conn().execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount == 1

    def document_ids(self, owner: Optional[str], user_id: str) -> List[str]:
        return [r[0] for r in self._conn().execute(
            "SELECT id FROM documents WHERE owner IS ? AND user_id = ? ORDER BY id", (owner, user_id))]

    # Erasure ------------------------------------------------------------------------------
    def flush_deleted(self) -> None:
        """Copy every change into the database file (where secure_delete has zeroed what was deleted) and
        truncate the WAL, which would otherwise keep old page images, CV text included."""
        conn = self._conn()
        for _ in range(50):
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                return
            time.sleep(0.05)  # a reader in another connection still needs the old pages
        log.warning("WAL checkpoint stayed busy; deleted data leaves the log at the next checkpoint")

    # Metrics ------------------------------------------------------------------------------
    def observe(self, name: str, value: float) -> None:
        self._conn().execute(
            "INSERT INTO metrics (name, count, sum, min, max) VALUES (?, 1, ?, ?, ?) ON CONFLICT(name) DO UPDATE "
            "SET count = count + 1, sum = sum + excluded.sum, min = MIN(COALESCE(min, excluded.min), excluded.min), "
            "max = MAX(COALESCE(max, excluded.max), excluded.max)", (name, value, value, value))

    def incr(self, name: str, n: int = 1) -> None:
        self._conn().execute("INSERT INTO metrics (name, count) VALUES (?, ?) ON CONFLICT(name) DO UPDATE "
                             "SET count = count + excluded.count", (name, n))

    def metrics_snapshot(self) -> Dict[str, Dict[str, float]]:
        out = {n: empty_metric() for n in METRIC_NAMES + COUNTER_NAMES}
        for name, count, total, lo, hi in self._conn().execute("SELECT name, count, sum, min, max FROM metrics"):
            out[name] = {"count": count or 0, "sum": total or 0.0, "min": lo or 0.0, "max": hi or 0.0}
        return out

    def metrics_reset(self) -> None:
        self._conn().execute("DELETE FROM metrics")

    # Rate limits --------------------------------------------------------------------------
    def rate_limit_storage(self):
        if self._rate_limits is None:
            from .ratelimit_sqlite import SQLiteRateLimitStorage

            self._rate_limits = SQLiteRateLimitStorage(connect=self._connect)
        return self._rate_limits

    def ping(self) -> bool:
        self._conn().execute("SELECT 1").fetchone()
        return True

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._rate_limits is not None:
            self._rate_limits.close()
