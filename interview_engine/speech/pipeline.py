"""From an uploaded recording to a transcript and voice analysis, in a bounded worker pool.

The pool keeps CPU-heavy transcription to `SPEECH_WORKERS` at a time with at most `SPEECH_QUEUE`
waiting; beyond that a request is refused at once with 503 and Retry-After rather than left to stall.
Request threads wait on their own job, so the event loop keeps serving `state`, `metrics` and streams.
"""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from ..errors import BadRequest, PayloadTooLarge, Unavailable
from ..models import VoiceAnalysis
from .live import LiveTranscription
from .media import DecodedAudio, decode
from .transcriber import Transcriber, Transcript, make_transcriber, transcribe_recording
from .voice import analyse_voice, silences

log = logging.getLogger("interview.speech")

NO_SPEECH = "No speech detected in the answer"
BUSY = "The server is busy transcribing other answers; retry shortly"
# A word the transcriber gave less than this probability is not "heard" for the evaluation: a job term in it
# cannot count as covered (the transcript still shows it).
HEARD_MIN_PROBABILITY = 0.3


@dataclass
class SpokenAnswer:
    text: str
    transcript: Transcript
    voice: VoiceAnalysis
    media: DecodedAudio
    source: str  # "audio" | "video"
    filename: str
    timings: Dict[str, float] = field(default_factory=dict)  # seconds per stage
    video: Optional[dict] = None  # video_analysis, when a video was sent
    live: bool = False

    def heard_text(self, min_probability: float = HEARD_MIN_PROBABILITY) -> str:
        """The transcript with the words heard below `min_probability` blanked out ("…")."""
        return self.transcript.heard_text(min_probability)

    def unclear_words(self, min_probability: float = HEARD_MIN_PROBABILITY) -> List[str]:
        return [w.text for w in self.transcript.words if not w.heard(min_probability)]

    def metadata(self) -> dict:
        """What the session keeps on the candidate's message."""
        return {
            "source": self.source,
            "voice_metrics": self.voice.model_dump(),
            "transcription": {
                "model": self.transcript.model, "language": self.transcript.language,
                "audio_seconds": round(self.media.duration, 2),
                "speech_seconds": round(self.transcript.speech_duration, 2),
                "container": self.media.container, "codec": self.media.codec, "filename": self.filename,
                "words": [[w.text, w.start, w.end, w.probability] for w in self.transcript.words],
                # Words the listening with the job's terms gave where the plain listening heard nothing as
                # clearly as heard_min_probability: shown, never counted (see Word.heard).
                "unsupported_words": [{"word": w.text, "at": w.start, "probability": w.probability,
                                       "plain_probability": w.support} for w in self.transcript.words
                                      if w.support is not None and w.support < HEARD_MIN_PROBABILITY],
                "dropped_segments": self.transcript.dropped_segments,
                "hotwords": self.transcript.hotwords, "dropped_words": self.transcript.dropped_words,
                "units": self.transcript.units, "hotword_units": self.transcript.hotword_units,
                "hotword_loops": self.transcript.hotword_loops, "live": self.live,
                "heard_min_probability": HEARD_MIN_PROBABILITY,
            },
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            **({"video_analysis": self.video} if self.video is not None else {}),
        }


LIVE_MARGIN_SECONDS = 30.0  # past MAX_MEDIA_SECONDS, how long a live answer may still be open (its Stop, the tail)


class SpeechPipeline:
    def __init__(self, settings, transcriber: Optional[Transcriber] = None):
        self.settings = settings
        self.transcriber = transcriber or make_transcriber(settings)
        self._pool = ThreadPoolExecutor(max_workers=settings.speech_workers, thread_name_prefix="speech")
        # Video runs beside the audio of the same answer, one video per speech worker.
        self._video_pool = ThreadPoolExecutor(max_workers=settings.speech_workers, thread_name_prefix="video")
        self._slots = threading.BoundedSemaphore(settings.speech_workers + settings.speech_queue)
        # Live answers hold places of their own (LIVE_PLACES), not upload slots: a room full of live answers
        # cannot turn uploads away. Their transcription still runs on the same workers.
        self._live: Dict[str, LiveTranscription] = {}
        self._live_lock = threading.Lock()
        self._reaper: Optional[threading.Thread] = None
        self._closing = threading.Event()

    def check_sizes(self, audio: Optional[Tuple[str, bytes]], video: Optional[Tuple[str, bytes]]) -> None:
        limit = self.settings.max_media_bytes
        for label, item in (("audio file", audio), ("video", video)):
            if item is not None and len(item[1]) > limit:
                raise PayloadTooLarge(f"The {label} is too large: {len(item[1]) / 1e6:.1f} MB "
                                      f"(limit {limit / 1e6:.0f} MB)")

    def process(self, audio: Optional[Tuple[str, bytes]], video: Optional[Tuple[str, bytes]],
                hotwords: Optional[List[str]] = None) -> SpokenAnswer:
        """Transcribe and analyse an answer. The audio file wins; a video alone gives its audio track.
        `hotwords`: the job's terms, to help the transcriber hear them.

        An answer holds its slot until both its jobs have finished: a video analysis still running after
        its transcription failed keeps the slot, so the queue stays bounded whatever fails."""
        self.check_sizes(audio, video)
        source, (filename, data) = ("audio", audio) if audio is not None else ("video", video)
        if not self._slots.acquire(blocking=False):
            raise Unavailable(BUSY, headers={"Retry-After": "5"})
        video_job = None
        try:
            if video is not None and self.settings.video_analysis:
                video_job = self._video_pool.submit(self._video, video[1])
            spoken = self._pool.submit(self._work, source, filename, data, hotwords or []).result()
            if video_job is not None:
                spoken.video = video_job.result()
                spoken.timings["video"] = spoken.video.pop("seconds", 0.0)
            return spoken
        finally:
            if video_job is not None and not video_job.done() and not video_job.cancel():
                # Already running: the slot is given back when it finishes, not before.
                video_job.add_done_callback(lambda _: self._slots.release())
            else:
                self._slots.release()

    def busy(self) -> int:
        """Answers holding a slot now (transcribing, waiting, or a video still being analysed)."""
        return self.settings.speech_workers + self.settings.speech_queue - self._slots._value  # noqa: SLF001

    def _video(self, data: bytes) -> dict:
        """video_analysis, or `available: false` with the reason: it never fails the answer."""
        from ..vision import analyse_video

        t0 = time.perf_counter()
        try:
            result = analyse_video(data, self.settings.max_media_seconds, backend=self.settings.video_face_backend,
                                   emotion=self.settings.video_emotion,
                                   emotion_timeout=self.settings.video_emotion_timeout)
        except Exception as exc:  # a 4xx for the audio path is decided there; here only say why
            reason = getattr(exc, "detail", None) or f"{type(exc).__name__}: {str(exc)[:160]}"
            log.warning("video analysis unavailable", extra={"reason": str(reason)[:200]})
            result = {"available": False, "reason": reason}
        result["seconds"] = time.perf_counter() - t0
        return result

    def _work(self, source: str, filename: str, data: bytes, hotwords: List[str]) -> SpokenAnswer:
        timings: Dict[str, float] = {}
        t0 = time.perf_counter()
        media = decode(data, "audio file" if source == "audio" else "video", self.settings.max_media_seconds)
        timings["decode"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        transcript = transcribe_recording(self.transcriber, media.samples, hotwords)
        timings["transcription"] = time.perf_counter() - t1
        return self._spoken(media, transcript, source, filename, timings, t0)

    def _spoken(self, media: DecodedAudio, transcript: Transcript, source: str, filename: str,
                timings: Dict[str, float], t0: float, live: bool = False, acoustic=None) -> SpokenAnswer:
        if not transcript.words or not transcript.text.strip():
            raise BadRequest(NO_SPEECH)
        t2 = time.perf_counter()
        voice = analyse_voice(media.samples, transcript, acoustic)  # the whole recording, live or not
        timings["voice"] = time.perf_counter() - t2
        log.debug("answer transcribed", extra={"audio_seconds": round(media.duration, 2), "live": live,
                                               "seconds": round(time.perf_counter() - t0, 3)})
        return SpokenAnswer(text=transcript.text, transcript=transcript, voice=voice, media=media, source=source,
                            filename=filename, timings=timings, live=live)

    # Live answers ------------------------------------------------------------------------------
    def open_live(self, hotwords: Optional[List[str]] = None, holder: Optional[str] = None) -> LiveTranscription:
        """A live answer, holding one of LIVE_PLACES until it is finished or abandoned: 503 when none is free, or
        when `holder` (an owner, or a client address) already holds its share of them (LIVE_OWNER_SHARE)."""
        places = self.settings.live_places
        share = max(1, int(places * self.settings.live_owner_share))
        with self._live_lock:
            if len(self._live) >= places:
                raise Unavailable(BUSY, headers={"Retry-After": "5"})
            if holder is not None and sum(1 for x in self._live.values() if x.holder == holder) >= share:
                raise Unavailable(f"This client already holds {share} of the {places} live answer places: finish "
                                  "one first, or send the recording as an upload", headers={"Retry-After": "5"})
            live = LiveTranscription(self._whisper(), self._pool.submit, hotwords or [],
                                     self.settings.max_media_seconds, on_close=self._live_closed,
                                     idle_seconds=self.settings.live_idle_seconds)
            live.holder = holder
            self._live[live.id] = live
            if self._reaper is None:
                self._reaper = threading.Thread(target=self._reap_loop, name="live-reaper", daemon=True)
                self._reaper.start()
        return live

    def _whisper(self):
        # Live transcription is faster-whisper's (unit by unit), also when Gemini transcribes uploads.
        return getattr(self.transcriber, "second", self.transcriber)

    def finish_live(self, live: LiveTranscription) -> SpokenAnswer:
        """The answer as the candidate stopped it: the tail transcribed, the voice analysed over the whole
        recording. Raises the same 4xx an upload of that audio would."""
        t0 = time.perf_counter()
        # Praat reads the whole recording (pitch, loudness, pauses) on the video pool's thread while the last
        # unit is transcribed: the two are independent, and the candidate is waiting.
        media, transcript, acoustic = live.finish(lambda fn: self._pool.submit(fn).result(),
                                                  beside=lambda x: self._video_pool.submit(silences, x))
        timings = {"transcription_tail": time.perf_counter() - t0}
        return self._spoken(media, transcript, "audio", "live", timings, t0, live=True, acoustic=acoustic)

    def _live_closed(self, live: LiveTranscription) -> None:
        with self._live_lock:
            self._live.pop(live.id, None)

    def live_count(self) -> int:
        with self._live_lock:
            return len(self._live)

    def reap(self, now: Optional[float] = None) -> int:
        """Abandon live answers that sent no sound for their idle time, or that have been open longer than any
        answer may last (MAX_MEDIA_SECONDS plus a margin for the client's stop). Returns how many were dropped."""
        now = time.monotonic() if now is None else now
        longest = self.settings.max_media_seconds + LIVE_MARGIN_SECONDS
        with self._live_lock:
            idle = [x for x in self._live.values() if x.state == "open"
                    and (now - x.last_activity > x.idle_seconds or now - x.started > longest)]
        for live in idle:
            log.info("live answer abandoned", extra={"seconds": round(live.seconds, 1)})
            live.abort()
        return len(idle)

    def _reap_loop(self) -> None:
        while not self._closing.wait(1.0):
            try:
                self.reap()
            except Exception:  # never let the reaper die
                log.exception("live reaper failed")

    def close(self) -> None:
        self._closing.set()
        with self._live_lock:
            lives = list(self._live.values())
        for live in lives:
            live.abort()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._video_pool.shutdown(wait=False, cancel_futures=True)
