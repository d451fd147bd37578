"""Embedded storage: one SQLite file (WAL) that several worker processes can share safely."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Dict, List, Optional

from .base import COUNTER_NAMES, METRIC_NAMES, Clock, StoredSession, empty_metric, system_clock

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    user_id TEXT,
    version INTEGER NOT NULL,
    lock_token TEXT,
    lock_until REAL,
    expires_at REAL NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions(expires_at);
CREATE INDEX IF NOT EXISTS sessions_user_id ON sessions(user_id);
CREATE TABLE IF NOT EXISTS analysis_cache (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    filename TEXT,
    format TEXT,
    pages INTEGER,
    created_at REAL,
    updated_at REAL
);
CREATE TABLE IF NOT EXISTS metrics (
    name TEXT PRIMARY KEY,
    count INTEGER NOT NULL DEFAULT 0,
    sum REAL NOT NULL DEFAULT 0,
    min REAL,
    max REAL
);
"""
_PURGE_EVERY_SECONDS = 60.0


class SQLiteStorage:
    backend = "sqlite"

    def __init__(self, path: Path, clock: Clock = system_clock):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self._local = threading.local()
        self._saver = None
        self._saver_lock = threading.Lock()
        self._last_purge = 0.0
        conn = self._conn()
        conn.executescript(_SCHEMA)

    # Connections: one per thread, autocommit, WAL so readers never block the writer.
    def _connect(self, check_same_thread: bool = True) -> sqlite3.Connection:
        conn = sqlite3.connect(str(self.path), timeout=30.0, isolation_level=None,
                               check_same_thread=check_same_thread)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
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
    def get_session(self, session_id: str) -> Optional[StoredSession]:
        row = self._conn().execute(
            "SELECT session_id, data, version, expires_at, lock_token, lock_until FROM sessions "
            "WHERE session_id = ? AND expires_at > ?", (session_id, self.clock())).fetchone()
        if row is None:
            return None
        return StoredSession(row[0], json.loads(row[1]), row[2], row[3], row[4], row[5])

    def create_session(self, session_id: str, data: Dict[str, Any], expires_at: float) -> bool:
        self._maybe_purge()
        cur = self._conn().execute(
            "INSERT INTO sessions (session_id, user_id, version, expires_at, data) VALUES (?, ?, 1, ?, ?) "
            "ON CONFLICT(session_id) DO UPDATE SET user_id = excluded.user_id, version = sessions.version + 1, "
            "expires_at = excluded.expires_at, data = excluded.data, lock_token = NULL, lock_until = NULL "
            "WHERE sessions.expires_at <= ?",
            (session_id, data.get("user_id"), expires_at, json.dumps(data), self.clock()))
        return cur.rowcount == 1

    def claim_session(self, session_id: str, version: int, token: str, lease_until: float) -> bool:
        now = self.clock()
        cur = self._conn().execute(
            "UPDATE sessions SET lock_token = ?, lock_until = ? WHERE session_id = ? AND version = ? "
            "AND expires_at > ? AND (lock_token IS NULL OR lock_until <= ?)",
            (token, lease_until, session_id, version, now, now))
        return cur.rowcount == 1

    def commit_session(self, session_id: str, version: int, token: str, data: Dict[str, Any],
                       expires_at: float) -> bool:
        cur = self._conn().execute(
            "UPDATE sessions SET data = ?, version = version + 1, expires_at = ?, lock_token = NULL, "
            "lock_until = NULL WHERE session_id = ? AND version = ? AND lock_token = ?",
            (json.dumps(data), expires_at, session_id, version, token))
        return cur.rowcount == 1

    def release_session(self, session_id: str, token: str) -> None:
        self._conn().execute("UPDATE sessions SET lock_token = NULL, lock_until = NULL "
                             "WHERE session_id = ? AND lock_token = ?", (session_id, token))

    def list_sessions(self, user_id: str, limit: int = 500) -> List[StoredSession]:
        rows = self._conn().execute(
            "SELECT session_id, data, version, expires_at, lock_token, lock_until FROM sessions "
            "WHERE user_id = ? AND expires_at > ? ORDER BY json_extract(data, '$.created_at') DESC LIMIT ?", (user_id, self.clock(), limit)).fetchall()
        found = [StoredSession(r[0], json.loads(r[1]), r[2], r[3], r[4], r[5]) for r in rows]
        return sorted(found, key=lambda s: s.data.get("created_at") or 0.0)

    def delete_session(self, session_id: str) -> None:
        self._conn().execute("DELETE FROM sessions WHERE session_id = ?", (session_id,))
        self.delete_checkpoints(session_id)

    def purge_expired(self) -> List[str]:
        now = self.clock()
        conn = self._conn()
        ids = [r[0] for r in conn.execute("SELECT session_id FROM sessions WHERE expires_at <= ?", (now,))]
        if ids:
            conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,))
            for sid in ids:
                self.delete_checkpoints(sid)
        conn.execute("DELETE FROM analysis_cache WHERE expires_at <= ?", (now,))
        return ids

    # Analysis cache ------------------------------------------------------------------------
    def cache_get(self, key: str) -> Optional[Dict[str, Any]]:
        row = self._conn().execute("SELECT value FROM analysis_cache WHERE key = ? AND expires_at > ?",
                                   (key, self.clock())).fetchone()
        return json.loads(row[0]) if row else None

    def cache_put(self, key: str, value: Dict[str, Any], expires_at: float) -> None:
        self._conn().execute(
            "INSERT INTO analysis_cache (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE "
            "SET value = excluded.value, expires_at = excluded.expires_at", (key, json.dumps(value), expires_at))

    # Documents ----------------------------------------------------------------------------
    def put_document(self, doc: Dict[str, Any]) -> None:
        self._conn().execute(
            "INSERT INTO documents (id, kind, text, filename, format, pages, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, text = excluded.text, filename = excluded.filename, "
            "format = excluded.format, pages = excluded.pages, updated_at = excluded.updated_at",
            (doc["id"], doc["kind"], doc["text"], doc.get("filename"), doc.get("format"), doc.get("pages"),
             doc.get("created_at"),
             doc.get("updated_at")))

    def get_document(self, doc_id: str, kind: Optional[str] = None) -> Optional[Dict[str, Any]]:
        sql = "SELECT id, kind, text, filename, format, pages, created_at, updated_at FROM documents WHERE id = ?"
        args: tuple = (doc_id,)
        if kind:
            sql += " AND kind = ?"
            args += (kind,)
        row = self._conn().execute(sql, args).fetchone()
        if row is None:
            return None
        return dict(zip(("id", "kind", "text", "filename", "format", "pages", "created_at", "updated_at"), row))

    def delete_document(self, doc_id: str) -> bool:
        return self._conn().execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount == 1

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

    # LangGraph checkpoints -----------------------------------------------------------------
    def checkpointer(self):
        with self._saver_lock:
            if self._saver is None:
                from langgraph.checkpoint.sqlite import SqliteSaver

                # SqliteSaver serialises its own use of the connection with a lock.
                conn = sqlite3.connect(str(self.path), timeout=30.0, check_same_thread=False)
                conn.execute("PRAGMA busy_timeout=30000")
                self._saver = SqliteSaver(conn)
                self._saver.setup()
            return self._saver

    def delete_checkpoints(self, session_id: str) -> None:
        self.checkpointer().delete_thread(session_id)

    def ping(self) -> bool:
        self._conn().execute("SELECT 1").fetchone()
        return True

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        if self._saver is not None:
            self._saver.conn.close()
            self._saver = None
