"""The session flow: start, answer (and retry), stream the awaiting question, complete with a report.

Every change to a session goes through one lease (leases.py): claim at the version read, run the graph
step, commit, or release. Waiting for a session another request holds (a stream for a question being
generated, `complete` for an answer being scored) has a blocking form for in-process callers and an
async form for the API (`astream`, `acomplete`) that holds no thread while it waits.
"""
from __future__ import annotations

import logging
import re
import time
from typing import Any, AsyncIterator, Callable, Dict, Iterator, List, Optional, Tuple

import anyio

from . import responses
from .config import Settings
from .engines import MeteredEngine
from .engines.llm import ProviderError
from .errors import BadRequest, Conflict, InterviewError, NotFound
from .graph import append_question
from .inputs import ID_RE, MAX_TEXT_CHARS, AnswerInput, LiveAnswer, StartInput, check_id, content_digest
from .leases import Lease, Leases, SessionBusy
from .library import DocumentLibrary
from .models import DocumentAnalysis, SessionRecord
from .planner import session_seed
from .report import build_report, full_report, stored_form
from .retry import check_retryable, rewind
from .speech import SpeechPipeline
from .speech.hotwords import job_terms
from .storage import Storage, StoredSession
from .storage.base import session_key

log = logging.getLogger("interview.service")

# How long `complete` waits for a request holding the session (a question streaming in, an answer being
# scored) to finish; a lost commit of its own is tried again within the same time.
COMPLETE_WAIT_SECONDS = 10.0


class SessionFlow:
    def __init__(self, settings: Settings, store: Storage, engine: MeteredEngine, graph: Any,
                 library: DocumentLibrary, speech: SpeechPipeline, leases: Leases, clock: Callable[[], float]):
        self.settings = settings
        self.store = store
        self.engine = engine
        self.graph = graph
        self.library = library
        self.speech = speech
        self.leases = leases
        self.clock = clock

    # Reading ---------------------------------------------------------------------------------
    def load(self, session_id: str, owner: Optional[str] = None) -> Tuple[StoredSession, SessionRecord]:
        """The session, as its owner sees it. Another owner's session is "not found", never "forbidden",
        so a key cannot even learn that an id is in use elsewhere."""
        check_id("session_id", session_id)
        stored = self.store.get_session(session_key(owner, session_id))
        if stored is None or stored.data.get("owner") != owner:
            raise NotFound("Session not found")
        return stored, SessionRecord.model_validate(stored.data)

    def _expiry(self) -> float:
        return self.clock() + self.settings.session_ttl_seconds

    def _run_step(self, record: SessionRecord, answer: Optional[dict], defer: bool) -> SessionRecord:
        out = self.graph.invoke({"record": record.model_dump(mode="json"), "answer": answer, "defer": defer})
        return SessionRecord.model_validate(out["record"])

    # start -----------------------------------------------------------------------------------
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
        cv, cv_source = self.library.resolve_side("cv", data.cv_file, data.cv_id, data.cv_text, data.owner)
        jd, jd_source = self.library.resolve_side("jd", data.jd_file, data.jd_id, data.jd_text, data.owner)
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
        log.info("session started", extra={"session_id": record.session_id, "max_questions": record.max_questions})
        return responses.started(record)

    @staticmethod
    def _restored(record: SessionRecord, user_id: str) -> Dict[str, Any]:
        if record.user_id != user_id:
            # Never hand one person's interview to another who guessed or reused its id.
            raise Conflict("session_id already in use")
        return responses.restored(record)

    # answer ----------------------------------------------------------------------------------
    def answer(self, data: AnswerInput) -> Dict[str, Any]:
        """Evaluate an answer and move on. A recording (audio_file wins over video_file) is transcribed;
        its transcript is the answer and its voice analysis rides along. Typed `answer_text` is the
        offline-friendly alternative. With `retry`, the answer replaces the last one given (see retry.py).
        With `live`, the recording is a live answer the candidate has stopped (see `start_live`)."""
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
        if len(data.answer_text or "") > MAX_TEXT_CHARS:  # as sent, the way the contract counts it
            raise BadRequest(f"answer_text is limited to {MAX_TEXT_CHARS} characters")
        if data.live is not None:
            if data.live.session_id != data.session_id or data.live.owner != data.owner:
                raise BadRequest("This live answer belongs to another session")
            # The checks of an answer that arrived when the live answer opened.
            data.received_at, data.retry = data.live.opened_at, data.live.retry
            data.question_number = data.live.question_number
        elif spoken_input:
            self.speech.check_sizes(data.audio, data.video)  # 413 before anything else is read
        # Cheap checks first, so a stale or duplicate request costs no transcription.
        stored, record = self.load(data.session_id, data.owner)
        number = self._check_answer(record, data)
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
            heard = spoken.heard_text()  # only words heard clearly can cover a term
            metadata = {**spoken.metadata(), **data.metadata}
        try:
            with self.leases.hold(stored) as lease:
                step("scoring")
                base = record
                if data.retry:
                    base, attempts = rewind(record)
                    metadata.update(attempts)
                new = self._run_step(base, {"text": text, "metadata": metadata, "heard": heard}, data.defer_question)
                new.updated_at = new.advanced_at = self.clock()
                if not lease.commit(new.model_dump(mode="json"), self._expiry()):
                    raise self._lost(data, number)
        except SessionBusy as busy:
            raise self._lost(data, number) if busy.changed else Conflict(
                f"Question {number} is being answered by another request; retry shortly",
                headers={"Retry-After": "1"})
        return responses.answered(new, self.engine.name, data.retry, spoken)

    def _hotwords(self, record: SessionRecord, number: Optional[int]) -> List[str]:
        return job_terms(record, number, self.settings.whisper_hotwords)

    def start_live(self, session_id: str, owner: Optional[str] = None, question_number: Optional[int] = None,
                   retry: bool = False, holder: Optional[str] = None) -> LiveAnswer:
        """Open a live answer to the question awaiting one (or, with `retry`, to question_number again).
        The owner check (404 for another key's session) and the checks `answer` runs (409) run now, so a stale,
        duplicate or foreign answer is refused before any audio; `answer` runs them all again, under the
        session's lease, when it is finished. Holds a live place until finished or abandoned."""
        _, record = self.load(session_id, owner)
        probe = AnswerInput(session_id=session_id, question_number=question_number, retry=retry, owner=owner)
        number = self._check_answer(record, probe)
        live = self.speech.open_live(self._hotwords(record, number), holder=holder)
        return LiveAnswer(session_id=session_id, question_number=number, transcription=live,
                          opened_at=self.clock(), retry=retry, owner=owner)

    def _check_answer(self, record: SessionRecord, data: AnswerInput) -> int:
        if data.retry:
            number = check_retryable(record, data.question_number)
            if data.received_at is not None and data.received_at < record.advanced_at:
                # Sent before another request last moved the session (a racing retry): not this state's.
                raise Conflict(f"Question {number} was answered again by another request")
            return number
        return self._check_answerable(record, data)

    def _lost(self, data: AnswerInput, number: int) -> InterviewError:
        """The 409 for an answer whose session moved on while it was scored: says what happened, from the
        session as it is now (answered by another request, completed, erased), never an answer that is not there."""
        try:
            _, now = self.load(data.session_id, data.owner)
        except NotFound as gone:
            return gone
        try:
            self._check_answer(now, AnswerInput(session_id=data.session_id, question_number=number,
                                                retry=data.retry, received_at=None))
        except Conflict as exc:
            return exc
        return Conflict(f"Question {number} was answered by another request")

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

    # stream ----------------------------------------------------------------------------------
    def _stream_look(self, key: str, owner: Optional[str]) -> Tuple[str, Any]:
        """One look at the session for a stream: ("events", final events) to send and stop, ("generate",
        (lease, record)) when this request now holds the lease, or ("busy", None) when another does. Reads the
        stored fields directly: a storm of streams looks often, and only the one that generates needs the
        whole record validated."""
        stored = self.store.get_session(key)
        if stored is None or stored.data.get("owner") != owner:
            return "events", [{"error": "Session not found"}]
        data = stored.data
        if data.get("completed"):
            return "events", [{"error": "Interview already completed"}]
        messages = data.get("messages") or []
        if messages and messages[-1].get("role") == "interviewer":  # the awaiting question: replay, record nothing
            awaiting = messages[-1]
            return "events", [{"chunk": piece} for piece in re.findall(r"\S+\s*", awaiting.get("content", ""))] + \
                [{"done": True, "question_number": int((awaiting.get("metadata") or {}).get("question_number", 0))}]
        if data.get("pending_plan") is None:
            return "events", [{"error": "No question is pending"}]
        lease = self.leases.claim(stored)
        if lease is None:
            return "busy", None
        try:
            return "generate", (lease, SessionRecord.model_validate(data))
        except Exception:
            lease.close()
            raise

    def _generate(self, lease: Lease, record: SessionRecord) -> Iterator[Dict[str, Any]]:
        """Generates the deferred question under the lease, chunk by chunk, and saves it at the end. Closing
        the generator early (a client gone) releases the lease and leaves no half question behind."""
        with lease:
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
            if not lease.commit(record.model_dump(mode="json"), self._expiry()):
                yield {"error": "The session changed while the question was generated; retry"}
                return
            yield {"done": True, "question_number": plan.question_number}

    def _stream_wait_seconds(self) -> float:
        """How long a stream waits for a question another request is generating: as long as that generation
        can take (every provider attempt timing out, then the lease lapsing), not a fixed lock time. Under load
        (a hundred streams, two cores) generating one question can outlast SESSION_LOCK_SECONDS while its holder
        is alive and renewing, and a waiter that gave up then got an error instead of the question."""
        s = self.settings
        return s.llm_timeout_seconds * (s.llm_max_retries + 1) + s.session_lock_seconds

    def _stream_key(self, session_id: str, owner: Optional[str]) -> str:
        if not isinstance(session_id, str) or not ID_RE.match(session_id):
            raise BadRequest("session_id must be 1-128 characters from A-Z, a-z, 0-9, '_', '.', ':' and '-'")
        return session_key(owner, session_id)

    def stream(self, session_id: str, owner: Optional[str] = None) -> Iterator[Dict[str, Any]]:
        """SSE events for the question awaiting an answer; generates a deferred one exactly once. Blocks
        the calling thread while another request generates it (in-process callers; the API uses astream)."""
        try:
            key = self._stream_key(session_id, owner)
        except BadRequest:
            yield {"error": "Session not found"}
            return
        deadline = time.monotonic() + self._stream_wait_seconds()
        attempt = 0
        while True:
            since = self.leases.seen(key)
            kind, value = self._stream_look(key, owner)
            if kind == "events":
                yield from value
                return
            if kind == "generate":
                break
            if time.monotonic() > deadline:  # another stream holds it for too long
                yield {"error": "The question is being generated by another request; retry"}
                return
            self.leases.wait(key, deadline, attempt, since)
            attempt += 1
        lease, record = value
        try:
            yield from self._generate(lease, record)
        finally:
            lease.close()  # already closed by the generator, unless it never started

    async def astream(self, session_id: str, owner: Optional[str] = None) -> AsyncIterator[Dict[str, Any]]:
        """`stream` for the event loop: waiting holds no thread (it awaits a notification or the next poll);
        each store look and each engine chunk runs briefly in the thread pool. Raises BadRequest for a
        malformed id, before any event, so the API can answer 400."""
        key = self._stream_key(session_id, owner)
        deadline = time.monotonic() + self._stream_wait_seconds()
        attempt = 0
        lease: Optional[Lease] = None
        try:
            while True:
                since = self.leases.seen(key)
                # Shielded: a look that claims the lease must hand it back even if the client left meanwhile,
                # so the `finally` below can release it.
                with anyio.CancelScope(shield=True):
                    kind, value = await anyio.to_thread.run_sync(self._stream_look, key, owner)
                if kind == "generate":
                    lease, record = value
                    break
                if kind == "events":
                    for event in value:
                        yield event
                    return
                if time.monotonic() > deadline:
                    yield {"error": "The question is being generated by another request; retry"}
                    return
                await self.leases.wait_async(key, deadline, attempt, since)
                attempt += 1
            events = self._generate(lease, record)
            try:
                while True:
                    event = await anyio.to_thread.run_sync(next, events, None)
                    if event is None:
                        return
                    yield event
            finally:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(events.close)
        finally:
            if lease is not None and not lease.closed:  # a client gone before generation began
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(lease.close)

    # complete --------------------------------------------------------------------------------
    def _complete_once(self, session_id: str, force: bool, owner: Optional[str]) -> Optional[Dict[str, Any]]:
        """The saved report, or None when another request holds the session or this commit was lost (look
        again). A report is returned only once it is in the store."""
        stored, record = self.load(session_id, owner)
        if record.report is not None:
            return full_report(record)
        if not record.completed and not force:
            raise BadRequest("Session is not completed yet. Current status: active")
        lease = self.leases.claim(stored)
        if lease is None:
            return None
        with lease:
            report = build_report(record, ended_early=not record.completed,
                                  include_delivery=self.settings.delivery_in_recommendation)
            report.strengths, report.areas_to_improve = self.engine.narrative(report, record)
            record.completed = True
            record.pending_plan = None
            record.report = stored_form(report)
            record.updated_at = self.clock()
            # Kept for the practice history (HISTORY_DAYS); the CV and JD text are no longer needed. Their
            # digests stay, so erasing the session still finds the analyses cached from them.
            for side, field_name in (("cv", "cv_text"), ("jd", "jd_text")):
                text = getattr(record, field_name)
                if text:
                    record.sources.setdefault(side, {})["digest"] = content_digest(text)
            record.cv_text = record.jd_text = ""
            if record.analysis is not None:
                # What the history shows of the analysis (years, seniority, matched skills and gaps) stays;
                # the CV's quoted achievements and duties go with its text.
                for side in ("cv", "jd"):
                    doc = getattr(record.analysis, side)
                    setattr(record.analysis, side, DocumentAnalysis(kind=doc.kind, years_experience=doc.years_experience,
                                                                   seniority=doc.seniority))
            if not lease.commit(record.model_dump(mode="json"), self.clock() + self.settings.history_seconds):
                log.warning("report commit lost; looking again", extra={"session_id": session_id})
                return None
        log.info("session completed", extra={"session_id": session_id,
                                             "overall_score": report.evaluation["overall_score"]})
        return full_report(record)

    def complete(self, session_id: str, force: bool = False, wait_seconds: float = COMPLETE_WAIT_SECONDS,
                 owner: Optional[str] = None) -> Dict[str, Any]:
        """The final report. If another request holds the session (a question streaming in, an answer
        being scored), wait up to `wait_seconds` for it to finish rather than fail. Blocks the calling
        thread while waiting (in-process callers; the API uses acomplete)."""
        deadline = time.monotonic() + wait_seconds
        key = session_key(owner, session_id)
        attempt = 0
        while True:
            since = self.leases.seen(key)
            report = self._complete_once(session_id, force, owner)
            if report is not None:
                return report
            if time.monotonic() > deadline:
                raise Conflict("The session is busy with another request; retry")
            self.leases.wait(key, deadline, attempt, since)
            attempt += 1

    async def acomplete(self, session_id: str, force: bool = False, wait_seconds: float = COMPLETE_WAIT_SECONDS,
                        owner: Optional[str] = None) -> Dict[str, Any]:
        """`complete` for the event loop: the wait holds no thread."""
        deadline = time.monotonic() + wait_seconds
        key = session_key(owner, session_id)
        attempt = 0
        while True:
            since = self.leases.seen(key)
            report = await anyio.to_thread.run_sync(self._complete_once, session_id, force, owner)
            if report is not None:
                return report
            if time.monotonic() > deadline:
                raise Conflict("The session is busy with another request; retry")
            await self.leases.wait_async(key, deadline, attempt, since)
            attempt += 1

    # reading views ---------------------------------------------------------------------------
    def user_sessions(self, user_id: str, owner: Optional[str] = None) -> Dict[str, Any]:
        """The user's sessions under this owner, oldest first, each summarised with its report's scores once
        finished. An unknown user (or another owner's) simply has none."""
        check_id("user_id", user_id)
        return {"user_id": user_id,
                "sessions": [responses.summary(SessionRecord.model_validate(s.data), s.expires_at)
                             for s in self.store.list_sessions(user_id, owner=owner)]}
