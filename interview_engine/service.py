"""The interview service: every use case (start, answer, stream, state, complete, metrics) in one place.

Routes and the UI call this object and only shape what it returns.
"""
from __future__ import annotations

import hashlib
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

from . import analysis as analysis_mod
from . import coaching, documents
from .config import Settings, get_settings
from .engines import MeteredEngine, make_engine
from .engines.llm import ProviderError
from .engines.base import Engine
from .errors import BadRequest, Conflict, NotFound
from .graph import append_question, build_graph
from .metrics import Metrics
from .models import DocumentAnalysis, SessionRecord
from .planner import session_seed
from .report import build_report
from .retry import check_retryable, rewind
from .speech import SpeechPipeline, Transcriber
from .speech.hotwords import job_terms
from .speech.live import LiveTranscription
from .storage.base import new_document_id, session_key
from .storage import Clock, Storage, StoredSession, make_storage, system_clock
from .text import normalise

log = logging.getLogger("interview.service")

ID_RE = re.compile(r"^[A-Za-z0-9_.:\-]{1,128}$")
MAX_TEXT_CHARS = 200_000


def check_kind(kind: Any) -> str:
    if kind not in ("cv", "jd"):
        raise BadRequest("kind must be 'cv' or 'jd'")
    return kind


def check_doc_id(value: Any) -> str:
    """Any string id an integrator uses (ObjectId hex or their own), within sane bounds."""
    if not isinstance(value, str) or not 1 <= len(value) <= 200 or not value.isprintable():
        raise BadRequest("Document ids are 1-200 printable characters")
    return value


def check_id(name: str, value: Any) -> str:
    if not isinstance(value, str) or not ID_RE.match(value):
        raise BadRequest(f"{name} must be 1-128 characters from A-Z, a-z, 0-9, '_', '.', ':' and '-'")
    return value


@dataclass
class StartInput:
    user_id: str
    session_id: str
    role: str
    company: str
    cv_text: str = ""
    jd_text: str = ""
    max_questions: Optional[int] = None
    defer_question: bool = False
    # start-with-ids: per side, a file wins over a stored document id, which wins over text.
    cv_file: Optional[Tuple[str, bytes]] = None  # (filename, bytes)
    jd_file: Optional[Tuple[str, bytes]] = None
    cv_id: Optional[str] = None
    jd_id: Optional[str] = None
    owner: Optional[str] = None  # the API-key owner making the request (None without keys)


@dataclass
class DocumentInput:
    kind: str  # "cv" | "jd"
    file: Optional[Tuple[str, bytes]] = None
    text: Optional[str] = None
    owner: Optional[str] = None
    user_id: Optional[str] = None  # whose document it is: DELETE /users/{user_id} erases it too


@dataclass
class AnswerInput:
    session_id: str
    answer_text: Optional[str] = None
    audio: Optional[Tuple[str, bytes]] = None  # (filename, bytes)
    video: Optional[Tuple[str, bytes]] = None
    defer_question: bool = False
    question_number: Optional[int] = None
    received_at: Optional[float] = None  # when the request arrived (service clock), if known
    metadata: Dict[str, Any] = field(default_factory=dict)
    owner: Optional[str] = None
    # Answer question_number again, replacing its last answer (only the last answered question, and
    # only before the next one is answered).
    retry: bool = False
    # Told each step as it starts ("transcribing", "scoring"), so a UI can name what is happening.
    on_step: Optional[Callable[[str], None]] = None
    # A live answer (start_live) the candidate has stopped: its audio is already in, mostly transcribed.
    live: Optional["LiveAnswer"] = None


@dataclass
class LiveAnswer:
    """A spoken answer arriving in chunks (see speech/live.py). Nothing is stored until `answer` takes it."""

    session_id: str
    question_number: int
    transcription: LiveTranscription
    opened_at: float  # service clock: a session moved on since then makes the answer a duplicate (409)
    retry: bool = False
    owner: Optional[str] = None

    def feed(self, data, sample_rate: int = 16000, fmt: str = "s16le") -> None:
        self.transcription.feed(data, sample_rate, fmt)

    def snapshot(self) -> Dict[str, Any]:
        return self.transcription.snapshot()

    def abort(self) -> None:
        self.transcription.abort()


def content_digest(text: str) -> str:
    """What identifies a text in the analysis cache (and lets erasure find its entries)."""
    return hashlib.sha256(normalise(text).encode()).hexdigest()


class InterviewService:
    def __init__(self, settings: Optional[Settings] = None, store: Optional[Storage] = None,
                 engine: Optional[Engine] = None, clock: Clock = system_clock,
                 transcriber: Optional[Transcriber] = None):
        self.settings = settings or get_settings()
        self.clock = clock
        self.store = store or make_storage(self.settings, clock=clock)
        self.metrics = Metrics(self.store, self.settings.slow_llm_call_seconds, self.settings.slow_request_seconds)
        self.engine = MeteredEngine(engine or make_engine(self.settings), self.metrics.llm_call)
        # No checkpointer: the session record is the source of truth (see graph.py).
        self.graph = build_graph(self.engine, self.analyze, clock)
        # The model loads on the first spoken answer, not here: typed-only deployments never pay for it.
        self.speech = SpeechPipeline(self.settings, transcriber)

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

    # Helpers ---------------------------------------------------------------------------------
    def _load(self, session_id: str, owner: Optional[str] = None) -> Tuple[StoredSession, SessionRecord]:
        """The session, as its owner sees it. Another owner's session is "not found", never "forbidden",
        so a key cannot even learn that an id is in use elsewhere."""
        check_id("session_id", session_id)
        stored = self.store.get_session(session_key(owner, session_id))
        if stored is None or stored.data.get("owner") != owner:
            raise NotFound("Session not found")
        return stored, SessionRecord.model_validate(stored.data)

    def _expiry(self) -> float:
        return self.clock() + self.settings.session_ttl_seconds

    def _claim(self, stored: StoredSession) -> str:
        token = uuid.uuid4().hex
        lease = self.clock() + self.settings.session_lock_seconds
        if not self.store.claim_session(stored.session_id, stored.version, token, lease):
            return ""
        return token

    def _run_step(self, record: SessionRecord, answer: Optional[dict], defer: bool) -> SessionRecord:
        out = self.graph.invoke({"record": record.model_dump(mode="json"), "answer": answer, "defer": defer})
        return SessionRecord.model_validate(out["record"])

    @staticmethod
    def _question_view(record: SessionRecord) -> Tuple[Optional[str], int]:
        awaiting = record.awaiting_question()
        if awaiting is not None:
            return awaiting.content, int(awaiting.metadata.get("question_number", record.question_count))
        if record.pending_plan is not None:
            return None, record.pending_plan.question_number
        return None, record.question_count

    # Use cases -------------------------------------------------------------------------------
    def start(self, data: StartInput) -> Dict[str, Any]:
        check_id("user_id", data.user_id)
        check_id("session_id", data.session_id)
        for name in ("role", "company"):
            if not str(getattr(data, name) or "").strip():
                raise BadRequest(f"Missing required field: {name}")
        key = session_key(data.owner, data.session_id)
        existing = self.store.get_session(key)
        if existing is not None:
            return self._restored(SessionRecord.model_validate(existing.data), data.user_id)
        max_q = data.max_questions if data.max_questions is not None else self.settings.max_questions
        if not 3 <= int(max_q) <= 15:
            raise BadRequest("max_questions must be between 3 and 15")
        cv, cv_source = self._resolve_side("cv", data.cv_file, data.cv_id, data.cv_text, data.owner)
        jd, jd_source = self._resolve_side("jd", data.jd_file, data.jd_id, data.jd_text, data.owner)
        if not cv or not jd:
            raise BadRequest("Both CV and JD content required")
        now = self.clock()
        record = SessionRecord(session_id=data.session_id, user_id=data.user_id, owner=data.owner, role=data.role.strip(),
                               company=data.company.strip(), created_at=now, updated_at=now,
                               max_questions=int(max_q), seed=session_seed(data.session_id), cv_text=cv, jd_text=jd,
                               sources={"cv": cv_source, "jd": jd_source})
        record = self._run_step(record, None, data.defer_question)
        record.cache_status = "active" if self.settings.analysis_cache_ttl_seconds > 0 else "not_cached"
        record.advanced_at = self.clock()
        if not self.store.create_session(key, record.model_dump(mode="json"), self._expiry()):
            # Another request created this session first: behave as a restore of theirs.
            existing = self.store.get_session(key)
            if existing is not None:
                return self._restored(SessionRecord.model_validate(existing.data), data.user_id)
            raise Conflict("Session is being created by another request; retry")
        question, number = self._question_view(record)
        log.info("session started", extra={"session_id": record.session_id, "max_questions": record.max_questions})
        return {"session_id": record.session_id, "status": "active", "question": question, "question_number": number}

    def _resolve_side(self, kind: str, file: Optional[Tuple[str, bytes]], doc_id: Optional[str],
                      text: Optional[str], owner: Optional[str] = None) -> Tuple[str, Dict[str, Any]]:
        """One side's text and where it came from: a file beats a stored id, which beats text."""
        if file is not None:
            got = self._extract(kind, file)
            return got.text, {"source": "file", "doc_id": None, "filename": got.filename, "format": got.format,
                              "pages": got.pages}
        if doc_id:
            doc = self.store.get_document(check_doc_id(doc_id), kind)
            if doc is None or doc.get("owner") != owner:
                raise NotFound(f"{'Resume' if kind == 'cv' else 'Job description'} {doc_id} not found")
            stored_text = normalise(doc.get("text") or "")
            if not stored_text:
                raise BadRequest(f"Stored {documents.LABEL[kind]} {doc_id} has no text")
            return self._check_length(kind, stored_text), {"source": "id", "doc_id": doc["id"],
                                                           "filename": doc.get("filename"), "format": doc.get("format")}
        return self._check_length(kind, normalise(text or "")), {"source": "text", "doc_id": None}

    @staticmethod
    def _check_length(kind: str, text: str) -> str:
        if len(text) > MAX_TEXT_CHARS:
            raise BadRequest(f"{documents.LABEL[kind]} text is limited to {MAX_TEXT_CHARS} characters")
        return text

    def _extract(self, kind: str, file: Tuple[str, bytes]) -> documents.ExtractedText:
        filename, data = file
        t0 = time.perf_counter()
        got = documents.extract_text(data, filename, kind, max_bytes=self.settings.max_document_bytes,
                                     max_pages=self.settings.max_pdf_pages,
                                     max_uncompressed=self.settings.max_docx_unpacked_bytes)
        self.store.observe("extraction", time.perf_counter() - t0)
        self._check_length(kind, got.text)
        return got

    # Stored documents ------------------------------------------------------------------------
    def save_document(self, data: DocumentInput) -> Dict[str, Any]:
        """Store a CV or job description (a file or text) and return its id and a summary."""
        kind = check_kind(data.kind)
        if data.user_id is not None:
            check_id("user_id", data.user_id)
        doc_id = new_document_id()
        return self._write_document(doc_id, kind, data, created_at=self.clock(), user_id=data.user_id)

    def update_document(self, doc_id: str, data: DocumentInput) -> Dict[str, Any]:
        """Replace a stored document's content; its cached analysis (derived from the old text) is erased."""
        existing = self._get_document(doc_id, data.owner)
        return self._write_document(existing["id"], existing["kind"], data,
                                    created_at=existing.get("created_at") or self.clock(),
                                    user_id=existing.get("user_id"), old_text=existing.get("text") or "")

    def _write_document(self, doc_id: str, kind: str, data: DocumentInput, created_at: float,
                        user_id: Optional[str] = None, old_text: Optional[str] = None) -> Dict[str, Any]:
        if data.file is not None:
            got = self._extract(kind, data.file)
            text, filename, fmt, pages = got.text, got.filename, got.format, got.pages
        else:
            text = self._check_length(kind, normalise(data.text or ""))
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
        return self._document_view(doc, analysis)

    def get_document(self, doc_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        doc = self._get_document(doc_id, owner)
        analysis, _ = self.analyze(doc["text"], doc["kind"], doc["id"], owner)
        return {**self._document_view(doc, analysis), "text": doc["text"]}

    def delete_document(self, doc_id: str, owner: Optional[str] = None, cascade: bool = False) -> Dict[str, Any]:
        """Delete a stored document and its cached analyses. Sessions started from it (by id) hold a copy
        of its text: with `cascade` they are erased too, otherwise they are listed so the caller can decide."""
        doc = self._get_document(doc_id, owner)
        keys = self.store.session_keys(owner, doc_id=doc["id"])
        self._erase_document(doc, owner)
        deleted = [sid for sid in (self._erase_session(k) for k in keys) if sid] if cascade else []
        kept = [] if cascade else [self._public_id(k, owner) for k in keys]
        self.store.flush_deleted()
        log.info("document erased", extra={"doc_id": doc["id"], "sessions_deleted": len(deleted)})
        return {"status": "deleted", "id": doc_id, "sessions_deleted": deleted, "sessions_with_copies": kept}

    def _erase_document(self, doc: Dict[str, Any], owner: Optional[str]) -> None:
        self.store.delete_document(doc["id"])
        self.store.cache_delete(owner, digests=[content_digest(doc.get("text") or "")], doc_ids=[doc["id"]])

    def _get_document(self, doc_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        doc = self.store.get_document(check_doc_id(doc_id))
        if doc is None or doc.get("owner") != owner:
            raise NotFound(f"Document {doc_id} not found")
        return doc

    # Erasure ---------------------------------------------------------------------------------
    @staticmethod
    def _public_id(key: str, owner: Optional[str]) -> str:
        return key if owner is None else key[len(owner) + 1:]

    def _erase_session(self, key: str) -> Optional[str]:
        """Delete one session and the cached analyses of its CV/JD text. Returns its session id."""
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
        return data.get("session_id") or key

    def delete_session(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        """Erase a session and everything derived from it (its cached CV/JD analyses)."""
        check_id("session_id", session_id)
        key = session_key(owner, session_id)
        stored = self.store.get_session(key, include_expired=True)
        if stored is None or stored.data.get("owner") != owner:
            raise NotFound("Session not found")
        self._erase_session(key)
        self.store.flush_deleted()
        log.info("session erased", extra={"session_id": session_id})
        return {"status": "deleted", "session_id": session_id}

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
            sid = self._erase_session(key)
            if sid:
                deleted_sessions.append(sid)
        deleted_docs = []
        for doc_id in self.store.document_ids(owner, user_id):
            doc = self.store.get_document(doc_id)
            if doc is not None and doc.get("owner") == owner:
                self._erase_document(doc, owner)
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

    @staticmethod
    def _document_view(doc: Dict[str, Any], analysis: DocumentAnalysis) -> Dict[str, Any]:
        text = doc.get("text") or ""
        return {"id": doc["id"], "kind": doc["kind"], "filename": doc.get("filename"), "format": doc.get("format"),
                "pages": doc.get("pages"), "created_at": doc.get("created_at"), "updated_at": doc.get("updated_at"),
                "summary": documents.summarise(text, analysis)}

    def _restored(self, record: SessionRecord, user_id: str) -> Dict[str, Any]:
        if record.user_id != user_id:
            # Never hand one person's interview to another who guessed or reused its id.
            raise Conflict("session_id already in use")
        question, number = self._question_view(record)
        return {"session_id": record.session_id, "status": "completed" if record.completed else "restored",
                "question": question, "question_number": number}

    def answer(self, data: AnswerInput) -> Dict[str, Any]:
        """Evaluate an answer and move on. A recording (audio_file wins over video_file) is transcribed;
        its transcript is the answer and its voice analysis rides along. Typed `answer_text` is the
        offline-friendly alternative. With `retry`, the answer replaces the last one given (see retry.py)."""
        try:
            return self._answer(data)
        finally:
            if data.live is not None:
                data.live.abort()  # a no-op once finished; a refused live answer frees its slot and audio

    def _answer(self, data: AnswerInput) -> Dict[str, Any]:
        check_id("session_id", data.session_id)
        text = (data.answer_text or "").strip()
        spoken_input = data.audio is not None or data.video is not None or data.live is not None
        if not text and not spoken_input:
            raise BadRequest({"error": "Either audio or video file is required"})
        if data.live is not None:
            if data.live.session_id != data.session_id or data.live.owner != data.owner:
                raise BadRequest("This live answer belongs to another session")
            data.received_at, data.retry = data.live.opened_at, data.live.retry
            data.question_number = data.live.question_number
        elif spoken_input:
            self.speech.check_sizes(data.audio, data.video)  # 413 before anything else is read
        elif len(text) > MAX_TEXT_CHARS:
            raise BadRequest(f"answer_text is limited to {MAX_TEXT_CHARS} characters")
        # Cheap checks first, so a stale or duplicate request costs no transcription.
        stored, record = self._load(data.session_id, data.owner)
        if data.retry:
            number = check_retryable(record, data.question_number)
            if data.received_at is not None and data.received_at < record.advanced_at:
                # Sent before another request last moved the session (a racing retry): not this state's.
                raise Conflict(f"Question {number} was answered again by another request")
        else:
            number = self._check_answerable(record, data)
        step = data.on_step or (lambda name: None)
        metadata: Dict[str, Any] = {"source": "text", **data.metadata}
        spoken = None
        heard = None
        if spoken_input:
            step("transcribing")
            if data.live is not None:
                spoken = self.speech.finish_live(data.live.transcription)
            else:
                spoken = self.speech.process(data.audio, data.video, self._hotwords(record, number))
            for stage, seconds in spoken.timings.items():
                self.store.observe(f"speech_{stage}", seconds)
            text = spoken.text
            heard = spoken.heard_text()
            metadata = {**spoken.metadata(), **data.metadata}
        token = self._claim(stored)
        if not token:
            raise Conflict(f"Question {number} was already answered or is being answered by another request")
        committed = False
        try:
            step("scoring")
            base = record
            if data.retry:
                base, attempts = rewind(record)
                metadata.update(attempts)
            new = self._run_step(base, {"text": text, "metadata": metadata, "heard": heard}, data.defer_question)
            new.updated_at = new.advanced_at = self.clock()
            committed = self.store.commit_session(stored.session_id, stored.version, token,
                                                  new.model_dump(mode="json"), self._expiry())
            if not committed:
                raise Conflict(f"Question {number} was answered by another request")
        finally:
            if not committed:
                self.store.release_session(stored.session_id, token)
        last = next(m for m in reversed(new.messages) if m.role == "candidate")
        evaluation = dict(last.metadata.get("evaluation", {}))
        evaluation["evidence"] = last.metadata.get("evidence", {})
        evaluation["engine"] = last.metadata.get("engine", self.engine.name)  # "offline-fallback" says a provider failed
        evaluation["tips"] = coaching.tips(last.metadata)
        extra: Dict[str, Any] = {"attempt": int(last.metadata.get("attempts", 1))} if data.retry else {}
        if spoken is not None:
            extra["voice_analysis"] = spoken.voice.model_dump()
            if spoken.video is not None:
                extra["video_analysis"] = spoken.video
        if new.completed:
            return {"session_id": new.session_id, "status": "completed", "message": "Interview completed",
                    "total_questions": new.question_count, "evaluation": evaluation, **extra}
        question, qnum = self._question_view(new)
        return {"session_id": new.session_id, "status": "active", "question": question, "question_number": qnum,
                "evaluation": evaluation, **extra}

    def _hotwords(self, record: SessionRecord, number: Optional[int]) -> List[str]:
        return job_terms(record, number, self.settings.whisper_hotwords)

    def start_live(self, session_id: str, owner: Optional[str] = None, question_number: Optional[int] = None,
                   retry: bool = False) -> LiveAnswer:
        """Open a live answer to the question awaiting one (or, with `retry`, to question_number again).
        The same checks as `answer` run now, so a stale or duplicate answer is refused before any audio;
        they run again when it is finished. Holds a speech-pool slot until finished or abandoned."""
        check_id("session_id", session_id)
        _, record = self._load(session_id, owner)
        probe = AnswerInput(session_id=session_id, question_number=question_number, retry=retry, owner=owner)
        number = check_retryable(record, question_number) if retry else self._check_answerable(record, probe)
        live = self.speech.open_live(self._hotwords(record, number))
        return LiveAnswer(session_id=session_id, question_number=number, transcription=live,
                          opened_at=self.clock(), retry=retry, owner=owner)

    @staticmethod
    def _check_answerable(record: SessionRecord, data: AnswerInput) -> int:
        """The number of the question awaiting an answer, or a 409 saying why this answer cannot be taken."""
        if record.completed:
            raise Conflict("Interview already completed")
        awaiting = record.awaiting_question()
        if awaiting is None:
            raise Conflict("The next question has not been generated yet; open "
                           f"/interview/v2/stream/{record.session_id} first")
        number = int(awaiting.metadata.get("question_number", record.question_count))
        if data.question_number is not None and data.question_number != number:
            raise Conflict(f"Question {data.question_number} was already answered; "
                           f"question {number} is awaiting an answer")
        if data.received_at is not None and data.received_at < record.advanced_at:
            # Sent before question `number` existed, so it answers the previous one, already taken.
            raise Conflict(f"Question {number - 1} was already answered by another request; "
                           f"question {number} is awaiting an answer")
        return number

    def stream(self, session_id: str, poll_seconds: float = 0.05,
               owner: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """SSE events for the question awaiting an answer; generates a deferred one exactly once."""
        if not isinstance(session_id, str) or not ID_RE.match(session_id):
            yield {"error": "Session not found"}
            return
        key = session_key(owner, session_id)
        deadline = time.monotonic() + self.settings.session_lock_seconds
        while True:
            stored = self.store.get_session(key)
            if stored is None or stored.data.get("owner") != owner:
                yield {"error": "Session not found"}
                return
            record = SessionRecord.model_validate(stored.data)
            if record.completed:
                yield {"error": "Interview already completed"}
                return
            awaiting = record.awaiting_question()
            if awaiting is not None:  # replay: records nothing
                for piece in re.findall(r"\S+\s*", awaiting.content):
                    yield {"chunk": piece}
                yield {"done": True, "question_number": int(awaiting.metadata.get("question_number", 0))}
                return
            if record.pending_plan is None:
                yield {"error": "No question is pending"}
                return
            token = self._claim(stored)
            if token:
                break
            if time.monotonic() > deadline:  # another stream holds it for too long
                yield {"error": "The question is being generated by another request; retry"}
                return
            time.sleep(poll_seconds)  # another stream is generating it: wait, then replay

        committed = False
        try:
            plan = record.pending_plan
            # Generation time is the time spent inside the engine only: the time this generator waits
            # while its consumer handles each chunk (a slow client, the UI redrawing) is not counted.
            engine_seconds = 0.0
            chunks: List[str] = []
            pieces = iter(self.engine.stream_question(plan, record))
            try:
                while True:
                    t0 = time.perf_counter()
                    chunk = next(pieces, None)
                    engine_seconds += time.perf_counter() - t0
                    if chunk is None:
                        break
                    chunks.append(chunk)
                    yield {"chunk": chunk}
            except ProviderError as exc:  # nothing is saved: the next stream generates it again
                yield {"error": str(exc)}
                return
            finally:
                getattr(pieces, "close", lambda: None)()
            append_question(record, plan, "".join(chunks).strip(), engine_seconds, self.clock(),
                            engine=self.engine.last_question_source())
            record.updated_at = record.advanced_at = self.clock()
            committed = self.store.commit_session(key, stored.version, token,
                                                  record.model_dump(mode="json"), self._expiry())
            if not committed:
                yield {"error": "The session changed while the question was generated; retry"}
                return
            yield {"done": True, "question_number": plan.question_number}
        finally:
            if not committed:  # a disconnect or failure leaves no half question behind
                self.store.release_session(key, token)

    def state(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        _, record = self._load(session_id, owner)
        times = record.question_times
        analysis = record.analysis
        return {
            "session_id": record.session_id, "user_id": record.user_id, "role": record.role,
            "company": record.company, "question_count": record.question_count,
            "stage": "closing" if record.completed and record.stage == "closing" else record.stage,
            "completed": record.completed,
            "messages": [m.model_dump() for m in record.messages],
            "avg_response_time": round(sum(times) / len(times), 4) if times else 0.0,
            "max_questions": record.max_questions,
            "analysis": {"matched": analysis.matched, "gaps": analysis.gaps, "extra": analysis.extra,
                         "overlap_ratio": analysis.overlap_ratio,
                         "cv_years_experience": analysis.cv.years_experience,
                         "jd_years_required": analysis.jd.years_experience,
                         "cv_seniority": analysis.cv.seniority, "jd_seniority": analysis.jd.seniority,
                         "sources": record.sources}
            if analysis else None,
        }

    def performance(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        _, record = self._load(session_id, owner)
        times = [round(t, 6) for t in record.question_times]
        return {
            "session_id": record.session_id,
            "total_questions": len(times),
            "response_times": {"min": min(times) if times else 0.0, "max": max(times) if times else 0.0,
                               "avg": round(sum(times) / len(times), 6) if times else 0.0, "all": times},
            "cache_status": record.cache_status,
        }

    def complete(self, session_id: str, force: bool = False, wait_seconds: float = 10.0,
                 poll_seconds: float = 0.05, owner: Optional[str] = None) -> Dict[str, Any]:
        """The final report. If another request holds the session (a question streaming in, an answer
        being scored), wait up to `wait_seconds` for it to finish rather than fail."""
        deadline = time.monotonic() + wait_seconds
        while True:
            stored, record = self._load(session_id, owner)
            if record.report is not None:
                return record.report
            if not record.completed and not force:
                raise BadRequest("Session is not completed yet. Current status: active")
            token = self._claim(stored)
            if token:
                break
            if time.monotonic() > deadline:
                raise Conflict("The session is busy with another request; retry")
            time.sleep(poll_seconds)
        committed = False
        try:
            ended_early = not record.completed
            report = build_report(record, ended_early=ended_early,
                                  include_delivery=self.settings.delivery_in_recommendation)
            report.strengths, report.areas_to_improve = self.engine.narrative(report, record)
            record.completed = True
            record.pending_plan = None
            record.report = report.model_dump(mode="json")
            record.updated_at = self.clock()
            # Kept for the practice history (HISTORY_DAYS); the CV and JD text are no longer needed. Their
            # digests stay, so erasing the session still finds the analyses cached from them.
            for side, field_name in (("cv", "cv_text"), ("jd", "jd_text")):
                text = getattr(record, field_name)
                if text:
                    record.sources.setdefault(side, {})["digest"] = content_digest(text)
            record.cv_text = record.jd_text = ""
            committed = self.store.commit_session(stored.session_id, stored.version, token,
                                                  record.model_dump(mode="json"),
                                                  self.clock() + self.settings.history_seconds)
        finally:
            if not committed:
                self.store.release_session(stored.session_id, token)
        log.info("session completed", extra={"session_id": session_id,
                                             "overall_score": report.evaluation["overall_score"]})
        return record.report

    def stored_report(self, session_id: str) -> Optional[Dict[str, Any]]:
        """The report if one was made, without making it (a UI reopening a session needs to know)."""
        _, record = self._load(session_id)
        return record.report

    def user_sessions(self, user_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        """The user's sessions under this owner, oldest first, each summarised with its report's scores once
        finished. An unknown user (or another owner's) simply has none."""
        check_id("user_id", user_id)
        return {"user_id": user_id,
                "sessions": [self._summary(SessionRecord.model_validate(s.data), s.expires_at)
                             for s in self.store.list_sessions(user_id, owner=owner)]}

    @staticmethod
    def _summary(record: SessionRecord, expires_at: float) -> Dict[str, Any]:
        answers = [a for _, a in record.qa_pairs()]
        out: Dict[str, Any] = {
            "session_id": record.session_id, "role": record.role, "company": record.company,
            "status": "completed" if record.completed else "active", "created_at": record.created_at,
            "updated_at": record.updated_at, "expires_at": expires_at, "question_count": record.question_count,
            "max_questions": record.max_questions, "answered": len(answers),
            "attempts": sum(int(a.metadata.get("attempts", 1)) for a in answers)}
        if record.report:
            ev = record.report["evaluation"]
            delivery = ev.get("delivery") or {}
            out.update({k: ev.get(k) for k in ("overall_score", "recommendation", "clarity", "relevance", "depth")})
            out.update(voice_total=delivery.get("voice_total"), video_delivery=delivery.get("video_delivery"),
                       ended_early=record.report.get("ended_early"))
        return out

    def global_metrics(self) -> Dict[str, Any]:
        return self.metrics.global_view()

    def reset_metrics(self) -> Dict[str, Any]:
        self.metrics.reset()
        return {"status": "success", "message": "Metrics reset successfully"}

    def health(self) -> Dict[str, Any]:
        self.store.ping()
        return {"status": "ok", "storage": self.store.backend, "engine": self.engine.name}

    def close(self) -> None:
        self.speech.close()
        self.store.close()
