"""How related an answer is to its question, by meaning, on a scale that means the same for every question.

A raw cosine from e5 says little on its own: some questions sit close to everything. So each similarity
is compared with reference answers, embedded once per process, that address no particular question (a
hobby, a platitude, a generic team story): how much closer to this question is the answer than an answer
to nothing in particular? The gap, in standard deviations of the references, is `z`: about 0 for an
answer that could answer any question, 2 or more for one about this question. (Also normalising against
other questions was tried; it separated on-topic from off-topic answers less well on the development set.)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

import numpy as np

from ..semantics import get_embedder, query_vector

REFERENCE_ANSWERS = [
    "I enjoy hiking at weekends and I recently walked a long trail with my family.",
    "I think communication is very important and I always try to be a team player.",
    "In my last job I worked in a busy team and we delivered our projects on time.",
    "I am a hard worker, I learn quickly and I am passionate about this field.",
    "I like cooking Italian food and trying new recipes for my friends.",
    "We had a deadline coming up, so I made a plan and stayed late to finish it.",
    "My manager told me I should speak up more in meetings, so I did.",
    "I moved to this city two years ago and I love the parks and the cafes.",
    "I would ask about the team, the culture and the opportunities for growth.",
    "Customers sometimes get upset, and I listen to them and try to help.",
    "I studied at university and then started my first job after graduating.",
    "I organised a charity football match that raised money for the local school.",
    "The weather has been terrible this month, it has rained almost every day.",
    "My favourite film is an old science fiction story about a journey to Mars.",
]
@dataclass(frozen=True)
class Similarity:
    cosine: float
    z: float  # standardised against the references: ~0 unrelated, >= 2 on this subject


@lru_cache(maxsize=1)
def _reference_answers() -> np.ndarray:
    """The reference answers' vectors, embedded once per process (at worst twice, if two threads race)."""
    return get_embedder().passages(REFERENCE_ANSWERS)


def reset() -> None:
    """Forget the reference vectors (after the embedder changes)."""
    _reference_answers.cache_clear()
    _query_baseline.cache_clear()
    _answer_vector.cache_clear()


@lru_cache(maxsize=4096)
def _query_baseline(text: str) -> tuple:
    q = query_vector(text)
    sims = _reference_answers() @ q
    return float(sims.mean()), float(max(sims.std(), 0.01))


def available() -> bool:
    return get_embedder().available


# Only the opening of a long answer is embedded: its subject shows there, and the cost grows faster than
# the length. On the development half, 160 words scored exactly as the whole answer (120 lost a little).
MAX_EMBED_WORDS = 160


# The model never sees gender: pronouns are made neutral before embedding, so "she" and "he" in the same
# answer cannot move a score (checked by notebooks/fairness_audit.ipynb).
_PRONOUNS = {"he": "they", "she": "they", "him": "them", "his": "their", "her": "their", "hers": "theirs",
             "himself": "themselves", "herself": "themselves"}
_PRONOUN_RE = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)


def neutral(text: str) -> str:
    return _PRONOUN_RE.sub(lambda m: _PRONOUNS[m.group(0).lower()], text)


def answer_vector(answer: str) -> Optional[np.ndarray]:
    if not get_embedder().available or not answer.strip():
        return None
    return _answer_vector(neutral(" ".join(answer.split()[:MAX_EMBED_WORDS])))


@lru_cache(maxsize=512)
def _answer_vector(answer: str) -> np.ndarray:
    # The same text is scored more than once: by the LLM engine's guard and its fallback, and on a retry.
    vec = get_embedder().passages([answer])[0]
    vec.setflags(write=False)
    return vec


def similarity(answer_vec: np.ndarray, query_text: str) -> Optional[Similarity]:
    """The answer's similarity to a query text (a question, a job description, target terms)."""
    if answer_vec is None or not query_text.strip():
        return None
    cos = float(answer_vec @ query_vector(query_text))
    mean, sd = _query_baseline(query_text)
    return Similarity(cos, round((cos - mean) / sd, 2))


def best_of(answer_vec: np.ndarray, texts: Sequence[str]) -> Optional[Similarity]:
    sims = [s for s in (similarity(answer_vec, t) for t in texts if t.strip()) if s]
    return max(sims, key=lambda s: s.z) if sims else None
