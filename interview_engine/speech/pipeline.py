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
from typing import Dict, Optional, Tuple

from ..errors import BadRequest, PayloadTooLarge, Unavailable
from ..models import VoiceAnalysis
from .media import DecodedAudio, decode
from .transcriber import Transcriber, Transcript, make_transcriber
from .voice import analyse_voice

log = logging.getLogger("interview.speech")

NO_SPEECH = "No speech detected in the answer"


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
                "dropped_segments": self.transcript.dropped_segments,
            },
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            **({"video_analysis": self.video} if self.video is not None else {}),
        }


class SpeechPipeline:
    def __init__(self, settings, transcriber: Optional[Transcriber] = None):
        self.settings = settings
        self.transcriber = transcriber or make_transcriber(settings)
        self._pool = ThreadPoolExecutor(max_workers=settings.speech_workers, thread_name_prefix="speech")
        # Video runs beside the audio of the same answer, one video per speech worker.
        self._video_pool = ThreadPoolExecutor(max_workers=settings.speech_workers, thread_name_prefix="video")
        self._slots = threading.BoundedSemaphore(settings.speech_workers + settings.speech_queue)

    def check_sizes(self, audio: Optional[Tuple[str, bytes]], video: Optional[Tuple[str, bytes]]) -> None:
        limit = self.settings.max_media_bytes
        for label, item in (("audio file", audio), ("video", video)):
            if item is not None and len(item[1]) > limit:
                raise PayloadTooLarge(f"The {label} is too large: {len(item[1]) / 1e6:.1f} MB "
                                      f"(limit {limit / 1e6:.0f} MB)")

    def process(self, audio: Optional[Tuple[str, bytes]], video: Optional[Tuple[str, bytes]]) -> SpokenAnswer:
        """Transcribe and analyse an answer. The audio file wins; a video alone gives its audio track.

        An answer holds its slot until both its jobs have finished: a video analysis still running after
        its transcription failed keeps the slot, so the queue stays bounded whatever fails."""
        self.check_sizes(audio, video)
        source, (filename, data) = ("audio", audio) if audio is not None else ("video", video)
        if not self._slots.acquire(blocking=False):
            raise Unavailable("The server is busy transcribing other answers; retry shortly",
                              headers={"Retry-After": "5"})
        video_job = None
        try:
            if video is not None and self.settings.video_analysis:
                video_job = self._video_pool.submit(self._video, video[1])
            spoken = self._pool.submit(self._work, source, filename, data).result()
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

    def _work(self, source: str, filename: str, data: bytes) -> SpokenAnswer:
        timings: Dict[str, float] = {}
        t0 = time.perf_counter()
        media = decode(data, "audio file" if source == "audio" else "video", self.settings.max_media_seconds)
        timings["decode"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        transcript = self.transcriber.transcribe(media.samples)
        timings["transcription"] = time.perf_counter() - t1
        if not transcript.words or not transcript.text.strip():
            raise BadRequest(NO_SPEECH)
        t2 = time.perf_counter()
        voice = analyse_voice(media.samples, transcript)
        timings["voice"] = time.perf_counter() - t2
        log.debug("answer transcribed", extra={"audio_seconds": round(media.duration, 2),
                                               "seconds": round(time.perf_counter() - t0, 3)})
        return SpokenAnswer(text=transcript.text, transcript=transcript, voice=voice, media=media, source=source,
                            filename=filename, timings=timings)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._video_pool.shutdown(wait=False, cancel_futures=True)
