"""Typed data at the engine's boundaries: analyses, questions, evaluations, sessions, reports."""
from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional

from pydantic import BaseModel, Field

Stage = Literal["intro", "technical", "behavioral", "closing"]
STAGES: tuple = ("intro", "technical", "behavioral", "closing")
Recommendation = Literal["hire", "maybe", "no_hire"]


class DocumentAnalysis(BaseModel):
    """What was read out of one CV or job description."""

    kind: Literal["cv", "jd"]
    skills: Dict[str, List[str]] = Field(default_factory=dict, description="category -> skills")
    years_experience: Optional[float] = None
    seniority: Optional[str] = None
    seniority_cues: List[str] = Field(default_factory=list)
    responsibilities: List[str] = Field(default_factory=list)
    achievements: List[str] = Field(default_factory=list, description="CV lines with concrete work")
    must_have: List[str] = Field(default_factory=list, description="JD skills in requirement sections")
    domains: List[str] = Field(default_factory=list)
    competencies: List[str] = Field(default_factory=list, description="behavioural themes named")

    def all_skills(self) -> List[str]:
        seen: List[str] = []
        for items in self.skills.values():
            for s in items:
                if s not in seen:
                    seen.append(s)
        return seen


class MatchAnalysis(BaseModel):
    """The CV read against the JD: what the interview should probe."""

    cv: DocumentAnalysis
    jd: DocumentAnalysis
    matched: List[str] = Field(default_factory=list)
    gaps: List[str] = Field(default_factory=list)
    extra: List[str] = Field(default_factory=list, description="CV skills the JD does not ask for")
    overlap_ratio: float = 0.0
    from_cache: bool = False


class QuestionPlan(BaseModel):
    """Why the next question is asked; the text is generated from it (now or when streamed)."""

    stage: Stage
    question_number: int
    follow_up: bool = False
    template: str = ""
    competency: str = ""
    targets: List[str] = Field(default_factory=list, description="terms the question probes")
    reason: str = ""
    slots: Dict[str, str] = Field(default_factory=dict)


class Evidence(BaseModel):
    """What moved each score. Everything here is observable in the answer text."""

    word_count: int = 0
    sentence_count: int = 0
    avg_sentence_words: float = 0.0
    terms_covered: List[str] = Field(default_factory=list)
    terms_missed: List[str] = Field(default_factory=list)
    question_overlap: float = 0.0
    jd_terms_mentioned: List[str] = Field(default_factory=list)
    # Spoken answers: terms only heard below the transcriber's confidence bar, so not counted as covered.
    terms_unclear: List[str] = Field(default_factory=list)
    star: Dict[str, bool] = Field(default_factory=dict)
    star_cues: Dict[str, List[str]] = Field(default_factory=dict)
    numbers: List[str] = Field(default_factory=list)
    tools: List[str] = Field(default_factory=list)
    reasoning: List[str] = Field(default_factory=list)
    fillers: Dict[str, int] = Field(default_factory=dict)
    hedges: Dict[str, int] = Field(default_factory=dict)
    repetition: float = 0.0
    too_short: bool = False
    rambling: bool = False
    off_topic: bool = False
    injection: List[str] = Field(default_factory=list, description="sentences aimed at the scorer, ignored")
    notes: Dict[str, List[str]] = Field(default_factory=dict, description="dimension -> reasons")
    question_type: str = Field("", description="experience | knowledge | motivation | closing")
    specific_terms: List[str] = Field(default_factory=list, description="words in the answer that name something")
    novelty: float = Field(1.0, description="share of the answer's content words not taken from the question")
    flags: List[str] = Field(default_factory=list, description="shapes found: read_back, keyword_list, "
                             "star_without_substance, gibberish, scorer_only, hypothetical, off_topic, thin, "
                             "platitudes (generic), nothing_concrete, cuts_corners, rambling, empty")
    semantic: Dict[str, Any] = Field(default_factory=dict, description="similarity by meaning, and the model")
    facts_checked: bool = Field(False, description="whether the facts and safety of what was said were judged: "
                                "an LLM engine does; the offline engine reads how an answer is built, not whether "
                                "it is right, and says so")
    rules: List[Dict[str, Any]] = Field(default_factory=list, description="each rule that moved a score")


class Evaluation(BaseModel):
    clarity: int = Field(ge=1, le=10)
    relevance: int = Field(ge=1, le=10)
    depth: int = Field(ge=1, le=10)
    feedback: str
    evidence: Evidence = Field(default_factory=Evidence)
    engine: str = "offline"

    def public(self) -> Dict[str, Any]:
        """The contract's evaluation object, plus its evidence."""
        return {
            "clarity": self.clarity,
            "relevance": self.relevance,
            "depth": self.depth,
            "feedback": self.feedback,
            "evidence": self.evidence.model_dump(),
        }

    @property
    def thin(self) -> bool:
        """An answer worth a follow-up: off-topic, very short, or with no example or outcome."""
        ev = self.evidence
        no_example = not (ev.star.get("situation") or ev.star.get("action"))
        no_outcome = not ev.star.get("result")
        return ev.off_topic or ev.too_short or self.relevance <= 4 or (no_example and no_outcome)


class Message(BaseModel):
    role: Literal["interviewer", "candidate"]
    content: str
    timestamp: float
    metadata: Dict[str, Any] = Field(default_factory=dict)


# The same on every spoken answer's voice evidence (the stored form leaves them out: see storage/codec.py).
FILLER_NOTE = ("The transcriber (tiny.en) leaves out most 'um' and 'uh'; they are counted when it keeps them. "
               "'like', 'so', 'you know', 'I mean' and similar count only where a pause sits next to them.")
DELIVERY_NOTE = "Delivery only: these scores describe how the answer sounded, not what it said."


class VoiceAnalysis(BaseModel):
    """The contract's voice_analysis (0-10 scores and rate_wpm), plus the measures and evidence behind them."""

    fluency_score: float
    clarity_score: float
    confidence_score: float
    pace_score: float
    total_score: float
    rate_wpm: int
    measures: Dict[str, Any] = Field(default_factory=dict)
    evidence: Dict[str, Any] = Field(default_factory=dict)


class SessionRecord(BaseModel):
    """Everything stored for one interview. The storage layer adds version and lock fields."""

    session_id: str
    user_id: str
    # The API-key owner that created it (None without keys): only that owner's keys can reach it.
    owner: Optional[str] = None
    role: str
    company: str
    created_at: float
    updated_at: float
    max_questions: int
    seed: int = 0
    analysis: Optional[MatchAnalysis] = None
    cv_text: str = ""
    jd_text: str = ""
    # Where each side came from: {"cv": {"source": "file"|"id"|"text", "doc_id", "filename", "format", "pages"}}
    sources: Dict[str, Dict[str, Any]] = Field(default_factory=dict)
    messages: List[Message] = Field(default_factory=list)
    stage: Stage = "intro"
    completed: bool = False
    pending_plan: Optional[QuestionPlan] = None
    question_times: List[float] = Field(default_factory=list)
    used_templates: List[str] = Field(default_factory=list)
    cache_status: Literal["active", "not_cached"] = "not_cached"
    report: Optional[Dict[str, Any]] = None
    # When the session last moved on to a new question; an answer sent before it cannot be for it.
    advanced_at: float = 0.0

    # Derived views -------------------------------------------------------------------------
    def questions(self) -> List[Message]:
        return [m for m in self.messages if m.role == "interviewer"]

    @property
    def question_count(self) -> int:
        return len(self.questions())

    def awaiting_question(self) -> Optional[Message]:
        """The interviewer message not yet answered, if any."""
        if self.completed or not self.messages or self.messages[-1].role != "interviewer":
            return None
        return self.messages[-1]

    def qa_pairs(self) -> List[tuple]:
        pairs = []
        for i, m in enumerate(self.messages):
            if m.role == "candidate" and i > 0 and self.messages[i - 1].role == "interviewer":
                pairs.append((self.messages[i - 1], m))
        return pairs


class Report(BaseModel):
    session_id: str
    status: Literal["completed"] = "completed"
    total_questions: int
    evaluation: Dict[str, Any]
    conversation: List[Dict[str, Any]]
    performance_metrics: Dict[str, Any]
    strengths: List[str] = Field(default_factory=list)
    areas_to_improve: List[str] = Field(default_factory=list)
    ended_early: bool = False
