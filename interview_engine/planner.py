"""Question planning: which stage comes next, which template, grounded in which terms.

The planner decides *why* a question is asked (a QuestionPlan); engines turn a plan into words.
"""
from __future__ import annotations

import hashlib
import math
import random
import re
from typing import Dict, List, Optional

from .lexicon import flat_skills
from .models import Evaluation, MatchAnalysis, QuestionPlan, SessionRecord
from .question_bank import ALL_TEMPLATES, BANK, FOLLOW_UPS, Template
from .text import content_stems, unique

ORDER = ("intro", "technical", "behavioral", "closing")
_TECH_PRIORITY = {"tech.skill_deep": 3.0, "tech.project": 3.0, "tech.gap": 2.6, "tech.responsibility": 2.2,
                  "tech.troubleshoot": 1.6, "tech.quality": 1.5, "tech.tradeoff": 1.5, "tech.generic": 0.4,
                  "tech.learning": 0.3}


def session_seed(session_id: str) -> int:
    return int(hashlib.sha256(session_id.encode()).hexdigest()[:8], 16)


def stage_counts(n: int) -> Dict[str, int]:
    """How many main questions each stage wants in an interview of n questions."""
    closing = 1 if n >= 4 else 0
    middle = n - 1 - closing
    technical = max(1, math.ceil(middle * 0.6))
    if middle >= 2:
        technical = min(technical, middle - 1)  # leave at least one behavioural question
    behavioral = middle - technical
    return {"intro": 1, "technical": technical, "behavioral": behavioral, "closing": closing}


def _asked_by_stage(record: SessionRecord) -> Dict[str, int]:
    asked: Dict[str, int] = {s: 0 for s in ORDER}
    for m in record.questions():
        if not m.metadata.get("follow_up"):
            asked[m.metadata.get("stage", "intro")] += 1
    return asked


def reserved_slots(record: SessionRecord, after_stage: str) -> int:
    """Slots that later stages still need (one each), so follow-ups never crowd a stage out."""
    counts = stage_counts(record.max_questions)
    asked = _asked_by_stage(record)
    later = ORDER[ORDER.index(after_stage) + 1:]
    return sum(1 for s in later if counts[s] and asked[s] == 0)


def next_stage(record: SessionRecord) -> str:
    """The stage of the next main question: the planned stage for this slot, without skipping any
    stage entirely when follow-ups used earlier slots."""
    counts = stage_counts(record.max_questions)
    asked = _asked_by_stage(record)
    plan = [s for s in ORDER for _ in range(counts[s])]
    target = plan[min(record.question_count, len(plan) - 1)]
    for stage in ORDER[:ORDER.index(target)]:
        if counts[stage] and asked[stage] == 0:
            return stage
    return target


def _used_targets(record: SessionRecord) -> set:
    used = set()
    for m in record.questions():
        used.update(m.metadata.get("targets", []))
    if record.pending_plan:
        used.update(record.pending_plan.targets)
    return used


def _responsibility_phrase(line: str) -> str:
    line = re.sub(r"^(you will|you'll|responsible for|you are responsible for)\s+", "", line, flags=re.I)
    line = line.strip().rstrip(".;:")
    return (line[:1].lower() + line[1:])[:160]


def _fill(t: Template, record: SessionRecord, analysis: Optional[MatchAnalysis], rng: random.Random,
          used: set, used_lines: set) -> Optional[Dict[str, str]]:
    slots = {"role": record.role, "company": record.company}
    a = analysis
    for need in t.needs:
        if a is None:
            return None
        if need == "skill":
            options = [s for s in a.matched if s not in used] or [s for s in a.cv.all_skills()
                                                                   if s in a.jd.all_skills() and s not in used]
            if not options:
                return None
            slots["skill"] = options[0] if rng.random() < 0.6 else rng.choice(options)
        elif need == "gap":
            options = [s for s in a.gaps if s not in used]
            if not options:
                return None
            slots["gap"] = options[0]
        elif need == "project":
            options = [p for p in a.cv.achievements if p not in used_lines]
            if not options:
                return None
            slots["project"] = rng.choice(options[:3])
        elif need == "responsibility":
            options = [r for r in a.jd.responsibilities if r not in used_lines]
            if not options:
                return None
            slots["responsibility"] = _responsibility_phrase(rng.choice(options[:4]))
        elif need == "top_skills":
            top = (a.matched or a.cv.all_skills())[:2]
            if not top:
                return None
            slots["top_skills"] = " and ".join(top)
        elif need == "term":
            options = [s for s in a.gaps + a.matched if s not in used]
            if not options:
                return None
            slots["term"] = options[0]
    return slots


def _targets_for(t: Template, slots: Dict[str, str], analysis: Optional[MatchAnalysis]) -> List[str]:
    targets: List[str] = []
    for key in ("skill", "gap", "term"):
        if key in slots:
            targets.append(slots[key])
    if "top_skills" in slots:
        targets.extend(slots["top_skills"].split(" and "))
    for key in ("project", "responsibility"):
        if key in slots:
            targets.extend(flat_skills(slots[key]))
            targets.extend(w for w in content_stems(slots[key])[:6])
    if t.id.startswith("intro") and analysis is not None and not targets:
        targets.extend(analysis.matched[:2])
    return unique(targets)


def plan_main(record: SessionRecord) -> QuestionPlan:
    """Plan the next main (not follow-up) question."""
    number = record.question_count + 1
    stage = next_stage(record)
    rng = random.Random(f"{record.seed}:{number}")
    used_ids = set(record.used_templates)
    used = _used_targets(record)
    used_lines = {m.metadata.get("slots", {}).get(k) for m in record.questions() for k in ("project",)}
    used_lines |= {m.metadata.get("source_line") for m in record.questions()}
    analysis = record.analysis
    candidates = []
    for t in BANK[stage]:
        if t.id in used_ids:
            continue
        slots = _fill(t, record, analysis, rng, used, used_lines)
        if slots is None:
            continue
        if stage == "technical":
            score = _TECH_PRIORITY.get(t.id, 1.0) + rng.random() * 1.2
        elif stage == "behavioral":
            wanted = analysis.jd.competencies if analysis else []
            score = (2.0 if t.competency in wanted else 0.0) + rng.random() * 1.5
            if t.competency == "leadership" and analysis and (analysis.cv.seniority or "") in ("junior", "intern"):
                score -= 2.0
        else:
            score = rng.random()
        candidates.append((score, t, slots))
    if not candidates:  # every template in this stage used: reuse the least specific one
        t = next(t for t in BANK[stage] if not t.needs)
        candidates = [(0.0, t, {"role": record.role, "company": record.company})]
    candidates.sort(key=lambda c: c[0], reverse=True)
    _, t, slots = candidates[0]
    reason = {
        "intro": "Opens the interview and checks the candidate's story against the role.",
        "technical": f"Probes {', '.join(_targets_for(t, slots, analysis)[:3]) or 'core skills'} "
                     f"({'a JD requirement missing from the CV' if 'gap' in slots else 'from the CV/JD match'}).",
        "behavioral": f"Behavioural evidence of {t.competency.replace('_', ' ')}.",
        "closing": "Gives the candidate room to add context and ask questions.",
    }[stage]
    return QuestionPlan(stage=stage, question_number=number, template=t.id, competency=t.competency,
                        targets=_targets_for(t, slots, analysis), reason=reason, slots=slots)


def follow_up_kind(evaluation: Evaluation) -> str:
    ev = evaluation.evidence
    if ev.off_topic or evaluation.relevance <= 3:
        return "off_topic"
    if ev.too_short:
        return "short"
    if not (ev.star.get("situation") or ev.star.get("action")):
        return "no_example"
    if not ev.star.get("result"):
        return "no_outcome"
    return "no_depth"


def should_follow_up(record: SessionRecord, question_meta: dict, evaluation: Evaluation) -> bool:
    """At most one follow-up per main question, never in closing, and never eating the last slot."""
    if question_meta.get("follow_up") or question_meta.get("stage") == "closing":
        return False
    stage = question_meta.get("stage", record.stage)
    if record.max_questions - (record.question_count + 1) < max(1, reserved_slots(record, stage)):
        return False
    return evaluation.thin


def plan_follow_up(record: SessionRecord, question_meta: dict, evaluation: Evaluation) -> QuestionPlan:
    kind = follow_up_kind(evaluation)
    targets = list(question_meta.get("targets", []))
    ev = evaluation.evidence
    if kind == "no_depth" and ev.tools:
        focus = ev.tools[0]
    elif ev.terms_missed:
        focus = ", ".join(ev.terms_missed[:2])
    elif targets:
        focus = targets[0]
    elif question_meta.get("competency"):
        focus = question_meta["competency"].replace("_", " ")
    else:
        focus = "your own work"
    asked = {m.content for m in record.questions()}
    slots = {"focus": focus}
    variants = FOLLOW_UPS[kind] + [t for k, group in FOLLOW_UPS.items() if k != kind for t in group]
    t = next((v for v in variants if v.text.format(**slots) not in asked), variants[0])
    return QuestionPlan(stage=question_meta.get("stage", record.stage), question_number=record.question_count + 1,
                        follow_up=True, template=t.id, competency=question_meta.get("competency", ""),
                        targets=targets, reason=f"Follow-up: the previous answer was thin ({kind.replace('_', ' ')}).",
                        slots=slots)


def render(plan: QuestionPlan) -> str:
    template = ALL_TEMPLATES[plan.template]
    return template.text.format(**{k: v for k, v in plan.slots.items()})
