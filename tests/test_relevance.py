"""Relevance by contrast: an answer about something else is not an answer, however fluent and specific. Answers
here were written for the tests, blind to the engine (tests/off_topic_cases.py), in eight roles, six of them
outside software."""
from __future__ import annotations

import pytest

from interview_engine import evaluate_answer
from interview_engine.evaluation import contrast
from interview_engine.report import build_report, strengths_and_areas
from off_topic_cases import ALL_CASES, GAMING, OFF_TOPIC


def judge(case, answer):
    return evaluate_answer(case["question"], answer, role=case["role"], jd_text=case["jd"], stage=case["stage"])


def overall(e):
    return (e.clarity + e.relevance + e.depth) / 3


def held_low(e):
    return overall(e) <= 3.5 and e.relevance <= 3


def test_the_question_is_compared_by_what_it_asks_not_its_greeting():
    q = ("Hello, and thanks for joining this interview for the Nurse position at Northgate. To start, could you "
         "walk me through your background and what prepares you for this role?")
    assert contrast.focus(q) == "could you walk me through your background and what prepares you for this role?"
    assert contrast.focus("Tell me about a code review you disagreed with.") == \
        "Tell me about a code review you disagreed with."


def test_the_contrast_set_is_broad_and_shipped_with_its_vectors():
    cs = contrast.contrast_set()
    assert cs is not None and len(cs.texts) >= 300
    # The shipped vectors belong to this list and this model: nothing is embedded at start-up.
    assert cs.source == "shipped", "interview_engine/data/contrast_vectors.npz is stale: python -m interview_engine contrast"
    from interview_engine.semantics import get_embedder

    fresh = get_embedder().queries(list(cs.texts[:5]))
    assert (abs((fresh * cs.vectors[:5]).sum(axis=1) - 1) < 2e-3).all()


@pytest.mark.parametrize("kind", ["cross_field", "same_field"])
def test_fluent_stories_about_something_else_are_held_low_in_most_roles(kind):
    """Across eight roles, a fluent story from another profession, or from the right one answering a different
    question, is held at overall <= 3.5 and relevance <= 3 in most; where one slips, the evidence shows why."""
    held = {}
    for key, case in ALL_CASES.items():
        e = judge(case, OFF_TOPIC[key][kind])
        held[key] = held_low(e)
        if held[key]:
            assert "off_topic" in e.evidence.flags
            assert e.depth <= e.relevance + 1
            # Evidence in plain words: the question it reads as an answer to, and what was asked.
            assert any("reads as an answer to a question like" in n for n in e.evidence.notes["relevance"])
            assert "answer the question asked" in e.feedback
    # Measured here with e5-small: cross-field 6 of 8 held low, same-field 4 of 8 (README, docs/evaluation.md).
    assert sum(held.values()) >= (6 if kind == "cross_field" else 4), held


# A known miss, kept visible (strict: it fails the suite once it stops missing, so the note is updated).
KNOWN_MISS = pytest.mark.xfail(strict=True, reason="e5-small fits this code-review story to 61 other interview "
                                                   "questions better than its own (z +1.0)")


@pytest.mark.parametrize("role", [pytest.param(r, marks=KNOWN_MISS) if r == "backend" else r for r in sorted(ALL_CASES)])
def test_a_strong_answer_in_its_own_words_keeps_its_relevance(role):
    case = ALL_CASES[role]
    for answer in {case["strong"], OFF_TOPIC[role]["strong_paraphrase"]}:
        e = judge(case, answer)
        assert e.relevance >= 7, (role, e.relevance, e.evidence.semantic.get("contrast"))
        assert "off_topic" not in e.evidence.flags


def test_a_long_answer_that_gets_to_the_question_later_is_credited():
    case = ALL_CASES["nurse"]
    preamble = OFF_TOPIC["nurse"]["same_field"]
    e = judge(case, preamble + " " + case["strong"])
    assert "off_topic" not in e.evidence.flags, e.evidence.semantic.get("contrast")


@pytest.mark.parametrize("name", ["lorem", "lorem_mixed", "syllables", "syllables2", "french", "spanish", "german"])
@pytest.mark.parametrize("role", ["pharmacy", "data", "electrician", "teacher", "hr", "chef"])
def test_filler_and_other_languages_get_the_gibberish_message(name, role):
    e = judge(ALL_CASES[role], GAMING[name])
    assert (e.clarity, e.relevance, e.depth) == (1, 1, 1)
    assert "gibberish" in e.evidence.flags
    assert e.feedback.startswith("We could not make out an answer")


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("role", sorted(ALL_CASES))
def test_an_answer_that_only_instructs_the_scorer_scores_1_everywhere(role, n):
    e = judge(ALL_CASES[role], GAMING[f"instruction_only_{n}"])
    assert (e.clarity, e.relevance, e.depth) == (1, 1, 1)
    assert "scorer_only" in e.evidence.flags and e.evidence.injection


def test_real_answers_are_not_taken_for_filler_or_instructions():
    for key, case in ALL_CASES.items():
        for answer in (case["strong"], OFF_TOPIC[key]["strong_paraphrase"], OFF_TOPIC[key]["cross_field"]):
            e = judge(case, answer)
            assert "gibberish" not in e.evidence.flags and not e.evidence.injection, (key, answer[:60])


# Claims that are true --------------------------------------------------------------------------------
def _session(answers):
    from interview_engine.models import Message, SessionRecord

    record = SessionRecord(session_id="s1", user_id="u1", role="Registered Nurse", company="Northgate",
                           created_at=0.0, updated_at=0.0, max_questions=len(answers))
    for q, a, e in answers:
        record.messages.append(Message(role="interviewer", content=q, timestamp=0.0))
        record.messages.append(Message(role="candidate", content=a, timestamp=1.0, metadata={
            "evaluation": {k: getattr(e, k) for k in ("clarity", "relevance", "depth", "feedback")},
            "evidence": e.evidence.model_dump()}))
    return record


def test_a_report_with_one_off_topic_answer_never_claims_it_stayed_on_topic():
    nurse, teacher = ALL_CASES["nurse"], ALL_CASES["teacher"]
    on = [(c["question"], c["strong"], judge(c, c["strong"])) for c in (nurse, teacher)]
    off_answer = OFF_TOPIC["nurse"]["cross_field"]
    off = (nurse["question"], off_answer, judge(nurse, off_answer))
    assert "off_topic" in off[2].evidence.flags
    report = build_report(_session(on + [off]))
    assert "Stayed on topic throughout." not in report.strengths
    assert any("did not address the question" in a for a in report.areas_to_improve)
    # Strengths count only the answers that addressed their question.
    examples = [s for s in report.strengths if s.startswith("Gave concrete examples")]
    assert not examples or examples[0].startswith("Gave concrete examples with actions and results in 2 of 3")
    clean = build_report(_session(on))
    assert "Stayed on topic throughout." in clean.strengths


def test_what_the_offline_engine_did_not_check_is_said():
    case = ALL_CASES["pharmacy"]
    e = judge(case, case["strong"])
    assert e.evidence.facts_checked is False
    report = build_report(_session([(case["question"], case["strong"], e)] * 2))
    assert report.evaluation["facts_checked"] is False
    assert "not checked" in report.evaluation["not_checked"] and "LLM engine" in report.evaluation["not_checked"]
    from ui.views import turn_html

    card = turn_html({"question": {"content": case["question"], "metadata": {"question_number": 1}},
                      "answer": {"content": case["strong"], "metadata": {
                          "evaluation": {"clarity": e.clarity, "relevance": e.relevance, "depth": e.depth,
                                         "feedback": e.feedback}, "evidence": e.evidence.model_dump()}}})
    assert "Not checked: whether what you said is correct and safe" in card


def test_strengths_ignore_answers_that_did_not_address_the_question():
    evaluations = [{"evidence": {"star": {"situation": True, "action": True, "result": True}, "numbers": ["40%"],
                                 "off_topic": True, "flags": ["off_topic"], "jd_terms_mentioned": ["sepsis"]}},
                   {"evidence": {"star": {"situation": True, "action": True, "result": False}, "numbers": [],
                                 "flags": [], "jd_terms_mentioned": []}}]
    strengths, areas = strengths_and_areas(evaluations)
    assert not any("concrete examples" in s or "figures" in s or "sepsis" in s or "on topic" in s for s in strengths)
