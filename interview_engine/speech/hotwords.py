"""The job's terms, for the transcriber to listen for (faster-whisper `hotwords`).

tiny.en mishears exactly the words that matter: "circuit makers" for "circuit breakers", "B95" for "p95".
Given the session's terms it hears more of them. The list is bounded (a long prompt crowds out the audio,
and Whisper's prompt holds at most 223 tokens), ordered by what the question at hand is most likely to
need, and spelled as the job description spells them ("PostgreSQL", not the lexicon's "postgresql").
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional

from ..lexicon import skill_matchers
from ..models import SessionRecord

MAX_CHARS = 400  # about 100 tokens: half of Whisper's prompt, the rest stays for its own context
_ACRONYMS = {"aws", "gcp", "sql", "php", "api", "ci/cd", "etl", "kpi", "crm", "seo", "ux", "ui"}


def _spelling(term: str, texts: Iterable[str]) -> str:
    """How the documents write `term` (the lexicon's canonical name), or a readable default."""
    for _, canonical, pi, pc in skill_matchers():
        if canonical != term:
            continue
        for text in texts:
            for pattern in (pc, pi):
                m = pattern.search(text) if (pattern is not None and text) else None
                if m:
                    return m.group(0).strip()
        break
    for text in texts:  # a term outside the lexicon (a target phrase): its own spelling in the documents
        m = re.search(r"(?<![\w])" + re.escape(term) + r"(?![\w])", text or "", re.IGNORECASE)
        if m:
            return m.group(0)
    return term.upper() if term in _ACRONYMS else term


def job_terms(record: SessionRecord, question_number: Optional[int] = None, limit: int = 20) -> List[str]:
    """The terms to pass as hotwords: the question's targets, then the JD's must-haves, the skills the CV and
    JD share, the rest of the JD's skills and the gaps; at most `limit` terms and MAX_CHARS characters."""
    if limit <= 0 or record.analysis is None:
        return []
    question = None
    for m in reversed(record.messages):
        if m.role == "interviewer" and (question_number is None
                                        or m.metadata.get("question_number") == question_number):
            question = m
            break
    a = record.analysis
    ordered: List[str] = []
    for term in ((question.metadata.get("targets") or []) if question is not None else []) + \
            list(a.jd.must_have) + list(a.matched) + a.jd.all_skills() + list(a.gaps):
        t = str(term).strip().lower()
        if t and len(t) <= 40 and t not in ordered:
            ordered.append(t)
    texts = [record.jd_text, record.cv_text] + ([question.content] if question is not None else [])
    out: List[str] = []
    used = 0
    for term in ordered:
        spelled = _spelling(term, texts)
        if len(out) >= limit or used + len(spelled) + 2 > MAX_CHARS:
            break
        out.append(spelled)
        used += len(spelled) + 2
    return out
