"""Engines that ask and judge: offline by default; LLM providers plug in behind the same interface."""
from __future__ import annotations

import time
from typing import Iterator

from ..config import Settings
from .base import Engine
from .offline import OfflineEngine


class MeteredEngine:
    """Times every engine call into the shared `llm_calls` metrics, offline calls included."""

    def __init__(self, inner: Engine, on_call):
        self.inner = inner
        self.name = inner.name
        self._on_call = on_call

    def _timed(self, what: str, fn, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            self._on_call(what, time.perf_counter() - t0)

    def analyze(self, text, kind):
        return self._timed("analyze", self.inner.analyze, text, kind)

    def write_question(self, plan, record):
        return self._timed("question", self.inner.write_question, plan, record)

    def stream_question(self, plan, record) -> Iterator[str]:
        # Only the time spent producing chunks counts, not the time the consumer holds each one.
        seconds = 0.0
        pieces = iter(self.inner.stream_question(plan, record))
        try:
            while True:
                t0 = time.perf_counter()
                try:
                    chunk = next(pieces)
                except StopIteration:
                    seconds += time.perf_counter() - t0
                    return
                seconds += time.perf_counter() - t0
                yield chunk
        finally:
            getattr(pieces, "close", lambda: None)()
            self._on_call("question_stream", seconds)

    def evaluate(self, question, answer, *, record, question_meta, heard=None):
        return self._timed("evaluate", self.inner.evaluate, question, answer, record=record,
                           question_meta=question_meta, heard=heard)

    def narrative(self, report, record):
        return self._timed("narrative", self.inner.narrative, report, record)

    def last_question_source(self) -> str:
        """Which engine wrote the last question in this thread (an LLM, or the offline fallback)."""
        source = getattr(self.inner, "last_question_source", None)
        return source() if source else self.name


def make_engine(settings: Settings) -> Engine:
    provider = settings.provider
    if provider == "offline":
        return OfflineEngine()
    from .llm import LLMEngine
    from .providers import chat_model

    chat, name = chat_model(settings)
    return LLMEngine(chat, name, cooldown_seconds=settings.llm_cooldown_seconds)


__all__ = ["Engine", "OfflineEngine", "MeteredEngine", "make_engine"]
