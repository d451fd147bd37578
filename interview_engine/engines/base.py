"""The engine interface: the part of the interview an LLM could do. Offline is the default."""
from __future__ import annotations

from typing import Iterator, List, Optional, Protocol, Tuple

from ..models import DocumentAnalysis, Evaluation, QuestionPlan, Report, SessionRecord


class Engine(Protocol):
    name: str

    def analyze(self, text: str, kind: str) -> DocumentAnalysis:
        """Read a CV or a JD."""

    def write_question(self, plan: QuestionPlan, record: SessionRecord) -> str:
        """Turn a plan (stage, targets, template) into the question's words."""

    def stream_question(self, plan: QuestionPlan, record: SessionRecord) -> Iterator[str]:
        """The same, as chunks in the order they are produced (tokens for an LLM)."""

    def evaluate(self, question: str, answer: str, *, record: SessionRecord, question_meta: dict,
                 heard: Optional[str] = None) -> Evaluation:
        """Score one answer with evidence. `heard`: for a spoken answer, its words heard with confidence."""

    def narrative(self, report: Report, record: SessionRecord) -> Tuple[List[str], List[str]]:
        """Strengths and areas to improve for the final report."""
