"""Live answers: audio arrives in chunks while the candidate speaks; the transcript follows it.

Each chunk is appended to the recording (float32, 16 kHz, at most MAX_MEDIA_SECONDS), and a job on the
speech pool (the same bounded pool as uploads) moves the voice-activity detector forward, transcribes every
unit the last pause closed (segments.py), and re-transcribes the unit still open, at most every
DISPLAY_EVERY seconds, for the running transcript. When the candidate stops, only what is not transcribed
yet is left: usually nothing, because the open unit was transcribed once its speech had settled. The final
transcript is the same as an upload of the same audio gives.

Nothing is stored while recording. A live answer that is not fed for `idle_seconds` is abandoned: its
audio is dropped and its place in the pool freed (see SpeechPipeline.reap).
"""
from __future__ import annotations

import logging
import threading
import time
import uuid
from concurrent.futures import Future
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from ..errors import BadRequest, PayloadTooLarge
from .media import SAMPLE_RATE, DecodedAudio
from .segments import SPEECH_PROB, WINDOW, Segmenter, Unit
from .transcriber import Transcript, Word, transcribe_recording
from .voice import PAUSE_MIN, _fillers, _norm

log = logging.getLogger("interview.speech")

DISPLAY_EVERY = 1.5  # seconds between re-transcriptions of the open unit (the issue asks for at most 2 s)
JOB_EVERY = 0.5  # seconds of new audio before another background pass
MIN_DISPLAY = 1.5  # seconds of speech before the open unit is first shown
FORMATS = {"s16le": np.int16, "f32le": np.float32}
# Below this RMS (-60 dBFS) a chunk is silence: a real microphone's noise floor sits well above it, a muted or
# empty stream does not.
SILENT_RMS = 0.001


class LiveTranscription:
    def __init__(self, transcriber, submit: Callable[..., Future], hotwords: List[str], max_seconds: float,
                 on_close: Callable[["LiveTranscription"], None], idle_seconds: float = 30.0):
        self.id = uuid.uuid4().hex
        self.holder: Optional[str] = None  # who holds this live place (an owner, or a client address)
        self.transcriber = transcriber
        self.hotwords = list(hotwords)
        self.max_seconds = max_seconds
        self.idle_seconds = idle_seconds
        self._submit = submit
        self._on_close = on_close
        self._lock = threading.RLock()
        self._buf = np.zeros(SAMPLE_RATE * 10, np.float32)
        self._n = 0
        self._resampler = None
        self._rate: Optional[int] = None
        self._seg = Segmenter()
        self._done: Dict[Tuple[int, int], Transcript] = {}
        self._display: Optional[Tuple[Unit, Transcript]] = None
        self._display_at = 0.0
        self._job: Optional[Future] = None
        self._job_from = 0
        self._error: Optional[BaseException] = None
        self.state = "open"  # open | finishing | finished | aborted
        self.last_activity = time.monotonic()
        self.started = time.monotonic()
        self.passes = 0  # background passes run (for the bench)
        self.recording: Optional[np.ndarray] = None

    # Feeding ----------------------------------------------------------------------------------
    def feed(self, data, sample_rate: int = SAMPLE_RATE, fmt: str = "s16le") -> None:
        """Append a chunk: raw PCM bytes (mono, `fmt`) or a numpy array of samples, at `sample_rate`."""
        with self._lock:
            self._check_open()
            if isinstance(data, (bytes, bytearray, memoryview)):
                if fmt not in FORMATS:
                    raise BadRequest(f"Unsupported audio format {fmt!r}: use s16le or f32le")
                width = np.dtype(FORMATS[fmt]).itemsize
                if len(data) % width:
                    raise BadRequest(f"A {fmt} chunk must hold whole samples ({width} bytes each)")
                arr = np.frombuffer(bytes(data), dtype=FORMATS[fmt])
            else:
                arr = np.asarray(data)
                if arr.ndim == 2:  # (samples, channels): mix down
                    arr = arr.mean(axis=1).astype(arr.dtype)
            if not 8000 <= int(sample_rate) <= 96000:
                raise BadRequest("sample_rate must be between 8000 and 96000")
            if self._rate is None:
                self._rate = int(sample_rate)
            elif int(sample_rate) != self._rate:
                raise BadRequest("The sample rate changed in the middle of the answer")
            samples = self._resample(arr)
            if (self._n + samples.size) / SAMPLE_RATE > self.max_seconds:
                self._abort()
                raise PayloadTooLarge(f"The answer is longer than the limit of {self.max_seconds:.0f} s")
            self._append(samples)
            if samples.size and float(np.sqrt(np.mean(np.square(samples)))) >= SILENT_RMS:
                # Only sound keeps a live place: empty or silent frames sent to hold one do not.
                self.last_activity = time.monotonic()
            if self._job is None and (self._n - self._job_from) >= JOB_EVERY * SAMPLE_RATE:
                self._schedule()

    def _resample(self, arr: np.ndarray) -> np.ndarray:
        """To float32 at 16 kHz through PyAV's resampler, as uploads are decoded, so the same audio gives the
        same samples on both paths."""
        import av

        if arr.size == 0:
            return np.zeros(0, np.float32)
        if arr.dtype != np.int16:
            arr = (np.clip(arr.astype(np.float32), -1.0, 1.0) * 32767).astype(np.int16) \
                if arr.dtype.kind == "f" else arr.astype(np.int16)
        if self._resampler is None:
            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(arr.reshape(1, -1)), format="s16", layout="mono")
        frame.sample_rate = self._rate
        out = [f.to_ndarray().reshape(-1) for f in self._resampler.resample(frame)]
        return np.concatenate(out).astype(np.float32, copy=False) if out else np.zeros(0, np.float32)

    def _append(self, samples: np.ndarray) -> None:
        need = self._n + samples.size
        if need > self._buf.size:
            grown = np.zeros(max(need, self._buf.size * 2), np.float32)
            grown[:self._n] = self._buf[:self._n]
            self._buf = grown  # a pass holding a view of the old buffer keeps reading it safely
        self._buf[self._n:need] = samples
        self._n = need

    @property
    def seconds(self) -> float:
        return self._n / SAMPLE_RATE

    # Background passes ------------------------------------------------------------------------
    def _schedule(self) -> None:
        self._job_from = self._n
        try:
            self._job = self._submit(self._pass)
        except RuntimeError:  # the pool is shut down: the server is stopping
            self._job = None

    def _pass(self) -> None:
        try:
            with self._lock:
                if self.state != "open":
                    return
                samples = self._buf[:self._n]
            closed = self._seg.advance(samples)
            for unit in closed:
                self._transcribe(samples, unit)
            now = time.monotonic()
            unit = self._seg.open_unit(samples.size, settled=True)
            if unit is not None:  # what the finished answer will need, unless speech resumes: the real thing
                if self._display is None or self._display[0] != unit:
                    self._display = (unit, self._transcribe(samples, unit))
                    self._display_at = now
            elif now - self._display_at >= DISPLAY_EVERY:
                unit = self._seg.open_unit(samples.size)
                if unit is not None and unit.seconds >= MIN_DISPLAY and \
                        (self._display is None or self._display[0] != unit):
                    # Only for the running transcript: one quick listening without the hotwords, kept apart
                    # from the units' transcripts (the finished answer never reuses it).
                    self._display = (unit, self.transcriber.transcribe(samples[unit.start:unit.end], []))
                    self._display_at = now
            self.passes += 1
        except BaseException as exc:  # kept for finish(): a background failure must not vanish
            log.warning("live transcription pass failed", extra={"error": f"{type(exc).__name__}: {str(exc)[:200]}"})
            self._error = exc
        finally:
            with self._lock:
                self._job = None
                if self.state == "open" and self._error is None and \
                        (self._n - self._job_from) >= JOB_EVERY * SAMPLE_RATE:
                    self._schedule()

    def _transcribe(self, samples: np.ndarray, unit: Unit) -> Transcript:
        key = (unit.start, unit.end)
        if key not in self._done:
            self._done[key] = self.transcriber.transcribe(samples[unit.start:unit.end], self.hotwords)
        return self._done[key]

    # What the candidate sees ------------------------------------------------------------------
    def snapshot(self) -> dict:
        """The running transcript with words per minute and fillers so far."""
        with self._lock:
            units = list(self._seg.units)
            display = self._display
            seconds = self.seconds
        words: List[Word] = []
        for unit in units:
            part = self._done.get((unit.start, unit.end))
            if part is not None:
                words += [w.shifted(unit.start / SAMPLE_RATE) for w in part.words]
        if display is not None and (not units or display[0].start >= units[-1].end):
            words += [w.shifted(display[0].start / SAMPLE_RATE) for w in display[1].words]
        rate = None
        if len(words) >= 5 and words[-1].end - words[0].start >= 3.0:
            rate = int(round(len(words) / (words[-1].end - words[0].start) * 60))
        fillers = _fillers(words, self._pauses())
        return {"text": " ".join(w.text for w in words), "words": len(words), "seconds": round(seconds, 1),
                "rate_wpm": rate, "fillers": [f["filler"] for f in fillers],
                "filler_count": len(fillers), "hesitations": sum(1 for w in words if _norm(w.text) in ("um", "uh"))}

    def _pauses(self) -> List[Tuple[float, float]]:
        """Silent stretches of PAUSE_MIN or more, from the voice-activity probabilities."""
        probs = list(self._seg.vad.probs)
        out, start = [], None
        for i, p in enumerate(probs + [1.0]):
            if p < SPEECH_PROB and start is None:
                start = i
            elif p >= SPEECH_PROB and start is not None:
                if (i - start) * WINDOW / SAMPLE_RATE >= PAUSE_MIN:
                    out.append((start * WINDOW / SAMPLE_RATE, i * WINDOW / SAMPLE_RATE))
                start = None
        return out

    # Ending -----------------------------------------------------------------------------------
    def finish(self, run: Callable[[Callable[[], object]], object], beside: Optional[Callable] = None):
        """Transcribe what is left (`run` executes it on the speech pool) and return (media, transcript, the
        result of `beside(samples)`, a Future started first). Raises the 4xx an upload of the same audio
        would get."""
        with self._lock:
            self._check_open()
            self.state = "finishing"
            job = self._job
        try:
            if job is not None:
                try:
                    job.result(timeout=120)
                except Exception:
                    pass
            if self._error is not None:
                raise self._error
            samples = self._buf[:self._n].copy()
            if samples.size < 0.05 * SAMPLE_RATE:
                raise BadRequest("The answer contains no audio")

            def last():
                self._seg.close(samples)
                return transcribe_recording(self.transcriber, samples, self.hotwords, done=self._done,
                                            units=list(self._seg.units))

            side = beside(samples) if beside is not None else None
            transcript = run(last)
            self.state = "finished"
            self.recording = samples  # for playback by whoever holds this answer; dropped with it
            media = DecodedAudio(samples=samples, duration=samples.size / SAMPLE_RATE, header_duration=None,
                                 container="live", codec="pcm", has_video=False)
            acoustic = None
            if side is not None:
                try:
                    acoustic = side.result()
                except Exception:  # the voice analysis computes it again, and reports any real problem
                    acoustic = None
            return media, transcript, acoustic
        except BaseException:
            self._abort()
            raise
        finally:
            self._release()

    def abort(self) -> None:
        """Drop the answer: nothing was stored, and the audio goes now."""
        with self._lock:
            if self.state == "finishing":  # the answer is being scored: finish() releases it
                return
            if self.state == "open":
                self._abort()
            elif self.state == "finished":
                # Answered, or refused after its audio was in (409 under the lease, ...): the working buffer
                # goes; only `recording`, the copy for playback, stays with whoever holds this answer.
                self._buf = np.zeros(0, np.float32)
                self._n = 0
                self._done.clear()
        self._release()  # idempotent: the pool frees the slot once

    def _abort(self) -> None:
        self.state = "aborted"
        self._buf = np.zeros(0, np.float32)
        self._n = 0
        self._done.clear()
        self._display = None

    def _release(self) -> None:
        self._on_close(self)

    def _check_open(self) -> None:
        if self.state == "aborted":
            raise BadRequest("This live answer was abandoned (no audio for a while, or it was cancelled); "
                             "record the answer again")
        if self.state != "open":
            raise BadRequest("This live answer has already ended")
