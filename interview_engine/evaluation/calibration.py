"""A fitted linear calibration of the rubric: how much each general measure of an answer should weigh.

The rules in `rules.py` say what an answer does (about its question or not, how much it names, whether it
reads the question back); their point values were first set by hand. Here one ridge regression per
dimension, fitted on the development half of the labelled set only (`notebooks/fit_calibration.py`,
deterministic), weighs the rules' scores together with the measures behind them. Being linear, its
evidence is exact: every input's contribution is its weight times how far the answer sits from the
average development answer, and the largest are listed with the score.

No input names a word, a question, a role or a labelled answer: only measures any answer has (similarity
by meaning, named things per word, figures with units, fillers, which rules fired). Measures of style with no
meaning in the rubric (words between commas, sentence length) are left out although they helped on the
development data: there they mostly told one labeller's way of writing a kind of answer from another's. Nor is
length an input: length alone earns nothing (the rubric), and the amount of information stands for it. Inputs the service
knows but the labelled set does not (the question's targets) and anything touched by an instruction to
the scorer are left out, so a calibrated score means the same in the product as on the data.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from .features import Features

MODEL_PATH = Path(__file__).with_name("calibration.json")
DIMENSIONS = ("clarity", "relevance", "depth")
# The rule shapes whose presence is an input (1 when the rule fired).
SHAPES = ("read_back", "keyword_list", "star_without_substance", "hypothetical", "off_topic", "thin",
          "rambling", "cuts_corners", "nothing_concrete", "platitudes")
QUESTION_TYPES = ("experience", "knowledge", "motivation", "closing")
# Inputs that come from the embedding model: when it cannot load they take the development mean, so they
# move nothing and the rest of the model still applies.
SEMANTIC = ("question_z", "jd_z", "question_minus_jd", "contrast_z")

# What the rubric says each measure means: +1 it can only raise a score, -1 only lower it; unlisted inputs
# (question type, questions asked, first person, ...) may go either way. A fit that finds, say, that giving reasons
# goes with lower labels on the development data (confidently wrong answers explain themselves at length) is
# finding the labellers' writing, not what makes an answer good: such a weight is held at 0 instead.
SIGNS = {
    **{n: 1 for n in ("rule_clarity", "rule_relevance", "rule_depth", "question_z", "jd_z", "contrast_z", "novelty",
                      "specific_terms", "specific_mass", "information", "specific_density", "measured_figures",
                      "own_actions", "concrete_actions", "reasoning", "result", "situation", "structure")},
    **{n: -1 for n in ("star_words", "list_share", "fillers", "hedges", "repetition", "no_experience",
                       "modal_share", "platitudes")},
    **{"shape_" + s: -1 for s in SHAPES},
}

# Short readable names for the evidence.
LABELS = {
    "rule_clarity": "the rubric's clarity", "rule_relevance": "the rubric's relevance",
    "rule_depth": "the rubric's depth", "question_z": "closeness in meaning to the question",
    "jd_z": "closeness in meaning to the job description",
    "question_minus_jd": "about this question more than about the job in general",
    "contrast_z": "fit over other questions",
    "novelty": "own words (not the question's)", "question_words": "the question's subject words used",
    "specific_terms": "specific terms named", "specific_mass": "weight of specific terms",
    "information": "amount of information", "specific_density": "specific terms per word",
    "measured_figures": "figures with units", "own_actions": "own actions",
    "concrete_actions": "concrete actions", "star_words": "STAR scaffold words", "list_share": "share in bare lists",
    "fillers": "fillers per word", "hedges": "hedges per word", "reasoning": "reasons given",
    "result": "an outcome stated", "situation": "a situation set out", "modal_share": "'I would' clauses",
    "no_experience": "says it has no experience of this", "asks": "questions asked", "repetition": "repetition",
    "first_person": "first person",
    "structure": "ordering words", "platitudes": "general prescriptions ('it's important to', 'should')", "skills": "tools and skills named",
}


def inputs(f: Features, rule_scores: Mapping[str, float], fired: Sequence[str]) -> Dict[str, Optional[float]]:
    """The general measures of one answer, by name. None: not measurable here (no embedding model)."""
    wc = max(1, f.word_count)
    q, jd = f.question_sim, f.jd_sim
    x: Dict[str, Optional[float]] = {
        "rule_clarity": float(rule_scores["clarity"]), "rule_relevance": float(rule_scores["relevance"]),
        "rule_depth": float(rule_scores["depth"]),
        "question_z": q.z if q else None,
        "jd_z": jd.z if jd else None, "question_minus_jd": (q.z - jd.z) if (q and jd) else None,
        "contrast_z": f.contrast.z if f.contrast else None,
        "novelty": f.novelty, "question_words": len(f.covered_question_terms) / max(1, len(f.question_terms)),
        "specific_terms": math.log1p(len(f.specific)), "specific_mass": math.log1p(f.specific_mass),
        "information": math.log1p(f.info_mass), "specific_density": f.specific_mass / wc,
        "measured_figures": math.log1p(len(f.measured_figures)),
        "own_actions": math.log1p(len(f.actions)), "concrete_actions": math.log1p(f.concrete_actions),
        "star_words": 100 * len(f.star_words) / wc, "list_share": f.list_share,
        "fillers": 100 * sum(f.fillers.values()) / wc, "hedges": 100 * sum(f.hedges.values()) / wc,
        "reasoning": math.log1p(len(f.reasoning)), "result": float(bool(f.result)),
        "situation": float(bool(f.situation)), "modal_share": f.modal_clauses / max(1, len(f.sentences)),
        "no_experience": float(bool(f.no_experience)), "asks": math.log1p(f.asks), "repetition": f.repetition,
        "first_person": float(f.first_person), "structure": math.log1p(len(f.structure)),
        "skills": math.log1p(len(f.skills)),
        "platitudes": len(f.platitudes) / max(1, len(f.sentences)),
    }
    for shape in SHAPES:
        x["shape_" + shape] = float(shape in fired)
    for t in QUESTION_TYPES:
        x["type_" + t] = float(f.qtype == t)
    return x


@dataclass(frozen=True)
class Model:
    names: Tuple[str, ...]
    mean: Tuple[float, ...]
    scale: Tuple[float, ...]
    weights: Dict[str, Tuple[float, ...]]  # dimension -> one weight per standardised input
    intercept: Dict[str, float]  # on the labels' 1-5 scale
    trained_on: str = ""
    clip: float = 2.5  # standardised inputs are held within this many standard deviations

    def predict(self, x: Mapping[str, Optional[float]]) -> Dict[str, Tuple[float, List[Tuple[str, float]]]]:
        """dimension -> (score on 1-10, contributions by input on the same scale, largest first)."""
        z = []
        for name, mu, sd in zip(self.names, self.mean, self.scale):
            v = x.get(name)
            z.append(0.0 if v is None else max(-self.clip, min(self.clip, (float(v) - mu) / sd)))
        out = {}
        for dim in DIMENSIONS:
            parts = [(n, 2 * w * zi) for n, w, zi in zip(self.names, self.weights[dim], z)]
            label = self.intercept[dim] + sum(p for _, p in parts) / 2
            parts.sort(key=lambda p: -abs(p[1]))
            out[dim] = (2 * label, parts)  # labels 1-5 -> scores 2-10: the contract's 8 (hire) is a 4 (solid)
        return out

    def to_json(self) -> str:
        return json.dumps({"names": self.names, "mean": self.mean, "scale": self.scale, "weights": self.weights,
                           "intercept": self.intercept, "clip": self.clip, "trained_on": self.trained_on}, indent=1)


@lru_cache(maxsize=1)
def model() -> Optional[Model]:
    if not MODEL_PATH.exists():
        return None
    d = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    return Model(names=tuple(d["names"]), mean=tuple(d["mean"]), scale=tuple(d["scale"]),
                 weights={k: tuple(v) for k, v in d["weights"].items()}, intercept=d["intercept"],
                 trained_on=d.get("trained_on", ""), clip=d.get("clip", 2.5))


def fit(xs: Sequence[Mapping[str, Optional[float]]], labels: Sequence[Mapping[str, float]], *,
        ridge: float = 10.0, blend: float = 0.5, clip: float = 2.5, trained_on: str = "") -> Model:
    """One ridge regression per dimension on standardised inputs. Each dimension's target is `blend` of its
    own label and the rest of the overall label: the overall score a user reads is the mean of the three,
    so each of them also carries what the labeller's overall judgement saw (a fluent but unsafe answer is
    clear, and still poor)."""
    import numpy as np

    names = tuple(xs[0].keys())
    raw = np.array([[np.nan if x[n] is None else float(x[n]) for n in names] for x in xs], float)
    mean = np.nanmean(raw, axis=0)
    raw = np.where(np.isnan(raw), mean, raw)
    scale = raw.std(axis=0)
    scale[scale < 1e-9] = 1.0
    # An answer far outside the development range (an unusually long sentence, say) moves its score no more
    # than one at the edge of it: a linear weight must not run away on an input it never saw.
    z = np.clip((raw - mean) / scale, -clip, clip)
    weights, intercept = {}, {}
    signs = np.array([SIGNS.get(n, 0) for n in names])
    for dim in DIMENSIONS:
        y = np.array([blend * l[dim] + (1 - blend) * l["overall"] for l in labels], float)
        active = np.ones(len(names), bool)
        while True:  # refit without the inputs whose weight came out against the rubric, until none does
            w = np.zeros(len(names))
            za = z[:, active]
            w[active] = np.linalg.solve(za.T @ za + ridge * np.eye(int(active.sum())), za.T @ (y - y.mean()))
            wrong = active & (signs * w < 0)
            if not wrong.any():
                break
            active &= ~wrong
        # Ridge shrinks towards the mean; one least-squares stretch restores the labels' spread, so a strong
        # answer can still reach the top of the scale. Monotone: the order of answers is unchanged.
        p = z @ w
        stretch = float((p @ (y - y.mean())) / (p @ p)) if p @ p > 0 else 1.0
        weights[dim] = tuple(round(float(v) * stretch, 6) for v in w)
        intercept[dim] = round(float(y.mean()), 6)
    return Model(names=names, mean=tuple(round(float(v), 6) for v in mean),
                 scale=tuple(round(float(v), 6) for v in scale), weights=weights, intercept=intercept,
                 trained_on=trained_on, clip=clip)
