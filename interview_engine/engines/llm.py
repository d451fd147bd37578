"""LLM engines (Gemini, OpenAI-compatible) behind the same interface as the offline engine.

The offline engine is always there underneath: it analyses the CV/JD (deterministic, cacheable, with
evidence), it bounds the model's scores, and it takes over whenever the provider fails, is slow, or
returns output that does not fit the schema. A provider that failed is skipped for a cool-down
period, so a dead provider costs one timeout, not one per request.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Iterator, List, Optional, Tuple

from pydantic import BaseModel, Field, ValidationError

from .. import prompts
from ..evaluation import split_injection
from ..models import DocumentAnalysis, Evaluation, QuestionPlan, Report, SessionRecord
from ..planner import render
from .offline import OfflineEngine

log = logging.getLogger("interview.llm")

# How far the model's score may stray above the offline rubric, which reads the evidence. A judge
# that disagrees wildly with the evidence (or was talked into 10/10) is capped here.
MAX_ABOVE_EVIDENCE = 3


class LLMEvaluation(BaseModel):
    """The schema the model must fill for one answer."""

    clarity: int = Field(ge=1, le=10)
    relevance: int = Field(ge=1, le=10)
    depth: int = Field(ge=1, le=10)
    feedback: str = Field(min_length=1, max_length=800)
    evidence: List[str] = Field(default_factory=list, max_length=5, description="short quotes from the answer")


class LLMNarrative(BaseModel):
    strengths: List[str] = Field(default_factory=list, max_length=6)
    areas_to_improve: List[str] = Field(default_factory=list, max_length=6)


class ProviderError(RuntimeError):
    """The provider failed mid-stream: nothing of the question is kept, and the next stream retries."""


class LLMEngine:
    def __init__(self, chat, name: str, cooldown_seconds: float = 60.0, fallback: Optional[OfflineEngine] = None):
        self.chat = chat
        self.name = name
        self.fallback = fallback or OfflineEngine()
        self.cooldown_seconds = cooldown_seconds
        self._down_until = 0.0
        self._lock = threading.Lock()
        self._local = threading.local()

    # Health of the provider -------------------------------------------------------------------
    def _available(self) -> bool:
        with self._lock:
            return time.monotonic() >= self._down_until

    def _failed(self, what: str, exc: BaseException) -> None:
        with self._lock:
            self._down_until = time.monotonic() + self.cooldown_seconds
        log.warning("LLM call failed, using the offline engine",
                    extra={"engine": self.name, "call": what, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})

    def _ok(self) -> None:
        with self._lock:
            self._down_until = 0.0

    def last_question_source(self) -> str:
        return getattr(self._local, "source", self.name)

    # The Engine interface ---------------------------------------------------------------------
    def analyze(self, text: str, kind: str) -> DocumentAnalysis:
        # Rule-based on purpose: cached for 7 days, reproducible, and every skill traceable to the text.
        return self.fallback.analyze(text, kind)

    def write_question(self, plan: QuestionPlan, record: SessionRecord) -> str:
        draft = render(plan)
        self._local.source = self.fallback.name
        if not self._available():
            return draft
        try:
            msg = self.chat.invoke(_messages(prompts.question_messages(plan, record, draft)))
            text = _clean_question(_text(msg.content))
            if not text:
                raise ValueError("empty question")
        except Exception as exc:
            self._failed("question", exc)
            return draft
        self._ok()
        self._local.source = self.name
        return text

    def stream_question(self, plan: QuestionPlan, record: SessionRecord) -> Iterator[str]:
        draft = render(plan)
        self._local.source = self.fallback.name
        if not self._available():
            yield from self.fallback.stream_question(plan, record)
            return
        started = finished = False
        try:
            for chunk in self.chat.stream(_messages(prompts.question_messages(plan, record, draft))):
                # A stream that stops without a finish reason was cut off, whatever the client says.
                finished = finished or bool((getattr(chunk, "response_metadata", None) or {}).get("finish_reason"))
                piece = _text(chunk.content)
                if not piece:
                    continue
                if not started:
                    piece = piece.lstrip()
                    started = bool(piece)
                    if not started:
                        continue
                yield piece
        except GeneratorExit:
            raise
        except Exception as exc:
            self._failed("question_stream", exc)
            if started:
                raise ProviderError("The question generation was interrupted; retry") from exc
            yield from self.fallback.stream_question(plan, record)
            return
        if not started:  # the provider sent nothing usable
            self._failed("question_stream", ValueError("empty stream"))
            yield from self.fallback.stream_question(plan, record)
            return
        if not finished:
            self._failed("question_stream", ConnectionError("stream ended without a finish reason"))
            raise ProviderError("The question generation was interrupted; retry")
        self._ok()
        self._local.source = self.name

    def evaluate(self, question: str, answer: str, *, record: SessionRecord, question_meta: dict,
                 heard: Optional[str] = None) -> Evaluation:
        # The rubric that bounds the model's scores and gives the evidence reads only confidently heard terms.
        offline = self.fallback.evaluate(question, answer, record=record, question_meta=question_meta, heard=heard)
        if not self._available():
            return _fallback(offline, "the provider failed recently; the offline engine scored this answer")
        clean, _ = split_injection(answer)  # instructions aimed at the scorer never reach the model
        messages = _messages(prompts.evaluation_messages(question, clean, record, question_meta.get("stage", "")))
        judged, problem = None, ""
        chain = self.chat.with_structured_output(LLMEvaluation, method="json_schema", include_raw=True)
        for attempt in range(2):  # invalid output is retried once
            try:
                out = chain.invoke(messages)
            except Exception as exc:
                if _is_invalid_output(exc):  # some clients parse the schema themselves and raise
                    problem = f"invalid output ({type(exc).__name__})"
                    continue
                self._failed("evaluate", exc)
                return _fallback(offline, f"provider error ({type(exc).__name__}); the offline engine scored this answer")
            parsed, error = out.get("parsed"), out.get("parsing_error")
            if isinstance(parsed, LLMEvaluation):
                judged = parsed
                break
            if isinstance(parsed, dict):
                try:
                    judged = LLMEvaluation.model_validate(parsed)
                    break
                except ValidationError as exc:
                    error = exc
            problem = f"invalid output ({type(error).__name__ if error else 'no JSON'})"
        if judged is None:
            log.warning("LLM evaluation invalid twice, using the offline engine", extra={"engine": self.name})
            return _fallback(offline, f"{problem} twice; the offline engine scored this answer")
        self._ok()
        return _guarded(judged, offline, self.name)

    def narrative(self, report: Report, record: SessionRecord) -> Tuple[List[str], List[str]]:
        if not self._available():
            return self.fallback.narrative(report, record)
        try:
            chain = self.chat.with_structured_output(LLMNarrative, method="json_schema")
            out = chain.invoke(_messages(prompts.narrative_messages(report, record)))
            out = out if isinstance(out, LLMNarrative) else LLMNarrative.model_validate(out)
        except Exception as exc:
            self._failed("narrative", exc)
            return self.fallback.narrative(report, record)
        self._ok()
        return (out.strengths or report.strengths), (out.areas_to_improve or report.areas_to_improve)


def _guarded(judged: LLMEvaluation, offline: Evaluation, engine: str) -> Evaluation:
    """The model's scores, bounded by what the evidence supports."""
    ev = offline.evidence.model_copy(deep=True)
    capped = []
    scores = {}
    for dim in ("clarity", "relevance", "depth"):
        ceiling = getattr(offline, dim) + MAX_ABOVE_EVIDENCE
        value = getattr(judged, dim)
        if value > ceiling:
            capped.append(f"{dim} {value} capped to {ceiling}: the answer's evidence supports {getattr(offline, dim)}")
            value = ceiling
        scores[dim] = value
    if scores["depth"] > scores["relevance"] + 2:  # the offline rule: depth about another topic does not count
        capped.append(f"depth {scores['depth']} capped to {scores['relevance'] + 2}: no deeper than it is relevant")
        scores["depth"] = scores["relevance"] + 2
    ev.notes = {**ev.notes, "llm_quotes": judged.evidence[:3]}
    ev.facts_checked = True  # the model was asked to judge what the candidate said (prompts.py)
    if capped:
        ev.notes["guard"] = capped
    return Evaluation(**scores, feedback=judged.feedback.strip(), evidence=ev, engine=engine)


def _is_invalid_output(exc: BaseException) -> bool:
    import json

    from langchain_core.exceptions import OutputParserException

    return isinstance(exc, (ValidationError, OutputParserException, json.JSONDecodeError))


def _fallback(offline: Evaluation, why: str) -> Evaluation:
    ev = offline.evidence.model_copy(deep=True)
    ev.notes = {**ev.notes, "engine": [why]}
    return offline.model_copy(update={"engine": "offline-fallback", "evidence": ev})


def _messages(pairs) -> list:
    from langchain_core.messages import HumanMessage, SystemMessage

    return [SystemMessage(content=c) if r == "system" else HumanMessage(content=c) for r, c in pairs]


def _text(content) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return str(content or "")


def _clean_question(text: str) -> str:
    text = text.strip().strip('"').strip()
    for prefix in ("Question:", "Q:"):
        if text.startswith(prefix):
            text = text[len(prefix):].strip()
    return text[:600]
