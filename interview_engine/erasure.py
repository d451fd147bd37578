"""Erasure: a session and everything derived from it, a stored document, or everything of one user."""
from __future__ import annotations

import hashlib
import logging
import shutil
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from .errors import NotFound
from .inputs import check_id, content_digest
from .library import DocumentLibrary
from .storage import Storage
from .storage.base import session_key

log = logging.getLogger("interview.service")


def public_id(key: str, owner: Optional[str]) -> str:
    return key if owner is None else key[len(owner) + 1:]


class Erasure:
    def __init__(self, store: Storage, library: DocumentLibrary, files_root: Path, keep_seconds: float):
        self.store = store
        self.library = library
        self.files_root = files_root
        self.keep_seconds = keep_seconds  # the longest a session can live without a change (HISTORY_DAYS)

    def session_files(self, key: str) -> Path:
        """A private folder (0700) for files made from a session, like the UI's report downloads. Erased with
        the session; a folder untouched for longer than any session can live is removed when another is made
        (its session has expired; the store's own purge does not know about files)."""
        self.files_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        cutoff = time.time() - self.keep_seconds
        for old in self.files_root.iterdir():
            try:
                if old.stat().st_mtime < cutoff:
                    shutil.rmtree(old, ignore_errors=True)
            except OSError:
                pass
        folder = self._folder(key)
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def _folder(self, key: str) -> Path:
        return self.files_root / hashlib.sha256(key.encode()).hexdigest()[:32]

    def erase_session(self, key: str) -> Optional[str]:
        """Delete one session, the cached analyses of its CV/JD text and its files. Returns its session id."""
        stored = self.store.get_session(key, include_expired=True)
        if stored is None:
            return None
        data = stored.data
        sources = data.get("sources") or {}
        doc_ids = [s["doc_id"] for s in sources.values() if isinstance(s, dict) and s.get("doc_id")]
        digests = [content_digest(data[f]) if data.get(f) else (sources.get(side) or {}).get("digest", "")
                   for side, f in (("cv", "cv_text"), ("jd", "jd_text"))]
        self.store.delete_session(key)
        self.store.cache_delete(data.get("owner"), digests=digests, doc_ids=doc_ids)
        self.remove_files(key)
        return data.get("session_id") or key

    def remove_files(self, key: str) -> None:
        shutil.rmtree(self._folder(key), ignore_errors=True)

    def delete_session(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        """Erase a session and everything derived from it (its cached CV/JD analyses, its files)."""
        check_id("session_id", session_id)
        key = session_key(owner, session_id)
        stored = self.store.get_session(key, include_expired=True)
        if stored is None or stored.data.get("owner") != owner:
            raise NotFound("Session not found")
        self.erase_session(key)
        self.store.flush_deleted()
        log.info("session erased", extra={"session_id": session_id})
        return {"status": "deleted", "session_id": session_id}

    def delete_document(self, doc_id: str, owner: Optional[str] = None, cascade: bool = False) -> Dict[str, Any]:
        """Delete a stored document and its cached analyses. Sessions started from it (by id) hold a copy
        of its text: with `cascade` they are erased too, otherwise they are listed so the caller can decide."""
        doc = self.library.get_own(doc_id, owner)
        keys = self.store.session_keys(owner, doc_id=doc["id"])
        self.library.erase(doc, owner)
        deleted = [sid for sid in (self.erase_session(k) for k in keys) if sid] if cascade else []
        kept = [] if cascade else [public_id(k, owner) for k in keys]
        self.store.flush_deleted()
        log.info("document erased", extra={"doc_id": doc["id"], "sessions_deleted": len(deleted)})
        return {"status": "deleted", "id": doc_id, "sessions_deleted": deleted, "sessions_with_copies": kept}

    def delete_user(self, user_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        """Erase everything of one user (within the caller's owner): their sessions, the analyses cached
        from them, and the documents stored with this user_id. Documents their sessions used by id but
        that were stored without this user_id are listed, not deleted: they may be shared (a JD)."""
        check_id("user_id", user_id)
        referenced: List[str] = []
        deleted_sessions: List[str] = []
        for key in self.store.session_keys(owner, user_id=user_id):
            stored = self.store.get_session(key, include_expired=True)
            if stored is not None:
                for side in (stored.data.get("sources") or {}).values():
                    if isinstance(side, dict) and side.get("doc_id") and side["doc_id"] not in referenced:
                        referenced.append(side["doc_id"])
            sid = self.erase_session(key)
            if sid:
                deleted_sessions.append(sid)
        deleted_docs = []
        for doc_id in self.store.document_ids(owner, user_id):
            doc = self.store.get_document(doc_id)
            if doc is not None and doc.get("owner") == owner:
                self.library.erase(doc, owner)
                deleted_docs.append(doc_id)
        kept = []
        for doc_id in referenced:
            doc = self.store.get_document(doc_id)
            if doc is not None and doc.get("owner") == owner and doc["id"] not in deleted_docs:
                kept.append(doc["id"])
        self.store.flush_deleted()
        log.info("user erased", extra={"sessions_deleted": len(deleted_sessions), "documents_deleted": len(deleted_docs)})
        return {"status": "deleted", "user_id": user_id, "sessions_deleted": deleted_sessions,
                "documents_deleted": deleted_docs, "documents_kept": kept}
