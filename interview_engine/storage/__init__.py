"""Storage backends behind one interface: embedded SQLite by default, MongoDB when configured."""
from __future__ import annotations

from ..config import Settings
from .base import Clock, Storage, StoredSession, system_clock


def make_storage(settings: Settings, clock: Clock = system_clock) -> Storage:
    if settings.mongodb_uri:
        from .mongo import MongoStorage

        return MongoStorage(settings.mongodb_uri, settings.mongodb_db, clock=clock,
                            session_ttl_seconds=settings.session_ttl_seconds)
    from .sqlite import SQLiteStorage

    return SQLiteStorage(settings.sqlite_path, clock=clock)


__all__ = ["Storage", "StoredSession", "make_storage", "Clock", "system_clock"]
