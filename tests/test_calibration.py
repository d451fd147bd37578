"""The fitted calibration: general, bounded by the rules, explained, and optional."""
from __future__ import annotations

import json

import pytest

from interview_engine import evaluate_answer
from interview_engine.evaluation import NOT_RAISED, calibration, score_features
from interview_engine.evaluation.features import extract
from judgement_cases import CASES, gaming_answers


def test_shipped_weights_follow_the_rubric_signs():
    m = calibration.model()
    assert m is not None and "development" in m.trained_on
    for dim in calibration.DIMENSIONS:
        for name, w in zip(m.names, m.weights[dim]):
            assert calibration.SIGNS.get(name, 0) * w >= 0, (dim, name, w)
    # Nothing the labelled set lacks (the question's targets) and nothing about style or length is an input.
    assert not {"length", "chunk_length", "sentence_length", "targets"} & set(m.names)


def test_the_fit_respects_signs_even_when_the_data_pull_the_other_way():
    # Made-up data where giving reasons goes with low labels: the weight is held at 0, not made negative.
    xs = [{"reasoning": float(i % 3), "specific_terms": float(i % 5)} for i in range(40)]
    ys = [{d: 5.0 - x["reasoning"] + 0.2 * x["specific_terms"] for d in ("clarity", "relevance", "depth", "overall")}
          for x in xs]
    m = calibration.fit(xs, ys)
    assert all(w == 0 for w in (m.weights[d][0] for d in calibration.DIMENSIONS))
    assert all(w > 0 for w in (m.weights[d][1] for d in calibration.DIMENSIONS))


@pytest.mark.parametrize("role", sorted(CASES))
def test_a_caught_shape_is_never_raised_by_the_calibration(role):
    case = CASES[role]
    for kind, answer in gaming_answers(case).items():
        if kind not in ("star", "read_back", "keyword_list"):
            continue
        f = extract(case["question"], answer, role=case["role"], jd_text=case["jd"], stage=case["stage"])
        rules_only, effects = score_features(f, calibrated=False)
        assert {e.rule for e in effects} & NOT_RAISED, (role, kind, [e.rule for e in effects])
        calibrated, _ = score_features(f)
        for dim in calibration.DIMENSIONS:
            assert calibrated[dim] <= rules_only[dim], (role, kind, dim)


def test_the_score_names_what_the_calibration_weighed():
    case = CASES["data"]
    e = evaluate_answer(case["question"], case["strong"], role=case["role"], jd_text=case["jd"], stage=case["stage"])
    cal = [r for r in e.evidence.rules if r["rule"] == "calibration"]
    assert {r["dimension"] for r in cal} == set(calibration.DIMENSIONS)
    assert all("an average answer" in r["evidence"] for r in cal)
    # The rule trace adds up: 1 + points, then the lowest ceiling, gives the reported score.
    for dim in calibration.DIMENSIONS:
        mine = [r for r in e.evidence.rules if r["dimension"] == dim]
        total = 1 + sum(r.get("points", 0) for r in mine)
        caps = [r["cap"] for r in mine if "cap" in r]
        assert getattr(e, dim) == max(1, min(10, round(min([total] + caps))))


def test_without_the_model_file_the_rules_score_alone(tmp_path, monkeypatch):
    case = CASES["teacher"]
    args = dict(role=case["role"], jd_text=case["jd"], stage=case["stage"])
    f = extract(case["question"], case["strong"], **args)
    rules_only, _ = score_features(f, calibrated=False)
    monkeypatch.setattr(calibration, "MODEL_PATH", tmp_path / "missing.json")
    calibration.model.cache_clear()
    try:
        e = evaluate_answer(case["question"], case["strong"], **args)
        assert (e.clarity, e.relevance, e.depth) == tuple(rules_only[d] for d in calibration.DIMENSIONS)
        assert not [r for r in e.evidence.rules if r["rule"] == "calibration"]
    finally:
        calibration.model.cache_clear()


def test_semantic_inputs_missing_move_nothing():
    m = calibration.model()
    x = {n: mu for n, mu in zip(m.names, m.mean)}
    with_mean = m.predict(x)
    for name in calibration.SEMANTIC:
        x[name] = None
    without = m.predict(x)
    for dim in calibration.DIMENSIONS:
        assert without[dim][0] == pytest.approx(with_mean[dim][0])
        assert without[dim][0] == pytest.approx(2 * m.intercept[dim])


def test_model_file_round_trips():
    m = calibration.model()
    d = json.loads(m.to_json())
    assert d["names"] == list(m.names) and d["clip"] == m.clip
