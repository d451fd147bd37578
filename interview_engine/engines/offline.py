"""The offline engine: rules and a curated question bank, no model and no network."""
from __future__ import annotations

import re
from typing import Iterator, List, Optional, Tuple

from ..analysis import analyze_document
from ..evaluation import evaluate_answer
from ..models import DocumentAnalysis, Evaluation, QuestionPlan, Report, SessionRecord
from ..planner import render


class OfflineEngine:
    name = "offline"

    def analyze(self, text: str, kind: str) -> DocumentAnalysis:
        return analyze_document(text, kind)

    def write_question(self, plan: QuestionPlan, record: SessionRecord) -> str:
        return render(plan)

    def stream_question(self, plan: QuestionPlan, record: SessionRecord) -> Iterator[str]:
        # Word-sized chunks keep the SSE shape the same as an LLM's token stream.
        for piece in re.findall(r"\S+\s*", render(plan)):
            yield piece

    def evaluate(self, question: str, answer: str, *, record: SessionRecord, question_meta: dict,
                 heard: Optional[str] = None) -> Evaluation:
        return evaluate_answer(question, answer, role=record.role, cv_text=record.cv_text, jd_text=record.jd_text,
                               targets=question_meta.get("targets"), stage=question_meta.get("stage"),
                               company=record.company, heard=heard)

    def narrative(self, report: Report, record: SessionRecord) -> Tuple[List[str], List[str]]:
        return report.strengths, report.areas_to_improve
