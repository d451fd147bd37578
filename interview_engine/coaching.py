"""Plain-language coaching: what to try next time, from the evidence behind an answer's scores, and how
long an answer at each stage usually takes.

Tips only restate what the evidence shows (a missing result, no figures, fillers, pace); they never
add a judgement the scores do not already carry.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

# Suggested answer length per stage, in seconds: a gentle guide, never a limit. A short introduction;
# technical and behavioural answers long enough for one example told as situation, action, result.
SUGGESTED_SECONDS: Dict[str, Tuple[int, int]] = {
    "intro": (60, 120), "technical": (90, 180), "behavioral": (90, 180), "closing": (30, 90)}
PACE_BAND = (120, 170)  # words per minute that listeners find comfortable (as in the voice analysis)
MAX_TIPS = 3


def suggested_length(stage: Optional[str]) -> Tuple[int, int]:
    return SUGGESTED_SECONDS.get(stage or "", (60, 120))


def tips(answer_metadata: Dict[str, Any], limit: int = MAX_TIPS) -> List[str]:
    """Up to `limit` tips for one answer, most useful first, from its stored metadata (evidence, and
    voice_metrics for a spoken answer)."""
    ev = answer_metadata.get("evidence") or {}
    voice = answer_metadata.get("voice_metrics") or {}
    star = ev.get("star") or {}
    out: List[str] = []
    if ev.get("off_topic"):
        out.append("Answer the question that was asked first, in your opening sentence; then add context.")
    if ev.get("too_short"):
        out.append("Say more: pick one real example and tell what the situation was, what you did and what "
                   "came of it.")
    elif star and not star.get("action"):
        out.append("Ground the answer in one real example: what you yourself did, step by step.")
    elif star.get("action") and not star.get("result"):
        out.append("Finish with the outcome: what changed because of what you did, ideally with a number.")
    if not ev.get("numbers") and not ev.get("too_short") and not ev.get("off_topic"):
        out.append("Add a figure (scale, time saved, error rate, team size): numbers make a result believable.")
    missed = ev.get("terms_missed") or []
    if missed and not ev.get("off_topic"):
        out.append(f"The question asked about {', '.join(missed[:3])}: address it by name.")
    if ev.get("rambling"):
        out.append("Keep it tighter: lead with the point, give one example and its result, then stop.")
    hedges = sum((ev.get("hedges") or {}).values())
    if hedges >= 2:
        out.append("Drop hedges such as 'I think' and 'maybe': say plainly what you did.")
    fillers = max(sum((ev.get("fillers") or {}).values()), int((voice.get("measures") or {}).get("filler_count", 0)))
    if fillers >= 3:
        out.append("Replace filler words ('um', 'like') with a short pause: silence sounds more confident.")
    rate = voice.get("rate_wpm")
    if rate:
        lo, hi = PACE_BAND
        if rate > hi:
            out.append(f"Slow down a little: you spoke at {rate} words a minute; {lo}-{hi} is easy to follow.")
        elif rate < lo:
            out.append(f"Pick up the pace slightly: you spoke at {rate} words a minute; {lo}-{hi} keeps listeners "
                       "with you.")
    if int((voice.get("measures") or {}).get("long_pauses", 0)) >= 2:
        out.append("Several long pauses: take a breath before you start and outline the answer in your head.")
    if not out:
        out.append("Well structured: keep this shape (example, what you did, the result) in your next answers.")
    return out[:limit]
