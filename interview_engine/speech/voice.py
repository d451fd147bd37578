"""Voice analysis: how an answer was delivered, from the audio (praat-parselmouth) and the word timings.

Every score comes with the measures behind it. These describe delivery, not competence: they stay out
of the hire recommendation unless DELIVERY_IN_RECOMMENDATION is set.
"""
from __future__ import annotations

import json
import re
from typing import Dict, List, Tuple

import numpy as np

from ..lexicon import DISCOURSE_FILLERS as LEXICON_DISCOURSE_FILLERS, HESITATIONS
from ..models import DELIVERY_NOTE, FILLER_NOTE, VoiceAnalysis
from .media import SAMPLE_RATE
from .transcriber import Transcript, Word

PAUSE_MIN = 0.25  # s of silence that counts as a pause
LONG_PAUSE = 1.0
SILENCE_DB = 25.0  # below the loudest frame by this much is silence (Praat's default)
PACE_BAND = (120.0, 170.0)  # comfortable interview pace, words per minute
# The one filler list (lexicon), read here in its spoken sense: hesitations always count; discourse fillers
# count only next to a pause: "I like Python" is not a filler, "like... for payments" is.
ALWAYS_FILLERS = set(HESITATIONS)
DISCOURSE_FILLERS = sorted((tuple(d.split()) for d in LEXICON_DISCOURSE_FILLERS), key=len, reverse=True)


def _clip(x: float, lo: float = 0.0, hi: float = 10.0) -> float:
    return max(lo, min(hi, x))


def _norm(word: str) -> str:
    return re.sub(r"[^a-z']", "", word.lower())


def silences(samples: np.ndarray) -> Tuple[List[Tuple[float, float]], Dict[str, float]]:
    """Silent intervals (≥ PAUSE_MIN) from Praat's intensity contour, plus pitch and loudness measures."""
    import parselmouth

    sound = parselmouth.Sound(samples.astype(np.float64), sampling_frequency=SAMPLE_RATE)
    intensity = sound.to_intensity(minimum_pitch=100.0)
    values = intensity.values[0]
    times = intensity.xs()
    measures: Dict[str, float] = {}
    spans: List[Tuple[float, float]] = []
    if values.size:
        threshold = float(values.max()) - SILENCE_DB
        silent = values < threshold
        step = float(intensity.time_step)
        start = None
        for t, s in zip(times, silent):
            if s and start is None:
                start = t - step / 2
            elif not s and start is not None:
                if t - step / 2 - start >= PAUSE_MIN:
                    spans.append((round(start, 3), round(t - step / 2, 3)))
                start = None
        voiced_db = values[~silent]
        measures["intensity_sd_db"] = round(float(voiced_db.std()), 2) if voiced_db.size else 0.0
    pitch = sound.to_pitch(time_step=0.01, pitch_floor=75.0, pitch_ceiling=500.0)
    f0 = pitch.selected_array["frequency"]
    f0 = f0[f0 > 0]
    if f0.size >= 10:
        semitones = 12 * np.log2(f0 / 100.0)
        measures["pitch_mean_hz"] = round(float(f0.mean()), 1)
        measures["pitch_sd_semitones"] = round(float(semitones.std()), 2)
    else:
        measures["pitch_mean_hz"] = 0.0
        measures["pitch_sd_semitones"] = 0.0
    return spans, measures


def _fillers(words: List[Word], pauses: List[Tuple[float, float]]) -> List[dict]:
    tokens = [_norm(w.text) for w in words]

    def pause_next_to(first: Word, last: Word) -> bool:
        # Whisper stretches a word's end over the silence after it, so a pause that starts inside the
        # word (or just after) follows it.
        for a, b in pauses:
            if first.start - 0.15 <= b <= first.start + 0.15:
                return True
            if last.start < a <= last.end + 0.2:
                return True
        return False

    found = []
    i = 0
    while i < len(tokens):
        if tokens[i] in ALWAYS_FILLERS:
            found.append({"filler": tokens[i], "at": words[i].start})
            i += 1
            continue
        for pattern in DISCOURSE_FILLERS:
            n = len(pattern)
            if tuple(tokens[i:i + n]) == pattern and pause_next_to(words[i], words[i + n - 1]):
                found.append({"filler": " ".join(pattern), "at": words[i].start})
                i += n - 1
                break
        i += 1
    return found


def pace_score(rate: float) -> float:
    lo, hi = PACE_BAND
    if rate < lo:
        return _clip(10 - (lo - rate) / 6)  # 0 at 60 wpm
    if rate > hi:
        return _clip(10 - (rate - hi) / 7)  # 0 at 240 wpm
    return 10.0


def analyse_voice(samples: np.ndarray, transcript: Transcript, acoustic_measures=None) -> VoiceAnalysis:
    """`acoustic_measures`: `silences(samples)` if already computed (a live answer starts it the moment
    recording stops, beside the last transcription)."""
    words = transcript.words
    if not words:
        raise ValueError("voice analysis needs at least one word")
    first, last = words[0].start, words[-1].end
    span = max(last - first, 0.1)
    rate = len(words) / span * 60
    spans, acoustic = acoustic_measures if acoustic_measures is not None else silences(samples)
    acoustic = dict(acoustic)
    pauses = [(a, b) for a, b in spans if a > first and b < last]  # inside the answer, not around it
    pause_lengths = [b - a for a, b in pauses]
    pause_time = sum(pause_lengths)
    speaking_time = max(span - pause_time, 0.1)
    long_pauses = [p for p in pause_lengths if p >= LONG_PAUSE]
    fillers = _fillers(words, pauses)
    minutes = span / 60
    probs = [w.probability for w in words]
    mean_prob = float(np.mean(probs))
    unclear = [w.text for w in words if w.probability < 0.5]
    lead = words[0].start

    fillers_per_min = len(fillers) / minutes
    long_per_min = len(long_pauses) / minutes
    pause_ratio = pause_time / span
    fluency = 10 - min(5.0, 0.25 * fillers_per_min) - min(3.0, 1.0 * long_per_min) \
        - min(2.0, max(0.0, pause_ratio - 0.2) * 10)
    clarity = _clip(10 * (mean_prob - 0.35) / 0.6)
    sd = acoustic.get("pitch_sd_semitones", 0.0)
    pitch_part = _clip(10 * sd / 2.0) if sd < 2.0 else (10.0 if sd <= 6.0 else _clip(10 - (sd - 6.0) * 2))
    start_part = 10.0 if lead <= 1.5 else _clip(10 - (lead - 1.5) * 2)
    confidence = 0.6 * pitch_part + 0.4 * start_part
    pace = pace_score(rate)
    scores = {"fluency_score": round(_clip(fluency), 1), "clarity_score": round(clarity, 1),
              "confidence_score": round(_clip(confidence), 1), "pace_score": round(pace, 1)}
    total = round(sum(scores.values()) / 4, 1)

    measures = {
        "words": len(words), "speech_span_seconds": round(span, 2), "rate_wpm": round(rate, 1),
        "articulation_rate_wpm": round(len(words) / speaking_time * 60, 1),
        "pause_count": len(pauses), "pause_mean_seconds": round(pause_time / len(pauses), 2) if pauses else 0.0,
        "pause_longest_seconds": round(max(pause_lengths), 2) if pauses else 0.0,
        "long_pauses": len(long_pauses), "pause_ratio": round(pause_ratio, 3),
        "filler_count": len(fillers), "fillers": fillers,
        "mean_word_confidence": round(mean_prob, 3), "leading_silence_seconds": round(lead, 2),
        **acoustic,
    }
    lo, hi = PACE_BAND
    evidence = {
        "pace": f"{rate:.0f} words per minute over {span:.1f} s (comfortable band {lo:.0f}-{hi:.0f})",
        "fluency": [f"{len(fillers)} filler(s)" + (": " + ", ".join(f['filler'] for f in fillers) if fillers else ""),
                    f"{len(pauses)} pause(s) of {PAUSE_MIN}s or more, {len(long_pauses)} over {LONG_PAUSE:.0f} s",
                    f"{pause_ratio:.0%} of the answer was pauses"],
        "clarity": f"the transcriber was {mean_prob:.0%} sure of the words on average"
                   + (f"; unclear: {', '.join(unclear[:8])}" if unclear else ""),
        "confidence": f"pitch varied by {sd:.1f} semitones (flat below 2); started speaking after {lead:.1f} s",
        "fillers_note": FILLER_NOTE,
        "note": DELIVERY_NOTE,
    }
    if "estimated" in transcript.model:
        evidence["timing_note"] = ("Word timings were estimated (the transcriber returned none): rate and pauses "
                                   "come from the audio, filler timing is approximate.")
    # Plain Python numbers only: numpy scalars do not serialise into checkpoints or JSON stores.
    measures = json.loads(json.dumps(measures, default=float))
    return VoiceAnalysis(**{k: float(v) for k, v in scores.items()}, total_score=float(total),
                         rate_wpm=int(round(rate)), measures=measures, evidence=evidence)
