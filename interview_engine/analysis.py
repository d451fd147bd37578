"""CV and job-description analysis: skills, experience, seniority, responsibilities, overlap."""
from __future__ import annotations

import datetime as _dt
import re
from typing import List, Optional, Tuple

from .lexicon import COMPETENCY_CUES, DOMAIN_CUES, SENIORITY_CUES, find_skills
from .models import DocumentAnalysis, MatchAnalysis
from .text import normalise, unique

ANALYZER_VERSION = "1"  # part of the cache key: bump when analysis output changes

_YEARS_RE = re.compile(r"(\d{1,2}(?:\.\d)?)\s*\+?\s*(?:years?|yrs?)\b", re.IGNORECASE)
_RANGE_RE = re.compile(
    r"\b((?:19|20)\d\d)\s*(?:-|–|—|to)\s*((?:19|20)\d\d|present|current|now|today)\b", re.IGNORECASE
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·▪‣◦]|\d+[.)])\s+")
_ACTION_START = re.compile(
    r"^(?:built|led|designed|developed|implemented|created|managed|launched|migrated|reduced|increased|"
    r"improved|delivered|owned|architected|automated|scaled|optimi[sz]ed|mentored|ran|wrote|shipped|"
    r"introduced|negotiated|closed|grew|cared|administered|coordinated|trained|supported|handled|"
    r"analy[sz]ed|established|drove|partnered|organi[sz]ed|resolved|set up|maintained|researched)\b",
    re.IGNORECASE,
)
_RESP_START = re.compile(
    r"^(?:you will|you'll|responsible for|own|build|design|develop|lead|manage|drive|work with|"
    r"collaborate|partner|support|maintain|deliver|ensure|provide|care for|administer|sell|grow|"
    r"create|write|run|mentor|analy[sz]e|implement|improve|help|deploy|monitor)\b",
    re.IGNORECASE,
)
_REQ_HEAD = re.compile(r"(requirement|required|must|qualification|what you.?ll need|you have|"
                       r"what we.?re looking for|skills|essential)", re.IGNORECASE)
_NICE_HEAD = re.compile(r"(nice to have|bonus|preferred|plus|desirable|good to have)", re.IGNORECASE)
_SENIORITY_RANK = ["intern", "junior", "mid", "senior", "lead", "staff", "principal", "manager",
                   "head", "director", "executive"]


def _lines(text: str) -> List[str]:
    return [l.strip() for l in text.split("\n") if l.strip()]


def _strip_bullet(line: str) -> str:
    return _BULLET_RE.sub("", line).strip()


def _years(text: str, kind: str) -> Optional[float]:
    explicit = [float(m) for m in _YEARS_RE.findall(text) if 0 < float(m) <= 50]
    this_year = _dt.date.today().year
    spans: List[Tuple[int, int]] = []
    for start, end in _RANGE_RE.findall(text):
        s = int(start)
        e = this_year if not end[:1].isdigit() else int(end)
        if s <= e <= this_year + 1:
            spans.append((s, e))
    # Merge overlapping ranges so two concurrent jobs do not double-count.
    total = 0
    covered_until = None
    for s, e in sorted(spans):
        if covered_until is not None:
            s = max(s, covered_until)
        if e > s:
            total += e - s
        covered_until = e if covered_until is None else max(covered_until, e)
    if kind == "jd":
        return min(explicit) if explicit else None
    best = max(explicit + ([float(total)] if total else []), default=None)
    return best


def _seniority(text: str) -> Tuple[Optional[str], List[str]]:
    lowered = text.lower()
    counts = {}
    cues = []
    for cue, level in SENIORITY_CUES:
        n = len(re.findall(r"(?<![a-z])" + re.escape(cue) + r"(?![a-z])", lowered))
        if n:
            counts[level] = counts.get(level, 0) + n
            cues.append(cue)
    if not counts:
        return None, []
    level = max(counts, key=lambda lv: (counts[lv], _SENIORITY_RANK.index(lv)))
    return level, cues


def analyze_document(text: str, kind: str) -> DocumentAnalysis:
    """Read one document. Pure and deterministic, so its result can be cached by content."""
    text = normalise(text)
    lines = _lines(text)
    skills = find_skills(text)
    seniority, cues = _seniority("\n".join(lines[:3]) if kind == "cv" else text)
    if kind == "cv" and seniority is None:
        seniority, cues = _seniority(text)

    responsibilities: List[str] = []
    achievements: List[str] = []
    must: List[str] = []
    section = ""
    for raw in lines:
        line = _strip_bullet(raw)
        is_heading = len(line) < 60 and (line.endswith(":") or line.isupper() or not _BULLET_RE.match(raw)
                                         and len(line.split()) <= 5)
        if is_heading:
            section = "nice" if _NICE_HEAD.search(line) else "req" if _REQ_HEAD.search(line) else section
            if not (_NICE_HEAD.search(line) or _REQ_HEAD.search(line)):
                section = ""
        if kind == "jd":
            if section == "req" or re.search(r"\b(required|must|essential)\b", line, re.IGNORECASE):
                must.extend(s for items in find_skills(line).values() for s in items)
            if _RESP_START.match(line) and 15 <= len(line) <= 220:
                responsibilities.append(line.rstrip("."))
        else:
            if (_ACTION_START.match(line) or re.search(r"\d+\s*%|\$\s?\d", line)) and 20 <= len(line) <= 220:
                achievements.append(line.rstrip("."))

    lowered = text.lower()
    domains = [d for d, cue_list in DOMAIN_CUES.items()
               if any(re.search(r"(?<![a-z])" + re.escape(c) + r"(?![a-z])", lowered) for c in cue_list)]
    competencies = [c for c, cue_list in COMPETENCY_CUES.items() if any(cue in lowered for cue in cue_list)]
    return DocumentAnalysis(
        kind=kind, skills=skills, years_experience=_years(text, kind), seniority=seniority,
        seniority_cues=cues, responsibilities=unique(responsibilities)[:10],
        achievements=unique(achievements)[:10], must_have=unique(must), domains=domains,
        competencies=competencies,
    )


def match(cv: DocumentAnalysis, jd: DocumentAnalysis) -> MatchAnalysis:
    cv_skills = cv.all_skills()
    jd_skills = jd.all_skills()
    # Requirement-section skills first: they matter most for what the interview probes.
    ordered_jd = unique(jd.must_have + jd_skills)
    matched = [s for s in ordered_jd if s in cv_skills]
    gaps = [s for s in ordered_jd if s not in cv_skills]
    extra = [s for s in cv_skills if s not in jd_skills]
    ratio = round(len(matched) / len(ordered_jd), 3) if ordered_jd else 0.0
    return MatchAnalysis(cv=cv, jd=jd, matched=matched, gaps=gaps, extra=extra, overlap_ratio=ratio)
