"""View models: the service's data shaped for display. Pure functions of the session's data, so tests
and notebooks can use them; no business logic (scores, decisions) is computed here."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional


def candidate_turns(state: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The answers with the question each one answered."""
    turns, question = [], None
    for m in state.get("messages", []):
        if m["role"] == "interviewer":
            question = m
        elif question is not None:
            turns.append({"question": question, "answer": m})
    return turns


def progress_text(state: Dict[str, Any]) -> str:
    if state.get("completed"):
        return f"**Interview complete** · {state['question_count']} questions"
    messages = state.get("messages", [])
    awaiting = bool(messages) and messages[-1]["role"] == "interviewer"
    number = state["question_count"] if awaiting else state["question_count"] + 1  # the next one is on its way
    return f"**Question {number} of {state['max_questions']}** · stage: {state['stage']}"


def resume_link(session_id: str) -> str:
    return f"Session `{session_id}` · [reopen it later](?session={session_id})"


def analysis_markdown(state: Dict[str, Any]) -> str:
    """Matched skills and gaps, as chips."""
    a = state.get("analysis") or {}
    if not a:
        return ""

    def chips(items, css):
        return " ".join(f"<span class='chip {css}'>{i}</span>" for i in items) or "<em>none</em>"

    years = a.get("cv_years_experience")
    needed = a.get("jd_years_required")
    lines = [f"**Matched skills** ({len(a.get('matched', []))}): {chips(a.get('matched', [])[:15], 'ok')}",
             f"**Gaps to probe**: {chips(a.get('gaps', [])[:10], 'gap')}",
             f"**Overlap with the JD**: {round(100 * (a.get('overlap_ratio') or 0))}%"
             + (f" · experience {years:g} years" if years else "")
             + (f" (the JD asks for {needed:g})" if needed else "")]
    return "\n\n".join(lines)


def evaluation_markdown(answer_message: Dict[str, Any]) -> str:
    """Transcript, the three scores with feedback and evidence, voice and video signals."""
    meta = answer_message.get("metadata", {})
    ev = meta.get("evaluation", {})
    evidence = meta.get("evidence", {})
    out = []
    source = meta.get("source", "text")
    out.append(f"**{'Transcript' if source != 'text' else 'Your answer'}:** {answer_message['content']}")
    if ev:
        out.append(f"**Clarity {ev['clarity']}/10 · Relevance {ev['relevance']}/10 · Depth {ev['depth']}/10**"
                   + (f" · scored by `{meta['engine']}`" if meta.get("engine") else ""))
        out.append(ev.get("feedback", ""))
    covered, missed = evidence.get("terms_covered", []), evidence.get("terms_missed", [])
    if covered or missed:
        out.append(f"Covered: {', '.join(covered) or '—'} · Missed: {', '.join(missed) or '—'}")
    fillers = evidence.get("fillers") or {}
    if fillers:
        out.append("Fillers: " + ", ".join(f"{k} ×{v}" for k, v in fillers.items()))
    voice = meta.get("voice_metrics")
    if voice:
        m = voice.get("measures", {})
        out.append(f"**Voice** (delivery only, not in the recommendation): pace {voice['rate_wpm']} wpm · "
                   f"fluency {voice['fluency_score']} · clarity {voice['clarity_score']} · "
                   f"confidence {voice['confidence_score']} · pace score {voice['pace_score']} · "
                   f"pauses {m.get('pause_count', 0)} · fillers {m.get('filler_count', 0)}")
    video = meta.get("video_analysis")
    if video:
        if video.get("available"):
            facing = video.get("facing_camera_ratio")
            out.append(f"**Video** ({video['backend']}): face in frame {round(100 * video['face_present_ratio'])}%"
                       + (f" · facing the camera {round(100 * facing)}%" if facing is not None else "")
                       + (" · another person seen" if video["multiple_people"]["detected"] else "")
                       + ("" if not video["framing"]["notes"] else " · " + "; ".join(video["framing"]["notes"])))
        else:
            out.append(f"**Video**: not analysed ({video.get('reason')})")
    return "\n\n".join(x for x in out if x)


def report_markdown(report: Dict[str, Any], state: Optional[Dict[str, Any]] = None) -> str:
    ev = report["evaluation"]
    badge = {"hire": "🟢 hire", "maybe": "🟡 maybe", "no_hire": "🔴 no hire"}[ev["recommendation"]]
    lines = [f"# Interview report: {state['role']} at {state['company']}" if state else "# Interview report",
             f"**Overall score {ev['overall_score']} / 10 · {badge}**",
             f"Clarity {ev['clarity']} · Relevance {ev['relevance']} · Depth {ev['depth']} · "
             f"{ev.get('answered', len(report['conversation']))} answers"
             + (" · ended early" if report.get("ended_early") else "")]
    delivery = ev.get("delivery") or {}
    if delivery.get("voice_total") is not None or delivery.get("video_delivery") is not None:
        lines.append(f"Delivery (reported, {'in' if delivery.get('in_recommendation') else 'not in'} the "
                     f"recommendation): voice {delivery.get('voice_total')} · video {delivery.get('video_delivery')}")
    lines.append("## Strengths\n" + "\n".join(f"- {s}" for s in report.get("strengths", [])))
    lines.append("## Areas to improve\n" + "\n".join(f"- {s}" for s in report.get("areas_to_improve", [])))
    lines.append("## Conversation")
    for i, c in enumerate(report["conversation"], 1):
        e = c["evaluation"]
        lines.append(f"**Q{i} ({c.get('stage')}).** {c['question']}\n\n> {c['answer']}\n\n"
                     f"Clarity {e['clarity']} · Relevance {e['relevance']} · Depth {e['depth']}: {e['feedback']}")
    return "\n\n".join(lines)


def report_json(report: Dict[str, Any]) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False)
