"""Everything the rubric reads from one answer, computed once: the words, what they name, how they are
put together, and how the answer relates to its question."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from .. import language
from ..lexicon import INJECTION_RE, PLATITUDE_RE, REASONING, STAR_RESULT, STAR_SITUATION, flat_skills
from ..text import content_stems, sentences, stem, unique, words
from . import contrast as contrasting
from . import meaning

# Words that interview questions use to ask, not to name a subject: an answer need not repeat them.
QUESTION_NOISE = {stem(w) for w in """walk specific piece hardest decision knew built build made situation
    result outcome happen happened turn turned tell describe example give share going approach handle
    handled did doing done change changed learn learned first months concrete exactly part weigh
    measurable trade-offs trade-off wrote mentions mention cv job description asks responsibilities
    responsibility similar before differently here start could would background most recent focused proud
    proudest relevant dive specifics overview career draws joining interview thanks thank welcome great
    meet hello position begin let's relies appears used use using worked work knew piece step steps
    through talk think anything else wrap questions question close coming end ninety days focus joined
    prepares best especially connect needs needed kind sort want like know keep sure make makes way""".split()}

EXPERIENCE_Q = re.compile(
    r"\b(tell me about a (time|situation|project|case|moment|patient|customer|client)|describe a (time|situation|"
    r"project|case|moment)|a time (when|you|that)|give me (an|one|a) (concrete |real |specific )?example|"
    r"(an|one) example (of|from|where)|walk me through (a|an|one|the) (specific|particular|recent|real|"
    r"project|time|situation|piece|case|incident|change|decision)|what did you|how did you|have you ever|"
    r"your (most|proudest|biggest|hardest|toughest|greatest)|what was your (part|role)|"
    r"something that went wrong)", re.IGNORECASE)
KNOWLEDGE_Q = re.compile(
    r"\b(how you'd|what you'd|which you'd|imagine|suppose|scenario|you're (first|the|on|called|asked|given)|"
    r"what is|what are|what's|what does|difference between|differ|how (would|do|does|should|can|could) "
    r"(you|one|we|a|an|the|it)|explain|when would you|when should|why (would|is|are|do|does|should)|"
    r"what would you (do|check|look|say)|what steps|how to|which (would|do) you|what happens|walk me through "
    r"how)\b", re.IGNORECASE)
MOTIVATION_Q = re.compile(r"\b(your background|about yourself|why (do|are) you|what draws you|interested in|"
                          r"your career|motivat|why this|why us|why our)\b", re.IGNORECASE)
CLOSING_Q = re.compile(r"\bquestions? (do you have |you have )?(for|about) (me|us)\b|\bwhat questions\b|"
                       r"\banything (else|about)\b.*\b(ask|know)\b", re.IGNORECASE)

# A word at least this specific (Zipf about 4.2 or rarer, or a name) is listed as a specific term.
SPECIFIC_WEIGHT = 0.6

FIRST_PERSON = re.compile(r"\b(i|i'm|i've|i'd|my|me|we|we've|our|us)\b", re.IGNORECASE)
# "I"/"we" followed by a verb that does something (not a state, a feeling or a modal).
_NOT_ACTIONS = {"am", "was", "were", "is", "are", "be", "been", "have", "has", "had", "think", "thought",
                "feel", "felt", "believe", "believed", "guess", "hope", "love", "like", "liked", "enjoy",
                "enjoyed", "would", "will", "could", "should", "might", "may", "can", "must", "want",
                "wanted", "need", "needed", "know", "knew", "mean", "do", "did", "don't", "didn't", "just",
                "really", "also", "always", "usually", "never", "then", "first", "all", "both", "actually",
                "basically", "kind", "sort", "got", "get", "went", "go", "learned", "learnt", "tried",
                "try", "see", "saw", "say", "said", "guess", "suppose", "reckon"}
ACTION_RE = re.compile(r"\b(?:i|we)\s+(?:(?:then|also|first|quickly|immediately|personally|carefully|"
                       r"always|usually|still|just|only|now|finally|eventually|later)\s+)?([a-z][a-z'-]+)",
                       re.IGNORECASE)
MODAL_RE = re.compile(r"\b(?:i|we|you)\s*(?:would|'d|will|'ll|could|might|should)\s+(?!have\b)[a-z]+",
                      re.IGNORECASE)
NO_EXPERIENCE_RE = re.compile(
    r"\b(i\s+have\s+not|i\s+haven'?t|i've\s+not|i\s+have\s+never|i've\s+never|i\s+never\s+(had|did|worked|"
    r"used|managed|led|done)|never\s+had\s+to|not\s+(yet\s+)?had\s+(the|a)\s+chance|no\s+(direct|hands-on|"
    r"real|first-hand|personal|formal|professional)\s+experience|haven'?t\s+(yet\s+)?(had|done|worked|used|"
    r"managed|led|been))\b", re.IGNORECASE)
# The words of the situation-task-action-result frame, and its common variants (challenge, approach,
# outcome, impact): a scaffold that sounds structured whether or not anything is in it.
STAR_WORDS = re.compile(r"\b(situation|task|action|actions|result|results|challenge|approach|outcome|"
                        r"outcomes|impact|objective|goal|solution)\b", re.IGNORECASE)
ASKING_RE = re.compile(r"\?|\b(curious|wonder|wondering|would love to know|would like to know|could you tell "
                       r"me|can you tell me|i'd like to know|i'd like to understand|keen to (know|understand|"
                       r"hear))\b", re.IGNORECASE)
STRUCTURE = ["first", "second", "third", "then", "next", "finally", "as a result", "in the end",
             "after that", "to start", "overall", "in short", "specifically", "for example", "for instance"]


KNOWLEDGE_FIRST_Q = re.compile(r"\b(difference between|what's the difference|what is the difference|how does .{1,40} "
                               r"work|explain (what|how|why|the))\b", re.IGNORECASE)


def question_type(question: str, stage: str = "") -> str:
    """experience (a story), knowledge (an explanation), motivation (background, why this job) or closing."""
    if stage == "closing" or CLOSING_Q.search(question):
        return "closing"
    if KNOWLEDGE_FIRST_Q.search(question):
        return "knowledge"
    if EXPERIENCE_Q.search(question):
        return "experience"
    if KNOWLEDGE_Q.search(question):
        return "knowledge"
    if MOTIVATION_Q.search(question) or stage == "intro":
        return "motivation"
    return "experience"


_BRACKETED = re.compile(r"(\[[^\]]{8,}\]|\{[^}]{8,}\}|<[^<>]{8,}>)")


def split_injection(answer: str) -> tuple:
    """Separate sentences addressed to the scorer from the answer proper. Bracketed notes ("[SYSTEM NOTE:
    ...]") count as sentences of their own, so a real sentence after one is not lost with it."""
    kept, injected = [], []
    for part in _BRACKETED.split(answer or ""):
        for s in ([part.strip()] if _BRACKETED.fullmatch(part.strip() or "x") else sentences(part)):
            if s:
                (injected if INJECTION_RE.search(s) else kept).append(s)
    return " ".join(kept), injected


def _proper_nouns(text: str) -> List[str]:
    """Capitalised words after the first word of a sentence: names of companies, people, places."""
    out = []
    for s in sentences(text):
        toks = language.tokens(s)
        out.extend(t for t in toks[1:] if t[:1].isupper() and not t.isupper() and t.lower() != "i")
    return out


def _found(text: str, cues: Sequence[str]) -> List[str]:
    lowered = text.lower()
    return [c for c in cues if re.search(r"(?<![a-z])" + re.escape(c) + r"(?![a-z])", lowered)]


@dataclass
class Features:
    question: str
    answer: str
    clean: str
    injected: List[str]
    stage: str
    qtype: str
    role: str
    jd_text: str
    targets: List[str]
    company: str = ""
    words: List[str] = field(default_factory=list)
    sentences: List[str] = field(default_factory=list)
    content: List[str] = field(default_factory=list)  # content-word stems, fillers removed
    question_terms: List[str] = field(default_factory=list)  # the question's subject, as stems
    covered_question_terms: List[str] = field(default_factory=list)
    novelty: float = 1.0
    new_terms: List[str] = field(default_factory=list)
    fillers: Dict[str, int] = field(default_factory=dict)
    hedges: Dict[str, int] = field(default_factory=dict)
    platitudes: List[str] = field(default_factory=list)  # sentences that prescribe in general (PLATITUDE_RE)
    figures: List[language.Figure] = field(default_factory=list)
    specific: List[str] = field(default_factory=list)
    specific_mass: float = 0.0  # specific terms, weighted by how much each names something
    info_mass: float = 0.0  # every content word, weighted by how much it names: the amount said
    skills: List[str] = field(default_factory=list)
    jd_skills: List[str] = field(default_factory=list)
    targets_covered: List[str] = field(default_factory=list)
    list_share: float = 0.0
    list_items: List[str] = field(default_factory=list)
    gibberish: language.Gibberish = field(default_factory=lambda: language.Gibberish(False))
    actions: List[str] = field(default_factory=list)
    concrete_actions: int = 0
    modal_clauses: int = 0
    no_experience: str = ""
    star_words: List[str] = field(default_factory=list)
    situation: List[str] = field(default_factory=list)
    result: List[str] = field(default_factory=list)
    reasoning: List[str] = field(default_factory=list)
    structure: List[str] = field(default_factory=list)
    asks: int = 0
    repetition: float = 0.0
    avg_sentence_words: float = 0.0
    chunk_words: float = 0.0  # mean words between punctuation marks: low in spoken fragments and restarts
    first_person: bool = False
    semantic_model: str = ""
    semantic_note: str = ""
    question_sim: Optional[meaning.Similarity] = None
    jd_sim: Optional[meaning.Similarity] = None
    target_sim: Optional[meaning.Similarity] = None
    contrast: Optional[contrasting.Contrast] = None  # this question against other interview questions

    @property
    def word_count(self) -> int:
        return len(self.words)

    @property
    def measured_figures(self) -> List[language.Figure]:
        return [f for f in self.figures if f.measured]

    @property
    def new_tools(self) -> List[str]:
        return [s for s in self.skills if s not in self.question_terms]

    @property
    def substance(self) -> float:
        """Named things, measured figures and tools: what makes an answer about something."""
        return self.specific_mass + len(self.measured_figures) + 0.5 * len(self.new_tools)

    @property
    def disfluency(self) -> float:
        """Fillers and hedges per word."""
        return (sum(self.fillers.values()) + sum(self.hedges.values())) / max(1, self.word_count)

    @property
    def density(self) -> float:
        """Substance per 100 words."""
        return 100 * self.substance / max(1, self.word_count)


def extract(question: str, answer: str, *, role: str = "", jd_text: str = "", targets: Sequence[str] = (),
            stage: str = "", company: str = "") -> Features:
    clean, injected = split_injection(answer or "")
    f = Features(question=question or "", answer=answer or "", clean=clean, injected=injected,
                 stage=stage or "", qtype=question_type(question or "", stage or ""), role=role or "",
                 jd_text=jd_text or "", targets=unique(t.lower() for t in (targets or [])), company=company or "")
    f.words = words(clean)
    if not f.words:
        return f
    f.sentences = sentences(clean)
    f.avg_sentence_words = round(len(f.words) / max(1, len(f.sentences)), 1)
    chunks = [c for c in re.split(r"[,;:.!?\u2014\u2013]+|\s-\s", clean) if c.strip()]
    f.chunk_words = round(sum(len(c.split()) for c in chunks) / max(1, len(chunks)), 1)
    f.fillers = language.fillers(clean)
    f.hedges = language.hedges(clean)
    f.platitudes = [s for s in f.sentences if PLATITUDE_RE.search(s)]
    filler_words = {w for k in f.fillers for w in k.split()}
    f.content = [s for s in content_stems(clean) if s not in filler_words]
    if len(f.content) >= 20:
        f.repetition = round(1 - len(set(f.content)) / len(f.content), 2)

    # What the question is about: its content words, less the words questions use to ask, the role,
    # and names (the company, people) that an answer has no reason to repeat.
    names = {stem(n.lower()) for n in _proper_nouns(question) + ([company] if company else [])}
    role_stems = set(content_stems(role))
    skill_names = set(flat_skills(question))
    f.question_terms = [s for s in unique(content_stems(question)) if s not in QUESTION_NOISE
                        and s not in role_stems and (s not in names or s in skill_names)]
    answer_stems = set(f.content)
    f.covered_question_terms = [s for s in f.question_terms if s in answer_stems]
    f.novelty, f.new_terms = language.novelty(f.content, content_stems(question))

    exclude = list(content_stems(question)) + list(role_stems) + list(names)
    f.figures = language.figures(clean)
    weighted = language.weighted_terms(clean, exclude=exclude)
    f.specific = [t for t, w in weighted if w >= SPECIFIC_WEIGHT]
    f.specific_mass = round(sum(w for _, w in weighted if w >= SPECIFIC_WEIGHT), 2)
    f.info_mass = round(sum(w for _, w in weighted), 2)
    f.skills = flat_skills(clean)
    f.jd_skills = flat_skills(jd_text) if jd_text else []
    lowered = clean.lower()
    f.targets_covered = [t for t in f.targets if t in f.skills or stem(t) in answer_stems
                         or re.search(r"(?<![a-z])" + re.escape(t) + r"(?![a-z])", lowered)]
    f.list_share, f.list_items = language.list_share(clean)
    f.gibberish = language.gibberish(clean)

    # Actions: sentences where "I" or "we" do something. Concrete when the same sentence names something.
    for s in f.sentences:
        verbs = [m.group(1).lower() for m in ACTION_RE.finditer(s)
                 if m.group(1).lower() not in _NOT_ACTIONS and not m.group(1).lower().endswith("n't")]
        if verbs:
            f.actions.append(verbs[0])
            if sum(w for _, w in language.weighted_terms(s, exclude=exclude) if w >= SPECIFIC_WEIGHT) >= 1 or \
                    any(x.measured for x in language.figures(s)):
                f.concrete_actions += 1
    f.modal_clauses = len(MODAL_RE.findall(clean))
    m = NO_EXPERIENCE_RE.search(clean)
    f.no_experience = m.group(0) if m else ""
    f.star_words = unique(re.sub(r"s$", "", w.lower()) for w in STAR_WORDS.findall(clean))
    f.situation = _found(clean, STAR_SITUATION)[:3]
    f.result = _found(clean, STAR_RESULT)[:3]
    f.reasoning = _found(clean, REASONING)[:4]
    f.structure = _found(clean, STRUCTURE)[:3]
    f.asks = len(ASKING_RE.findall(clean))
    f.first_person = bool(FIRST_PERSON.search(clean))

    # Meaning: the answer against the question, the job and the terms the question targets.
    if meaning.available():
        from ..semantics import get_embedder

        f.semantic_model = get_embedder().name
        vec = meaning.answer_vector(clean)
        f.question_sim = meaning.similarity(vec, question) if question.strip() else None
        f.jd_sim = meaning.similarity(vec, jd_text[:2000]) if jd_text.strip() else None
        if f.targets:
            f.target_sim = meaning.best_of(vec, f.targets)
        f.contrast = contrasting.contrast(vec, question, clean, f.question_sim.z if f.question_sim else None,
                                          open_question=f.stage in ("intro", "closing")
                                          or f.qtype in ("motivation", "closing"))
    else:
        from ..semantics import get_embedder

        f.semantic_note = get_embedder().reason + "; relevance read from shared words only"
    return f
