"""Response shaping: the dicts the REST contract (and the UI) read, built from session records.

Pure functions of the record: no storage, no engine, so what a client sees is decided in one place.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from . import coaching, documents
from .models import DocumentAnalysis, SessionRecord


def question_view(record: SessionRecord) -> Tuple[Optional[str], int]:
    """The question awaiting an answer and its number (None while a deferred one is still to be generated)."""
    awaiting = record.awaiting_question()
    if awaiting is not None:
        return awaiting.content, int(awaiting.metadata.get("question_number", record.question_count))
    if record.pending_plan is not None:
        return None, record.pending_plan.question_number
    return None, record.question_count


def started(record: SessionRecord) -> Dict[str, Any]:
    question, number = question_view(record)
    return {"session_id": record.session_id, "status": "active", "question": question, "question_number": number}


def restored(record: SessionRecord) -> Dict[str, Any]:
    question, number = question_view(record)
    return {"session_id": record.session_id, "status": "completed" if record.completed else "restored",
            "question": question, "question_number": number}


def answered(record: SessionRecord, engine_name: str, retry: bool, spoken: Any = None) -> Dict[str, Any]:
    """The answer response: its evaluation (with evidence, engine and tips), then the next question or the end."""
    last = next(m for m in reversed(record.messages) if m.role == "candidate")
    evaluation = dict(last.metadata.get("evaluation", {}))
    evaluation["evidence"] = last.metadata.get("evidence", {})
    evaluation["engine"] = last.metadata.get("engine", engine_name)  # "offline-fallback" says a provider failed
    evaluation["tips"] = coaching.tips(last.metadata)
    extra: Dict[str, Any] = {"attempt": int(last.metadata.get("attempts", 1))} if retry else {}
    if spoken is not None:
        extra["voice_analysis"] = spoken.voice.model_dump()
        if spoken.video is not None:
            extra["video_analysis"] = spoken.video
    if record.completed:
        return {"session_id": record.session_id, "status": "completed", "message": "Interview completed",
                "total_questions": record.question_count, "evaluation": evaluation, **extra}
    question, number = question_view(record)
    return {"session_id": record.session_id, "status": "active", "question": question, "question_number": number,
            "evaluation": evaluation, **extra}


def state(record: SessionRecord) -> Dict[str, Any]:
    times = record.question_times
    analysis = record.analysis
    return {
        "session_id": record.session_id, "user_id": record.user_id, "role": record.role,
        "company": record.company, "question_count": record.question_count,
        "stage": "closing" if record.completed and record.stage == "closing" else record.stage,
        "completed": record.completed,
        "messages": [m.model_dump() for m in record.messages],
        "avg_response_time": round(sum(times) / len(times), 4) if times else 0.0,
        "max_questions": record.max_questions,
        "analysis": {"matched": analysis.matched, "gaps": analysis.gaps, "extra": analysis.extra,
                     "overlap_ratio": analysis.overlap_ratio,
                     "cv_years_experience": analysis.cv.years_experience,
                     "jd_years_required": analysis.jd.years_experience,
                     "cv_seniority": analysis.cv.seniority, "jd_seniority": analysis.jd.seniority,
                     "sources": record.sources}
        if analysis else None,
    }


def performance(record: SessionRecord) -> Dict[str, Any]:
    times = [round(t, 6) for t in record.question_times]
    return {
        "session_id": record.session_id,
        "total_questions": len(times),
        "response_times": {"min": min(times) if times else 0.0, "max": max(times) if times else 0.0,
                           "avg": round(sum(times) / len(times), 6) if times else 0.0, "all": times},
        "cache_status": record.cache_status,
    }


def summary(record: SessionRecord, expires_at: float) -> Dict[str, Any]:
    """One line of a user's practice history."""
    answers = [a for _, a in record.qa_pairs()]
    out: Dict[str, Any] = {
        "session_id": record.session_id, "role": record.role, "company": record.company,
        "status": "completed" if record.completed else "active", "created_at": record.created_at,
        "updated_at": record.updated_at, "expires_at": expires_at, "question_count": record.question_count,
        "max_questions": record.max_questions, "answered": len(answers),
        "attempts": sum(int(a.metadata.get("attempts", 1)) for a in answers)}
    if record.report:
        ev = record.report["evaluation"]
        delivery = ev.get("delivery") or {}
        out.update({k: ev.get(k) for k in ("overall_score", "recommendation", "clarity", "relevance", "depth")})
        out.update(voice_total=delivery.get("voice_total"), video_delivery=delivery.get("video_delivery"),
                   ended_early=record.report.get("ended_early"))
    return out


def document(doc: Dict[str, Any], analysis: DocumentAnalysis) -> Dict[str, Any]:
    text = doc.get("text") or ""
    return {"id": doc["id"], "kind": doc["kind"], "filename": doc.get("filename"), "format": doc.get("format"),
            "pages": doc.get("pages"), "created_at": doc.get("created_at"), "updated_at": doc.get("updated_at"),
            "summary": documents.summarise(text, analysis)}
