"""The offline rubric, one rule per function.

Each rule reads the answer's features and returns its effects: points added to a dimension (every
dimension starts at 1) or a ceiling on it, each with the evidence that moved it. `evaluate_answer` runs
them in order and keeps the trace, so every score can be explained rule by rule.

Meaning (an embedding model) decides whether an answer is about its question; words decide how much
it says. Gaming shapes (the question read back, a list of keywords, STAR words with nothing in them,
gibberish, instructions to the scorer) have rules of their own, because a model of meaning rates them as
on topic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Optional

from ..lexicon import PLATITUDE_RE, SAFEGUARD_DISMISSAL_RE, SAFEGUARD_NEGATION_RE
from .features import FIRST_PERSON, Features

THIRD_PARTY_START_RE = re.compile(r"\s*(?:a|an|the|his|her|their|one|another|this|that|one of)\s+\w+", re.IGNORECASE)
SUBJECT_RE = re.compile(r"\b(?:i|we|you|he|she|they)(?:'d|'ve|'ll|'re|'m|'s)?\b", re.IGNORECASE)

DIMENSIONS = ("clarity", "relevance", "depth")


@dataclass(frozen=True)
class Effect:
    rule: str
    dimension: str
    points: float = 0.0
    cap: Optional[float] = None
    note: str = ""


Rule = Callable[[Features], List[Effect]]


def ramp(x: float, lo: float, hi: float) -> float:
    """0 at or below lo, 1 at or above hi, linear between."""
    if hi <= lo:
        return 1.0 if x >= hi else 0.0
    return max(0.0, min(1.0, (x - lo) / (hi - lo)))


# Thresholds, set on the development half of the labelled set (notebooks/scoring_calibration.ipynb).
Z_UNRELATED = 1.3  # similarity z at or below which an answer is no closer to the question than any answer
Z_ON_TOPIC = 2.8  # at or above: plainly about the question
ON_TOPIC_POINTS = 5.0  # relevance for being about the question
FORM_POINTS = 4.0  # relevance for giving the kind of answer asked, with substance
FORM_NAMED = (1.0, 6.0)  # substance (named things, measured figures, tools) from which the form counts, to full
READ_BACK_NOVELTY = 0.5  # share of the answer's words not taken from the question
LIST_SHARE = 0.55  # share of the answer in short verbless list items
THIN_WORDS = 25
CONCRETE_MASS = 4.5  # weighted specific terms below which an answer names next to nothing...
CONCRETE_DENSITY = 4.0  # ...when they are also this thin on the ground (per 100 words)


def _sim_note(name: str, sim) -> str:
    return f"{name} similarity {sim.cosine:.3f} (z {sim.z:+.1f} against unrelated answers)"


def topicality(f: Features) -> float:
    """0-1: how plainly the answer is about the question. By meaning when the model is loaded (the best of
    the question and its targeted terms), else by the question's words, targets and the job's terms."""
    if f.question_sim is not None:
        z = f.question_sim.z
        if f.target_sim is not None:
            z = max(z, f.target_sim.z - 0.5)
        return ramp(z, Z_UNRELATED, Z_ON_TOPIC)
    words = len(f.covered_question_terms) / max(1, len(f.question_terms)) if f.question_terms else 0.0
    targets = len(f.targets_covered) / len(f.targets) if f.targets else 0.0
    jd = min(1.0, len([s for s in f.skills if s in f.jd_skills]) / 3)
    # Without meaning, an answer in its own words cannot be told from one about something else: a specific
    # answer gets the benefit of the doubt, half way.
    unknown = 0.5 if f.substance >= 3 else 0.0
    return max(min(1.0, words / 0.34), targets, 0.7 * jd, unknown)


# Gates: an answer with nothing in it scores 1 everywhere --------------------------------------------
def scorer_only(f: Features) -> List[Effect]:
    if f.words:
        return []
    why = "only instructions to the scorer, which were ignored" if f.injected else "no answer given"
    return [Effect("scorer_only" if f.injected else "empty", d, cap=1, note=why) for d in DIMENSIONS]


def gibberish(f: Features) -> List[Effect]:
    if not f.gibberish.is_gibberish:
        return []
    return [Effect("gibberish", d, cap=1, note="we could not make out an answer: " + f.gibberish.why)
            for d in DIMENSIONS]


# Gaming shapes -------------------------------------------------------------------------------------
def is_read_back(f: Features) -> bool:
    """Mostly the question's own words, and nothing specific added."""
    return f.novelty < READ_BACK_NOVELTY and f.specific_mass <= 2 and not f.measured_figures


def read_back(f: Features) -> List[Effect]:
    if not is_read_back(f):
        return []
    note = (f"the question read back: {1 - f.novelty:.0%} of the answer's content words are the question's own"
            + (f", new: {', '.join(f.new_terms[:5])}" if f.new_terms else ""))
    return [Effect("read_back", "relevance", cap=2, note=note), Effect("read_back", "depth", cap=2, note=note),
            Effect("read_back", "clarity", cap=4, note="restates the question instead of answering it")]


def is_keyword_list(f: Features) -> bool:
    return f.list_share >= LIST_SHARE and len(f.list_items) >= 4


def keyword_list(f: Features) -> List[Effect]:
    if not is_keyword_list(f):
        return []
    note = (f"a list of keywords, not an answer: {f.list_share:.0%} of it is short items without a verb "
            f"({', '.join(f.list_items[:5])})")
    return [Effect("keyword_list", "relevance", cap=3, note=note), Effect("keyword_list", "depth", cap=2, note=note),
            Effect("keyword_list", "clarity", cap=3, note="a list of words, not sentences")]


def says_nothing_concrete(f: Features) -> bool:
    """Little named, thinly spread, and no measured figure: principles, claims and boilerplate."""
    return (not f.measured_figures and f.specific_mass + 0.5 * len(f.new_tools) < CONCRETE_MASS
            and f.density < CONCRETE_DENSITY)


def is_star_without_substance(f: Features) -> bool:
    """The situation-task-action-result frame with nothing measured in it and little named. The more of the
    frame's words an answer leans on, the more it must name to escape."""
    if len(f.star_words) < 2 or f.measured_figures:
        return False
    named = f.specific_mass + 0.5 * len(f.new_tools)
    return named < (CONCRETE_MASS + 1.0 if len(f.star_words) < 4 else 2 * CONCRETE_MASS + 1.0)


def star_without_substance(f: Features) -> List[Effect]:
    if not is_star_without_substance(f):
        return []
    note = (f"STAR words ({', '.join(f.star_words)}) with nothing named in them: no tool, no named thing, "
            f"no measured figure")
    return [Effect("star_without_substance", "relevance", cap=4, note=note),
            Effect("star_without_substance", "depth", cap=2, note=note),
            Effect("star_without_substance", "clarity", cap=4, note="nothing concrete to follow")]


# Relevance ----------------------------------------------------------------------------------------
def topicality_soft(f: Features) -> float:
    """A gentler topicality: how far the answer's substance should count towards answering the question."""
    if f.question_sim is None:
        return max(0.3, topicality(f))
    return ramp(f.question_sim.z if f.target_sim is None else max(f.question_sim.z, f.target_sim.z - 0.5),
                0.0, Z_UNRELATED + 0.8)


def on_topic(f: Features) -> List[Effect]:
    """Whether the answer is about the question at all, whatever words it uses."""
    t = topicality(f)
    if f.question_sim is not None:
        note = _sim_note("question", f.question_sim)
    else:
        note = (f"question terms covered {len(f.covered_question_terms)}/{len(f.question_terms)} "
                f"(by words only: {f.semantic_note})")
    return [Effect("on_topic", "relevance", points=ON_TOPIC_POINTS * t, note=note)]


def shared_terms(f: Features) -> List[Effect]:
    """The question's subject words and targeted terms that the answer uses: a small, visible bonus."""
    parts, notes = [], []
    if f.question_terms:
        parts.append(min(1.0, len(f.covered_question_terms) / max(1, len(f.question_terms)) / 0.5))
        notes.append(f"question terms covered {len(f.covered_question_terms)}/{len(f.question_terms)}")
    if f.targets:
        parts.append(len(f.targets_covered) / len(f.targets))
        notes.append(f"targets covered {len(f.targets_covered)}/{len(f.targets)}")
    jd_terms = [s for s in f.skills if s in f.jd_skills]
    if jd_terms:
        notes.append("job terms: " + ", ".join(jd_terms[:5]))
    share = max(parts) if parts else 0.0
    return [Effect("shared_terms", "relevance", points=1.0 * share, note="; ".join(notes))] if notes else []


def form_fit(f: Features) -> tuple:
    """0-1: whether the answer is the kind of answer the question asks for, in substance, and why."""
    # Substance by amount or by density: a short answer can be as exact as a long one.
    named = max(ramp(f.substance, *FORM_NAMED), ramp(f.density, 2.0, 8.0))
    if f.qtype == "closing":
        if not f.asks:
            return 0.1, None, "asked the interviewer nothing"
        jd = ramp(f.jd_sim.z, 0, 3) if f.jd_sim is not None else 0.0
        about = max(jd, ramp(f.substance, 0, 3))
        return 0.5 + 0.5 * about, None, f"asked {f.asks} question(s)" + (" about the work" if about >= 0.5 else "")
    if f.qtype == "knowledge":
        return 0.2 + 0.8 * named, None, f"an explanation naming {f.substance:g} specific thing(s)"
    if f.qtype == "motivation":
        if f.first_person:
            return 0.3 + 0.7 * named, None, "own background: " + (", ".join(f.specific[:4]) or "nothing named")
        return 0.5 * named, None, "nothing of the candidate's own"
    if f.actions and f.first_person:
        return 0.25 + 0.75 * named, None, "an example of the candidate's own: " + ", ".join(f.actions[:3])
    if f.modal_clauses and f.first_person:
        return 0.15 + 0.6 * named, None, "an approach the candidate would take, not an example"
    return 0.3 * named, 6, "no example of the candidate's own: the question asks what they did"


def answers_the_form(f: Features) -> List[Effect]:
    """Whether the answer is the kind of answer the question asks for: a story of the candidate's own for
    "tell me about a time", an explanation naming the specifics for "what is the difference", questions
    about the work for "what would you like to ask us". Counted as far as the answer is near its question."""
    fit, cap, note = form_fit(f)
    near = topicality_soft(f)
    return [Effect("answers_the_form", "relevance", points=FORM_POINTS * fit * near, cap=cap, note=note)]


def off_topic(f: Features) -> List[Effect]:
    """About something else. With the model: it fits other interview questions as well as the one asked, or
    better (`contrast.py`), however fluent and specific it is. Else, and for open questions: neither the meaning
    nor the words of the question appear."""
    c = f.contrast
    if c is not None and c.off:
        # Stored with the answer: the closest question, shortened; the figures are in evidence.semantic.contrast.
        closest = c.closest if len(c.closest) <= 80 else c.closest[:80].rsplit(" ", 1)[0] + "..."
        note = f"this reads as an answer to a question like: '{closest}'"
        return [Effect("off_topic", "relevance", cap=2, note="off topic: " + note),
                Effect("off_topic", "clarity", cap=5, note="does not address the question")]
    words_share = len(f.covered_question_terms) / max(1, len(f.question_terms)) if f.question_terms else 0.0
    if f.targets_covered or topicality(f) > 0.0 or words_share >= 0.3:
        return []
    why = (f"no closer to the question than an unrelated answer (z {f.question_sim.z:+.1f})"
           if f.question_sim is not None else "none of the question's subject appears")
    return [Effect("off_topic", "relevance", cap=3, note="off topic: " + why),
            Effect("off_topic", "clarity", cap=5, note="does not address the question")]


# Depth --------------------------------------------------------------------------------------------
# Depth from what the answer names: the amount (every content word weighted by its rarity) and the density
# of specific terms. Set on the development half.
DEPTH_AMOUNT = (3.5, 3.0, 25.0)  # points, and the information mass where they start and reach full
DEPTH_DENSITY = (3.0, 2.0, 8.0)  # points, and specific terms per 100 words where they start and reach full


def specifics(f: Features) -> List[Effect]:
    """What the answer names, by amount and by density: a short answer can be as specific as a long one."""
    pts_a, lo_a, hi_a = DEPTH_AMOUNT
    pts_d, lo_d, hi_d = DEPTH_DENSITY
    named = ", ".join(f.specific[:8]) or "nothing named"
    note = f"named: {named}" + (f"; tools: {', '.join(f.new_tools[:5])}" if f.new_tools else "") + \
        f" ({f.density:.0f} specific per 100 words)"
    return [Effect("specifics", "depth", points=pts_a * ramp(f.info_mass, lo_a, hi_a) + pts_d * ramp(f.density, lo_d, hi_d),
                   note=note)]


def measured_figures(f: Features) -> List[Effect]:
    measured = f.measured_figures
    loose = [x for x in f.figures if not x.measured and x.kind not in ("bare", "year")]
    pts = 1.5 * ramp(len(measured), 0, 2) + (0.3 if loose else 0.0)
    if not (measured or loose):
        return []
    shown = [x.text for x in measured[:4]] + [x.text for x in loose[:2]]
    return [Effect("measured_figures", "depth", points=pts, note="figures: " + ", ".join(shown))]


def own_actions(f: Features) -> List[Effect]:
    if f.qtype == "knowledge" or not f.actions:
        return []
    return [Effect("own_actions", "depth", points=1.0 * ramp(f.concrete_actions, 0, 3),
                   note=f"{f.concrete_actions} concrete action(s) of the candidate's own ({', '.join(f.actions[:4])})")]


def outcome(f: Features) -> List[Effect]:
    if f.qtype in ("knowledge", "closing") or not f.result:
        return []
    return [Effect("outcome", "depth", points=0.5, note="an outcome: " + ", ".join(f.result[:3]))]


def reasoning(f: Features) -> List[Effect]:
    if not f.reasoning:
        return []
    return [Effect("reasoning", "depth", points=1.0 * ramp(len(f.reasoning), 0, 2),
                   note="reasoning: " + ", ".join(f.reasoning[:3]))]


def hypothetical(f: Features) -> List[Effect]:
    """"I haven't done this, but I would ..." is an approach, not experience: credited, with depth held
    at a moderate level."""
    admitted = bool(f.no_experience) and f.modal_clauses >= 1
    only_would = f.qtype == "experience" and f.modal_clauses >= 2 and not f.result and len(f.actions) <= 1
    if not (admitted or only_would):
        return []
    quote = f"'{f.no_experience}'" if f.no_experience else f"{f.modal_clauses} 'I would' clauses"
    return [Effect("hypothetical", "depth", cap=6, note=f"an approach, not experience ({quote})")]


def cuts_corners(f: Features) -> List[Effect]:
    """Dismissing a safeguard (skipping a check, not reporting, backdating, disabling a protection) is a
    red flag in any field. Whether a fact is wrong is beyond the rubric: an LLM engine judges that."""
    hits = []
    for sentence in f.sentences:
        for m in SAFEGUARD_DISMISSAL_RE.finditer(sentence):
            before = sentence[:m.start()]
            # The candidate's own conduct or advice, not a colleague's mistake they are describing: the
            # nearest subject before the words decides.
            subjects = SUBJECT_RE.findall(before)
            if subjects and subjects[-1].lower().split("'")[0] in ("he", "she", "they"):
                continue
            if not subjects and THIRD_PARTY_START_RE.match(sentence):  # "A junior had skipped ..."
                continue
            if not SAFEGUARD_NEGATION_RE.search(before[-40:]):
                hits.append(m.group(0))
    if not hits:
        return []
    note = "dismisses a safeguard: " + ", ".join(f"'{h}'" for h in hits[:3])
    return [Effect("cuts_corners", "depth", cap=2, note=note), Effect("cuts_corners", "relevance", cap=4, note=note)]


def is_rambling(f: Features) -> bool:
    """Run-on sentences; or talk broken into short fragments with fillers and hedges between them; or sheer
    length or repetition."""
    fragmented = f.disfluency >= 0.03 and f.chunk_words <= 5.5 and f.word_count >= 60
    return (f.avg_sentence_words > 45 or fragmented or f.word_count > 350
            or (f.word_count > 150 and f.repetition > 0.55))


def rambling(f: Features) -> List[Effect]:
    """Content lost in run-ons, fragments, filler and repetition: a listener has to dig for it, so what is
    there counts for less."""
    if not is_rambling(f):
        return []
    why = []
    if f.avg_sentence_words > 45:
        why.append(f"run-on sentences ({f.avg_sentence_words:.0f} words each)")
    if f.disfluency >= 0.03:
        why.append(f"{sum(f.fillers.values()) + sum(f.hedges.values())} fillers and hedges in {f.word_count} words, "
                   f"broken into fragments of {f.chunk_words:g} words")
    if f.word_count > 350:
        why.append(f"{f.word_count} words")
    if f.repetition > 0.55:
        why.append(f"{f.repetition:.0%} repeated words")
    note = "rambling: " + "; ".join(why)
    return [Effect("rambling", "depth", cap=5, note=note), Effect("rambling", "relevance", points=-1.5, note=note),
            Effect("rambling", "clarity", cap=4, note=note)]


def nothing_concrete(f: Features) -> List[Effect]:
    """Generic or vague: the answer could have been given by anyone, about anything of this kind."""
    if not says_nothing_concrete(f) or f.qtype == "closing" or f.word_count < 8:
        return []
    note = (f"nothing concrete: {f.specific_mass + 0.5 * len(f.new_tools):.1f} specific terms, no measured figure "
            f"({', '.join(f.specific[:4]) or 'none'})")
    return [Effect("nothing_concrete", "relevance", cap=5, note=note), Effect("nothing_concrete", "depth", cap=3, note=note)]


# At least two sentences, and a third of the answer, prescribing in general, and no action of the candidate's
# own: one "you should fit RCBOs where..." in an explanation is advice, not a generic answer.
PLATITUDE_SENTENCES, PLATITUDE_SHARE = 2, 1 / 3


def platitudes(f: Features) -> List[Effect]:
    """Generic: what anyone should do ("it's important to...", "safety should come first"), and nothing this
    candidate did or would do. Whatever it names, it answers the question in general, not in person."""
    if f.actions or len(f.platitudes) < max(PLATITUDE_SENTENCES, PLATITUDE_SHARE * len(f.sentences)) \
            or f.qtype == "closing":
        return []
    quoted = PLATITUDE_RE.search(f.platitudes[0]).group(0)  # f.platitudes holds the sentences it matched
    note = (f"generic: {len(f.platitudes)} of {len(f.sentences)} sentences say what should be done in general "
            f"('{quoted}'), none what the candidate did")
    return [Effect("platitudes", "depth", cap=4, note=note), Effect("platitudes", "relevance", cap=6, note=note)]


def thin(f: Features) -> List[Effect]:
    """Too little to judge: very short, unless the few words are specific."""
    wc = f.word_count
    if f.qtype == "closing" and f.asks:
        return []
    if wc < 8 and f.substance < 2:
        return [Effect("thin", "depth", cap=2, note=f"only {wc} words"),
                Effect("thin", "relevance", cap=3, note=f"only {wc} words"),
                Effect("thin", "clarity", cap=3, note="fewer than 8 words")]
    if wc < THIN_WORDS and f.substance < 2:
        return [Effect("thin", "depth", cap=3, note=f"short ({wc} words) and names nothing specific"),
                Effect("thin", "relevance", cap=5, note=f"short ({wc} words) and names nothing specific")]
    return []


# Clarity ------------------------------------------------------------------------------------------
def clarity_base(f: Features) -> List[Effect]:
    return [Effect("clarity_base", "clarity", points=6.0, note="")]


def fillers(f: Features) -> List[Effect]:
    n = sum(f.fillers.values())
    if not n:
        return []
    density = n / max(1, f.word_count)
    pts = -3.0 if density > 0.1 else -2.0 if density > 0.05 else -1.0 if density > 0.02 else 0.0
    return [Effect("fillers", "clarity", points=pts,
                   note="fillers: " + ", ".join(f"{k} x{v}" for k, v in f.fillers.items()))]


def hedges(f: Features) -> List[Effect]:
    n = sum(f.hedges.values())
    if not n:
        return []
    density = n / max(1, f.word_count)
    pts = -2.0 if density > 0.04 else -1.0 if density > 0.015 else 0.0
    return [Effect("hedges", "clarity", points=pts,
                   note="hedges: " + ", ".join(f"{k} x{v}" for k, v in f.hedges.items()))]


def sentence_length(f: Features) -> List[Effect]:
    if f.avg_sentence_words > 50:
        return [Effect("sentence_length", "clarity", points=-3.0, note=f"run-on sentences ({f.avg_sentence_words} words on average)")]
    if f.avg_sentence_words > 32:
        return [Effect("sentence_length", "clarity", points=-1.5, note=f"long sentences ({f.avg_sentence_words} words on average)")]
    return []


def repetition(f: Features) -> List[Effect]:
    rambling = f.word_count > 350 or (f.word_count > 150 and f.repetition > 0.55)
    if rambling:
        return [Effect("repetition", "clarity", points=-2.0, note="rambling: long or repetitive")]
    if f.repetition > 0.5:
        return [Effect("repetition", "clarity", points=-1.0, note=f"repetitive ({f.repetition:.0%} repeated words)")]
    return []


def structure(f: Features) -> List[Effect]:
    if f.structure or (f.situation and f.actions and f.result):
        return [Effect("structure", "clarity", points=1.0,
                       note="structured: " + (", ".join(f.structure) or "situation, action, result"))]
    return []


def concrete_wording(f: Features) -> List[Effect]:
    if f.substance >= 2:
        return [Effect("concrete_wording", "clarity", points=1.0, note="concrete wording")]
    if f.word_count >= 15 and f.substance == 0:
        return [Effect("concrete_wording", "clarity", points=-1.0, note="vague wording: nothing named")]
    return []


GATES: List[Rule] = [scorer_only, gibberish]
RULES: List[Rule] = [
    # relevance
    on_topic, shared_terms, answers_the_form, off_topic,
    # depth
    specifics, measured_figures, own_actions, outcome, reasoning, hypothetical, cuts_corners, rambling,
    # clarity
    clarity_base, fillers, hedges, sentence_length, repetition, structure, concrete_wording,
    # shapes that say nothing, and answers too short to judge
    read_back, keyword_list, star_without_substance, nothing_concrete, platitudes, thin,
]
