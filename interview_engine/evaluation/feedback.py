"""Plain-language feedback for one answer, built only from its evidence."""
from __future__ import annotations

from typing import Dict, List

from ..models import Evidence
from .features import Features


def _quote(question: str, limit: int = 80) -> str:
    """A question as quoted to the candidate: its first sentence, shortened at a word."""
    first = question.split("? ")[0].rstrip()
    first = first if first.endswith(("?", ".")) else first + ("?" if "?" in question else "")
    return first if len(first) <= limit else first[:limit].rsplit(" ", 1)[0] + "..."


def feedback(scores: Dict[str, int], f: Features, ev: Evidence) -> str:
    flags = set(ev.flags)
    if "gibberish" in flags:
        return ("We could not make out an answer: the text does not read as language. If you spoke, check the "
                "microphone and try again; if you typed, write the answer in sentences.")
    if "scorer_only" in flags:
        return "The answer only addressed the scorer, which was ignored, so there was nothing to assess."
    if "empty" in flags:
        return "No answer was given, so there was nothing to assess."
    good: List[str] = []
    improve: List[str] = []
    if "read_back" in flags:
        improve.append("answer the question rather than restating it: say what you did or know")
    if "keyword_list" in flags:
        improve.append("show the skills at work in one real example instead of listing them")
    if "star_without_substance" in flags:
        improve.append("fill the situation-action-result frame with real content: what the problem was, the "
                       "tools or steps you used, and a measured result")
    if "off_topic" in flags and f.contrast is not None and f.contrast.off:
        # The question it answers instead is in the evidence; here, the part of the question to answer.
        improve.append(f"answer the question asked ('{_quote(f.contrast.focus)}'): yours is about something else")
    elif "off_topic" in flags:
        improve.append("address the question directly; little of its subject appeared in the answer")
    if "platitudes" in flags:
        improve.append("say what you did, or would do, in this case, not what should be done in general")
    if "hypothetical" in flags:
        good.append("an honest, reasoned approach")
        improve.append("if you can, connect it to something you have done, even on a smaller scale")
    if not flags & {"read_back", "keyword_list", "star_without_substance", "off_topic"}:
        if f.qtype == "experience":
            if ev.star.get("action") and ev.star.get("result") and f.concrete_actions:
                good.append("a concrete example with your own actions and an outcome")
            elif ev.star.get("action") and not ev.star.get("result"):
                improve.append("say what the outcome was, ideally with a measured result")
            elif not ev.star.get("action"):
                improve.append("give one specific example of what you personally did")
        if f.measured_figures:
            good.append("specific figures (" + ", ".join(x.text for x in f.measured_figures[:2]) + ")")
        if len(f.specific) >= 3:
            good.append("specific detail (" + ", ".join(f.specific[:3]) + ")")
        elif scores["depth"] <= 4 and "hypothetical" not in flags:
            improve.append("name the specifics: tools, steps, people, figures")
    if ev.terms_missed:
        improve.append("cover " + ", ".join(ev.terms_missed[:2]))
    if "thin" in flags:
        improve.append("develop the answer further; it was very short")
    if ev.rambling:
        improve.append("be more concise")
    if sum(ev.fillers.values()) >= 3:
        improve.append("use fewer filler words")
    if sum(ev.hedges.values()) >= 3:
        improve.append("state conclusions with less hedging")
    parts = []
    if good:
        parts.append("Strengths: " + "; ".join(good[:2]) + ".")
    if improve:
        parts.append("To improve: " + "; ".join(improve[:2]) + ".")
    if not parts:
        parts.append("A reasonable answer; a concrete example and its result would strengthen it.")
    if ev.injection:
        parts.append("Instructions addressed to the scorer were ignored.")
    if f.semantic_note:
        parts.append("(Relevance was judged from shared words only: the semantic model is unavailable here.)")
    return " ".join(parts)
