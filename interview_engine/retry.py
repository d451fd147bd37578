"""Trying a question again: rewind a session to just before its last answer.

A retry replaces the last answer, so everything that answer decided is undone with it: the question
asked after it (planned from that answer: a follow-up or the next stage), its generation time and its
template, and the end of the interview when it was the last answer. The new answer then runs through
the same graph step as any answer, so follow-ups and the end are decided again from the new attempt.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

from .errors import BadRequest, Conflict
from .models import Message, SessionRecord


def last_answered(record: SessionRecord) -> Tuple[int, Message, Message]:
    """(question number, question, answer) of the last answered question; 409 when nothing is answered."""
    pairs = record.qa_pairs()
    if not pairs:
        raise Conflict("There is no answer to try again yet")
    question, answer = pairs[-1]
    return int(question.metadata.get("question_number", record.question_count)), question, answer


def check_retryable(record: SessionRecord, question_number: Any) -> int:
    """The question that may be tried again, or a 4xx saying why not. Only the last answered question can
    be, and only until the next question is answered or the report is made."""
    if record.report is not None:
        raise Conflict("Interview already completed")
    if question_number is None:
        raise BadRequest("question_number is required with retry=true: the question to answer again")
    number, _, _ = last_answered(record)
    if question_number > number:
        raise Conflict(f"Question {question_number} has not been answered yet")
    if question_number != number:
        raise Conflict(f"Question {question_number} can no longer be tried again: question {number} was "
                       "answered after it")
    return number


def rewind(record: SessionRecord) -> Tuple[SessionRecord, Dict[str, Any]]:
    """A copy of the record as it was when its last answered question awaited an answer, and the
    attempt bookkeeping the new answer carries (`attempts`, `previous_attempts`: scores only)."""
    r = record.model_copy(deep=True)
    index = max(i for i, m in enumerate(r.messages) if m.role == "candidate")
    old = r.messages[index]
    for later in r.messages[index + 1:]:  # the question asked after it, if any (never answered)
        if later.role == "interviewer":
            r.question_times.pop()
            template = later.metadata.get("template")
            if not later.metadata.get("follow_up") and template in r.used_templates:
                del r.used_templates[len(r.used_templates) - 1 - r.used_templates[::-1].index(template)]
    r.messages = r.messages[:index]
    r.stage = r.messages[-1].metadata.get("stage", r.stage)
    r.pending_plan = None
    r.completed = False
    ev = old.metadata.get("evaluation") or {}
    previous = list(old.metadata.get("previous_attempts") or []) + [{
        "clarity": ev.get("clarity"), "relevance": ev.get("relevance"), "depth": ev.get("depth"),
        "source": old.metadata.get("source", "text"), "timestamp": old.timestamp}]
    return r, {"attempts": int(old.metadata.get("attempts", 1)) + 1, "previous_attempts": previous}
