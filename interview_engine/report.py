"""The final report. Code, never an engine, computes the averages, overall score and recommendation."""
from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Optional, Tuple

from . import coaching
from .models import Report, SessionRecord

HIRE_AT = 8.0
MAYBE_AT = 6.0


# Shapes that are not an answer to the question, whatever else they hold.
NOT_ANSWERS = {"off_topic", "gibberish", "empty", "scorer_only", "read_back", "keyword_list"}
NOT_CHECKED = ("Facts and safety were not checked: the offline engine scores how an answer is built, not whether "
               "it is right. An LLM engine can check them.")


def recommend(overall_score: float) -> str:
    """The contract's thresholds, applied to the score as reported (rounded to 2 decimals)."""
    if overall_score >= HIRE_AT:
        return "hire"
    if overall_score >= MAYBE_AT:
        return "maybe"
    return "no_hire"


def aggregate(evaluations: List[Dict]) -> Dict[str, float]:
    if not evaluations:
        return {"overall_score": 0.0, "clarity": 0.0, "relevance": 0.0, "depth": 0.0}
    avg = {k: round(sum(e[k] for e in evaluations) / len(evaluations), 2) for k in ("clarity", "relevance", "depth")}
    avg["overall_score"] = round((avg["clarity"] + avg["relevance"] + avg["depth"]) / 3, 2)
    return avg


def strengths_and_areas(evaluations: List[Dict]) -> Tuple[List[str], List[str]]:
    """Plain statements built from the evidence, each saying how often it was seen."""
    n = len(evaluations)
    if not n:
        return [], ["No answers were given, so there is nothing to assess."]
    evidences = [e.get("evidence") or {} for e in evaluations]
    # A claim of strength counts only answers that addressed their question: a vivid story about something
    # else is no concrete example, and no figure it holds backs a claim.
    answered = [ev for ev in evidences if not ev.get("off_topic") and not set(ev.get("flags") or ()) & NOT_ANSWERS]
    star_full = sum(1 for ev in answered if all((ev.get("star") or {}).values()) and ev.get("star"))
    with_numbers = sum(1 for ev in answered if ev.get("numbers"))
    off_topic = sum(1 for ev in evidences if ev.get("off_topic"))
    short = sum(1 for ev in evidences if ev.get("too_short"))
    rambling = sum(1 for ev in evidences if ev.get("rambling"))
    no_result = sum(1 for ev in evidences if (ev.get("star") or {}).get("action") and not (ev.get("star") or {}).get("result"))
    fillers = sum(sum((ev.get("fillers") or {}).values()) for ev in evidences)
    hedges = sum(sum((ev.get("hedges") or {}).values()) for ev in evidences)
    covered = Counter(t for ev in answered for t in ev.get("jd_terms_mentioned", []))
    # One list per report: a term the candidate covered in any answer is never "not covered".
    anywhere = {t.lower() for ev in evidences for t in (ev.get("terms_covered", []) + ev.get("jd_terms_mentioned", [])
                                                        + ev.get("tools", []))}
    missed = Counter(t for ev in evidences for t in ev.get("terms_missed", []) if t.lower() not in anywhere)
    injected = sum(1 for ev in evidences if ev.get("injection"))

    strengths, areas = [], []
    if star_full:
        strengths.append(f"Gave concrete examples with actions and results in {star_full} of {n} answers.")
    if with_numbers:
        strengths.append(f"Backed claims with specific figures in {with_numbers} of {n} answers.")
    if covered:
        strengths.append("Spoke to the job's requirements: " + ", ".join(t for t, _ in covered.most_common(5)) + ".")
    if len(answered) == n and n >= 2:
        strengths.append("Stayed on topic throughout.")
    if off_topic:
        areas.append(f"{off_topic} of {n} answers did not address the question asked.")
    if short:
        areas.append(f"{short} of {n} answers were too short to show depth.")
    if no_result:
        areas.append(f"{no_result} of {n} answers described actions without saying what came of them.")
    if n - with_numbers >= max(1, n // 2) and n >= 2:
        areas.append("Few specifics: numbers, scale or measurable outcomes were mostly missing.")
    if missed:
        areas.append("Not covered when asked: " + ", ".join(t for t, _ in missed.most_common(5)) + ".")
    if rambling:
        areas.append(f"{rambling} of {n} answers rambled; shorter, structured answers would land better.")
    if fillers >= 3 * n:
        areas.append(f"Frequent filler words ({fillers} in total).")
    if hedges >= 2 * n:
        areas.append(f"Frequent hedging ({hedges} hedges such as 'I think', 'maybe').")
    if injected:
        areas.append(f"{injected} answer(s) contained instructions aimed at the scorer; they were ignored.")
    return strengths[:5], areas[:5]


def conversation_of(record: SessionRecord) -> List[Dict[str, Any]]:
    """The report's conversation: each question with its final answer, scores and tips. Built from the
    messages whenever a report is read, not stored with it: it only repeated them (4-8 KB per interview)."""
    conversation = []
    for q, a in record.qa_pairs():
        evaluation = a.metadata.get("evaluation") or {}
        voice = a.metadata.get("voice_metrics")
        video = a.metadata.get("video_analysis") or {}
        conversation.append({
            "question": q.content,
            "answer": a.content,
            "evaluation": {k: evaluation.get(k) for k in ("clarity", "relevance", "depth", "feedback")},
            "stage": q.metadata.get("stage"),
            "follow_up": bool(q.metadata.get("follow_up")),
            # The report keeps the final attempt at each question and says how many there were.
            "attempts": int(a.metadata.get("attempts", 1)),
            "tips": coaching.tips(a.metadata),
            **({"voice_analysis": {k: voice[k] for k in ("fluency_score", "clarity_score", "confidence_score",
                                                          "pace_score", "rate_wpm", "total_score")}}
               if voice else {}),
            # Named keys only: VIDEO_EMOTION's experimental `emotion` labels never reach a report.
            **({"video_analysis": {k: video.get(k) for k in ("face_present_ratio", "facing_camera_ratio",
                                                              "multiple_people", "delivery_score")}}
               if video.get("available") else {}),
        })
    return conversation


def stored_form(report: Report) -> Dict[str, Any]:
    """What the session keeps of its report: everything but the conversation (see full_report)."""
    return report.model_dump(mode="json", exclude={"conversation"})


def full_report(record: SessionRecord) -> Optional[Dict[str, Any]]:
    """The session's report as the contract returns it, its conversation rebuilt from the messages (a
    report stored before that was dropped from storage keeps its own)."""
    stored = record.report
    if stored is None or "conversation" in stored:
        return stored
    out: Dict[str, Any] = {}
    for name in Report.model_fields:
        if name == "conversation":
            out[name] = conversation_of(record)
        elif name in stored:
            out[name] = stored[name]
    out.update({k: v for k, v in stored.items() if k not in out})
    return out


def build_report(record: SessionRecord, ended_early: bool = False, include_delivery: bool = False) -> Report:
    """The final report. Delivery (voice) scores are reported beside the content scores and enter
    `overall_score` only when `include_delivery` is set (DELIVERY_IN_RECOMMENDATION)."""
    evaluations = []
    voice_totals = []
    video_scores = []
    for q, a in record.qa_pairs():
        evaluation = a.metadata.get("evaluation") or {}
        voice = a.metadata.get("voice_metrics")
        if voice:
            voice_totals.append(float(voice["total_score"]))
        video = a.metadata.get("video_analysis") or {}
        if video.get("available"):
            video_scores.append(float(video["delivery_score"]["value"]))
        evaluations.append({**evaluation, "evidence": a.metadata.get("evidence", {})})
    conversation = conversation_of(record)
    scores = aggregate(evaluations)
    voice_avg = round(sum(voice_totals) / len(voice_totals), 2) if voice_totals else None
    video_avg = round(sum(video_scores) / len(video_scores), 2) if video_scores else None
    delivery_parts = [x for x in (voice_avg, video_avg) if x is not None]
    delivery = {"voice_total": voice_avg, "answers_with_voice": len(voice_totals),
                "video_delivery": video_avg, "answers_with_video": len(video_scores),
                "in_recommendation": bool(include_delivery and delivery_parts)}
    if delivery["in_recommendation"]:
        # Delivery becomes a fourth dimension beside clarity, relevance and depth.
        delivery_score = sum(delivery_parts) / len(delivery_parts)
        scores["overall_score"] = round((scores["clarity"] + scores["relevance"] + scores["depth"] + delivery_score) / 4, 2)
    strengths, areas = strengths_and_areas(evaluations)
    checked = bool(evaluations) and all((e.get("evidence") or {}).get("facts_checked") for e in evaluations)
    times = [round(t, 6) for t in record.question_times]
    return Report(
        session_id=record.session_id,
        total_questions=record.question_count,
        evaluation={"overall_score": scores["overall_score"], "recommendation": recommend(scores["overall_score"]),
                    "clarity": scores["clarity"], "relevance": scores["relevance"], "depth": scores["depth"],
                    "answered": len(evaluations), "delivery": delivery,
                    "facts_checked": checked, **({} if checked else {"not_checked": NOT_CHECKED})},
        conversation=conversation,
        performance_metrics={"avg_response_time": round(sum(times) / len(times), 6) if times else 0.0,
                             "total_response_times": times},
        strengths=strengths,
        areas_to_improve=areas,
        ended_early=ended_early,
    )
