"""The interview service: the one object routes, the UI and the CLI call for every use case.

It wires the parts and delegates, so each part holds one job:

- `sessions.SessionFlow`: start, answer (and retry), stream, complete: the interview itself, every change
  under one lease (`leases.py`);
- `library.DocumentLibrary`: stored CVs and job descriptions, extraction, the analysis cache;
- `erasure.Erasure`: erasing a session, a document or a user;
- `responses`: the shapes the REST contract returns.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, AsyncIterator, Dict, Iterator, Optional, Tuple

from .config import Settings, get_settings
from .engines import MeteredEngine, make_engine
from .engines.base import Engine
from .erasure import Erasure
from .graph import build_graph
from .inputs import (ID_PATTERN, ID_RE, MAX_TEXT_CHARS, AnswerInput, DocumentInput, LiveAnswer, StartInput,
                     check_doc_id, check_id, check_kind, content_digest)
from .leases import Leases
from .library import DocumentLibrary
from .metrics import Metrics
from .models import DocumentAnalysis
from .report import full_report
from . import responses
from .sessions import COMPLETE_WAIT_SECONDS, SessionFlow
from .speech import SpeechPipeline, Transcriber
from .storage import Clock, Storage, make_storage, system_clock
from .storage.base import session_key

__all__ = ["InterviewService", "StartInput", "AnswerInput", "LiveAnswer", "DocumentInput", "check_id", "check_kind",
           "check_doc_id", "content_digest", "ID_PATTERN", "ID_RE", "MAX_TEXT_CHARS"]


class InterviewService:
    def __init__(self, settings: Optional[Settings] = None, store: Optional[Storage] = None,
                 engine: Optional[Engine] = None, clock: Clock = system_clock,
                 transcriber: Optional[Transcriber] = None):
        self.settings = settings or get_settings()
        self.clock = clock
        self.store = store or make_storage(self.settings, clock=clock)
        self.metrics = Metrics(self.store, self.settings.slow_llm_call_seconds, self.settings.slow_request_seconds)
        self.engine = MeteredEngine(engine or make_engine(self.settings), self.metrics.llm_call)
        self.library = DocumentLibrary(self.settings, self.store, self.engine, self.metrics, clock)
        # No checkpointer: the session record is the source of truth (see graph.py).
        self.graph = build_graph(self.engine, self.library.analyze, clock)
        # The model loads on the first spoken answer, not here: typed-only deployments never pay for it.
        self.speech = SpeechPipeline(self.settings, transcriber)
        self.leases = Leases(self.store, clock, self.settings.session_lock_seconds)
        self.sessions = SessionFlow(self.settings, self.store, self.engine, self.graph, self.library, self.speech,
                                    self.leases, clock)
        self.erasure = Erasure(self.store, self.library, self.settings.data_dir / "session-files",
                               self.settings.history_seconds)

    # The interview ---------------------------------------------------------------------------
    def start(self, data: StartInput) -> Dict[str, Any]:
        return self.sessions.start(data)

    def answer(self, data: AnswerInput, analyse_picture: bool = True) -> Dict[str, Any]:
        """`analyse_picture=False` (the UI, when the candidate has not agreed to it): a filmed answer's sound
        is transcribed and scored as usual, its picture is not analysed, and its metadata says so."""
        if not analyse_picture and data.video is not None:
            data = replace(data, audio=data.audio or data.video, video=None,
                           metadata={**({} if data.audio else {"source": "video"}), "picture_analysed": False,
                                     **data.metadata})
        return self.sessions.answer(data)

    def start_live(self, session_id: str, owner: Optional[str] = None, question_number: Optional[int] = None,
                   retry: bool = False, holder: Optional[str] = None) -> LiveAnswer:
        """A live answer: audio fed while the candidate speaks, finished by `answer(AnswerInput(live=...))`.
        `holder` (an owner, or a client address) may hold at most LIVE_OWNER_SHARE of the live places."""
        return self.sessions.start_live(session_id, owner, question_number, retry, holder)

    def stream(self, session_id: str, poll_seconds: float = 0.05,
               owner: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """SSE events for the awaiting question (blocking form; `poll_seconds` is kept for callers, waiting
        is now by notification)."""
        return self.sessions.stream(session_id, owner=owner)

    def astream(self, session_id: str, owner: Optional[str] = None) -> AsyncIterator[Dict[str, Any]]:
        return self.sessions.astream(session_id, owner=owner)

    def complete(self, session_id: str, force: bool = False, wait_seconds: float = COMPLETE_WAIT_SECONDS,
                 poll_seconds: float = 0.05, owner: Optional[str] = None) -> Dict[str, Any]:
        return self.sessions.complete(session_id, force=force, wait_seconds=wait_seconds, owner=owner)

    async def acomplete(self, session_id: str, force: bool = False, wait_seconds: float = COMPLETE_WAIT_SECONDS,
                        owner: Optional[str] = None) -> Dict[str, Any]:
        return await self.sessions.acomplete(session_id, force=force, wait_seconds=wait_seconds, owner=owner)

    def state(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        return responses.state(self.sessions.load(session_id, owner)[1])

    def performance(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        return responses.performance(self.sessions.load(session_id, owner)[1])

    def stored_report(self, session_id: str) -> Optional[Dict[str, Any]]:
        """The report if one was made, without making it (a UI reopening a session needs to know)."""
        return full_report(self.sessions.load(session_id)[1])

    def user_sessions(self, user_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        return self.sessions.user_sessions(user_id, owner=owner)

    def session_files(self, session_id: str, owner: Optional[str] = None):
        """A private folder for files made from this session (the UI's downloads), erased with it."""
        self.sessions.load(session_id, owner)
        return self.erasure.session_files(session_key(owner, session_id))

    # Documents -------------------------------------------------------------------------------
    def analyze(self, text: str, kind: str, doc_id: Optional[str] = None,
                owner: Optional[str] = None) -> Tuple[DocumentAnalysis, bool]:
        return self.library.analyze(text, kind, doc_id, owner)

    def save_document(self, data: DocumentInput) -> Dict[str, Any]:
        return self.library.save(data)

    def update_document(self, doc_id: str, data: DocumentInput) -> Dict[str, Any]:
        return self.library.update(doc_id, data)

    def get_document(self, doc_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        return self.library.get(doc_id, owner)

    # Erasure ---------------------------------------------------------------------------------
    def delete_document(self, doc_id: str, owner: Optional[str] = None, cascade: bool = False) -> Dict[str, Any]:
        return self.erasure.delete_document(doc_id, owner, cascade)

    def delete_session(self, session_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        return self.erasure.delete_session(session_id, owner)

    def delete_user(self, user_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        return self.erasure.delete_user(user_id, owner)

    # Operations ------------------------------------------------------------------------------
    def global_metrics(self) -> Dict[str, Any]:
        return self.metrics.global_view()

    def reset_metrics(self) -> Dict[str, Any]:
        self.metrics.reset()
        return {"status": "success", "message": "Metrics reset successfully"}

    def health(self) -> Dict[str, Any]:
        self.store.ping()
        return {"status": "ok", "storage": self.store.backend, "engine": self.engine.name}

    def close(self) -> None:
        """Shutdown: leases still held are released first, so no session waits for this process."""
        self.leases.release_all()
        self.speech.close()
        self.store.close()
