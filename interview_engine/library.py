"""Stored CVs and job descriptions, text extraction from uploads, and the analysis cache.

Everything a session is started from passes through here: a file is extracted, a stored id is read (for
its owner only), text is cleaned; each side is then analysed through the 7-day cache.
"""
from __future__ import annotations

import hashlib
import time
from typing import Any, Callable, Dict, Optional, Tuple

from . import analysis as analysis_mod
from . import documents, responses
from .config import Settings
from .engines import MeteredEngine
from .errors import BadRequest, NotFound
from .inputs import MAX_TEXT_CHARS, DocumentInput, check_doc_id, check_id, check_kind, content_digest
from .metrics import Metrics
from .models import DocumentAnalysis
from .storage import Storage
from .storage.base import new_document_id
from .text import normalise


class DocumentLibrary:
    def __init__(self, settings: Settings, store: Storage, engine: MeteredEngine, metrics: Metrics,
                 clock: Callable[[], float]):
        self.settings = settings
        self.store = store
        self.engine = engine
        self.metrics = metrics
        self.clock = clock

    # Analysis with its 7-day cache -----------------------------------------------------------
    def analyze(self, text: str, kind: str, doc_id: Optional[str] = None,
                owner: Optional[str] = None) -> Tuple[DocumentAnalysis, bool]:
        """Analyse a document through the cache. Returns (analysis, was_cached).

        The key is the stored document's id when there is one, else the content; the content's hash is
        always part of it, so editing a stored document (here or in the integrator's own collection)
        invalidates its cached analysis. Each API-key owner has its own entries: a hit cannot tell one
        owner that another analysed the same CV.
        """
        ttl = self.settings.analysis_cache_ttl_seconds
        digest = content_digest(text)
        source = f"doc:{doc_id}" if doc_id else "content"
        key = hashlib.sha256(f"{kind}:{analysis_mod.ANALYZER_VERSION}:{self.engine.name}:{owner or ''}:{source}:{digest}"
                             .encode()).hexdigest()
        if ttl > 0:
            cached = self.store.cache_get(key)
            if cached is not None:
                self.metrics.cache_hit()
                return DocumentAnalysis.model_validate(cached), True
            self.metrics.cache_miss()
        result = self.engine.analyze(text, kind)
        if ttl > 0:
            self.store.cache_put(key, result.model_dump(mode="json"), self.clock() + ttl, owner=owner,
                                 digest=digest, doc_id=doc_id)
        return result, False

    # The two sides of a start ----------------------------------------------------------------
    def resolve_side(self, kind: str, file: Optional[Tuple[str, bytes]], doc_id: Optional[str],
                     text: Optional[str], owner: Optional[str] = None) -> Tuple[str, Dict[str, Any]]:
        """One side's text and where it came from: a file beats a stored id, which beats text."""
        if file is not None:
            got = self.extract(kind, file)
            return got.text, {"source": "file", "doc_id": None, "filename": got.filename, "format": got.format,
                              "pages": got.pages}
        if doc_id:
            doc = self.store.get_document(check_doc_id(doc_id), kind)
            if doc is None or doc.get("owner") != owner:
                raise NotFound(f"{'Resume' if kind == 'cv' else 'Job description'} {doc_id} not found")
            stored_text = normalise(doc.get("text") or "")
            if not stored_text:
                raise BadRequest(f"Stored {documents.LABEL[kind]} {doc_id} has no text")
            return check_length(kind, stored_text), {"source": "id", "doc_id": doc["id"],
                                                     "filename": doc.get("filename"), "format": doc.get("format")}
        return sent_text(kind, text), {"source": "text", "doc_id": None}

    def extract(self, kind: str, file: Tuple[str, bytes]) -> documents.ExtractedText:
        filename, data = file
        t0 = time.perf_counter()
        got = documents.extract_text(data, filename, kind, max_bytes=self.settings.max_document_bytes,
                                     max_pages=self.settings.max_pdf_pages,
                                     max_uncompressed=self.settings.max_docx_unpacked_bytes)
        self.store.observe("extraction", time.perf_counter() - t0)
        check_length(kind, got.text)
        return got

    # Stored documents ------------------------------------------------------------------------
    def save(self, data: DocumentInput) -> Dict[str, Any]:
        """Store a CV or job description (a file or text) and return its id and a summary."""
        kind = check_kind(data.kind)
        if data.user_id is not None:
            check_id("user_id", data.user_id)
        return self._write(new_document_id(), kind, data, created_at=self.clock(), user_id=data.user_id)

    def update(self, doc_id: str, data: DocumentInput) -> Dict[str, Any]:
        """Replace a stored document's content; its cached analysis (derived from the old text) is erased."""
        existing = self.get_own(doc_id, data.owner)
        return self._write(existing["id"], existing["kind"], data, created_at=existing.get("created_at") or self.clock(),
                           user_id=existing.get("user_id"), old_text=existing.get("text") or "")

    def _write(self, doc_id: str, kind: str, data: DocumentInput, created_at: float,
               user_id: Optional[str] = None, old_text: Optional[str] = None) -> Dict[str, Any]:
        if data.file is not None:
            got = self.extract(kind, data.file)
            text, filename, fmt, pages = got.text, got.filename, got.format, got.pages
        else:
            text = sent_text(kind, data.text)
            filename, fmt, pages = None, "text", None
            if not text:
                raise BadRequest("Either file or text is required")
        doc = {"id": doc_id, "kind": kind, "text": text, "filename": filename, "format": fmt,
               "pages": pages, "created_at": created_at, "updated_at": self.clock(), "owner": data.owner,
               "user_id": user_id}
        self.store.put_document(doc)
        if old_text is not None:
            self.store.cache_delete(data.owner, digests=[content_digest(old_text)], doc_ids=[doc_id])
            self.store.flush_deleted()
        analysis, _ = self.analyze(text, kind, doc_id, data.owner)  # warms the cache for the start that follows
        return responses.document(doc, analysis)

    def get(self, doc_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        doc = self.get_own(doc_id, owner)
        analysis, _ = self.analyze(doc["text"], doc["kind"], doc["id"], owner)
        return {**responses.document(doc, analysis), "text": doc["text"]}

    def get_own(self, doc_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        """The document if this owner stored it; another owner's is "not found", never "forbidden"."""
        doc = self.store.get_document(check_doc_id(doc_id))
        if doc is None or doc.get("owner") != owner:
            raise NotFound(f"Document {doc_id} not found")
        return doc

    def erase(self, doc: Dict[str, Any], owner: Optional[str]) -> None:
        """The document and the analyses cached from it."""
        self.store.delete_document(doc["id"])
        self.store.cache_delete(owner, digests=[content_digest(doc.get("text") or "")], doc_ids=[doc["id"]])


def sent_text(kind: str, text: Optional[str]) -> str:
    """Text as sent, limited as the contract's maxLength says (characters as sent, before cleaning strips
    spaces), and again once cleaned (NFKC can lengthen some characters)."""
    return check_length(kind, normalise(check_length(kind, text or "")))


def check_length(kind: str, text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise BadRequest(f"{documents.LABEL[kind]} text is limited to {MAX_TEXT_CHARS} characters")
    return text
