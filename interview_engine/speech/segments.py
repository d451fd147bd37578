"""Cutting a recording into units at pauses, the same way whether it arrives whole or in pieces.

Both the upload path and live answers transcribe a recording as a list of units, each a stretch of
speech between two pauses, transcribed on its own. A unit depends only on the audio up to its end, so a
live answer can transcribe each unit as soon as the pause after it is heard, and when the candidate stops
only the last unit is left. The upload path applies the same rule to the whole file, so the same audio
gives the same units, the same transcript and the same scores on both paths.

Speech is found by the Silero VAD model that faster-whisper bundles, run over 32 ms windows with its
state carried from one block to the next: a window's probability depends only on the audio before it
(checked bit for bit against one pass over the whole file), so the cuts never move as audio arrives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

import numpy as np

from .media import SAMPLE_RATE

WINDOW = 512  # samples per VAD window (32 ms)
CONTEXT = 64  # samples of the previous window the model sees
SPEECH_PROB = 0.5  # a window at or above this is speech
# A unit ends at the first pause of at least CUT_PAUSE seconds once it holds MIN_UNIT seconds; a unit that
# reaches MAX_UNIT without such a pause is cut at its longest short pause (or, failing that, where it is).
CUT_PAUSE = 0.5
MIN_UNIT = 4.0
MAX_UNIT = 16.0
SHORT_PAUSE = 0.1
PAD = 0.3  # seconds of audio kept either side of the speech in a unit


def _w(seconds: float) -> int:
    return int(round(seconds * SAMPLE_RATE / WINDOW))


@dataclass(frozen=True)
class Unit:
    """Samples [start, end) of the recording: a stretch of speech with PAD either side."""

    start: int
    end: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / SAMPLE_RATE


class VoiceActivity:
    """Speech probability per 32 ms window, fed block by block with the model's state carried over."""

    def __init__(self):
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self._ctx = np.zeros((1, CONTEXT), np.float32)
        self.probs: List[float] = []

    def feed(self, windows: np.ndarray) -> None:
        """`windows`: whole windows of samples (a multiple of WINDOW), in order."""
        if windows.size == 0:
            return
        block = windows.reshape(-1, WINDOW).astype(np.float32, copy=False)
        before = np.concatenate([self._ctx, block[:-1, -CONTEXT:]], 0)
        out, self._h, self._c = self._session.run(None, {"input": np.concatenate([before, block], 1),
                                                         "h": self._h, "c": self._c})
        self._ctx = block[-1:, -CONTEXT:].copy()
        self.probs.extend(float(p) for p in np.asarray(out).reshape(-1))


class Segmenter:
    """Decides the units of a recording as its samples arrive (or all at once: the result is the same)."""

    def __init__(self):
        self.vad = VoiceActivity()
        self.units: List[Unit] = []  # closed units, in order
        self._fed = 0  # samples given to the VAD (whole windows only, until `close`)
        self._unit_start = 0  # window index where the open unit starts
        self._closed = False

    # Feeding ----------------------------------------------------------------------------------
    def advance(self, samples: np.ndarray) -> List[Unit]:
        """Look at the whole windows of `samples` (the recording so far) not seen yet; returns the units
        this closed."""
        whole = samples.size // WINDOW * WINDOW
        if whole <= self._fed:
            return []
        first = self._fed // WINDOW
        self.vad.feed(samples[self._fed:whole])
        self._fed = whole
        return self._scan(first, len(self.vad.probs))

    def close(self, samples: np.ndarray) -> List[Unit]:
        """The recording has ended: the last partial window counts (padded with zeros, as a whole-file pass
        pads it), and the open unit becomes the last one."""
        new = self.advance(samples)
        if self._closed:
            return new
        self._closed = True
        rest = samples[self._fed:]
        if rest.size:
            self.vad.feed(np.pad(rest, (0, WINDOW - rest.size)).astype(np.float32))
            new += self._scan(len(self.vad.probs) - 1, len(self.vad.probs))
        last = self._unit(self._unit_start, len(self.vad.probs), samples.size)
        if last is not None:
            self.units.append(last)
            new.append(last)
        return new

    # The open unit ----------------------------------------------------------------------------
    def open_unit(self, total: int, settled: bool = False) -> Optional[Unit]:
        """The audio of the unit still open, as it stands. With `settled`, only if its speech has ended at
        least PAD ago: then, unless speech resumes, it is exactly the last unit `close` will make."""
        n = len(self.vad.probs)
        last = self._last_speech(self._unit_start, n)
        if last is None:
            return None
        if settled and n - (last + 1) < _w(PAD):
            return None
        return self._unit(self._unit_start, n, min(total, n * WINDOW))

    # The rule ---------------------------------------------------------------------------------
    def _scan(self, first: int, upto: int) -> List[Unit]:
        out: List[Unit] = []
        probs = self.vad.probs
        pause, min_unit, max_unit = _w(CUT_PAUSE), _w(MIN_UNIT), _w(MAX_UNIT)
        for i in range(first, upto):
            start = self._unit_start
            if i - start + 1 < pause:
                continue
            # A pause of CUT_PAUSE ending at window i, after at least MIN_UNIT of unit: cut PAD after its start.
            run = probs[i - pause + 1:i + 1]
            if i - pause + 1 - start >= min_unit and max(run) < SPEECH_PROB and \
                    self._last_speech(start, i - pause + 1) is not None:
                cut = i - pause + 1 + _w(PAD)
                out += self._cut(start, cut)
                continue
            if i + 1 - start >= max_unit:
                out += self._cut(start, self._forced_cut(start, i + 1))
        return out

    def _cut(self, start: int, cut: int) -> List[Unit]:
        self._unit_start = cut
        unit = self._unit(start, cut, cut * WINDOW)
        if unit is None:
            return []
        self.units.append(unit)
        return [unit]

    def _forced_cut(self, start: int, end: int) -> int:
        """The middle of the longest run of non-speech windows in the unit's second half (at least
        SHORT_PAUSE long), else `end`."""
        best, best_len, run = end, _w(SHORT_PAUSE) - 1, 0
        probs = self.vad.probs
        for i in range(start + (end - start) // 2, end):
            run = run + 1 if probs[i] < SPEECH_PROB else 0
            if run > best_len:
                best_len, best = run, i + 1 - run // 2
        return best

    def _last_speech(self, a: int, b: int) -> Optional[int]:
        probs = self.vad.probs
        for i in range(b - 1, a - 1, -1):
            if probs[i] >= SPEECH_PROB:
                return i
        return None

    def _first_speech(self, a: int, b: int) -> Optional[int]:
        probs = self.vad.probs
        for i in range(a, b):
            if probs[i] >= SPEECH_PROB:
                return i
        return None

    def _unit(self, a: int, b: int, end_sample: int) -> Optional[Unit]:
        """Windows [a, b) trimmed to their speech plus PAD; None when they hold no speech."""
        first, last = self._first_speech(a, b), self._last_speech(a, b)
        if first is None or last is None:
            return None
        pad = _w(PAD)
        start = max(a, first - pad) * WINDOW
        end = min(end_sample, min(b, last + 1 + pad) * WINDOW)
        return Unit(start, end) if end > start else None


def units_of(samples: np.ndarray) -> List[Unit]:
    """The units of a whole recording (what a live answer ends with after the same audio)."""
    seg = Segmenter()
    seg.close(samples)
    return list(seg.units)
