"""Relevance by contrast: does an answer fit the question asked better than it fits other interview questions?

Similarity to the question alone measures how specific an answer is, not whether it answers *this* question:
a nurse's sepsis story sits as close to "tell me about a code review" as many real answers do. So the answer
is compared with the question's focus (its greeting and preamble dropped) and with a contrast set of several
hundred interview questions across roles and topics (`data/contrast_questions.txt`, and the question bank's
own templates), embedded once and kept in `data/contrast_vectors.npz`. Questions that say the same as the one
asked (paraphrases) are left out of the contrast. The result is read as a z over the contrast set and a rank,
never as a fixed cosine.

Only the opening of the answer is embedded (as for every other measure, once). When the whole answer does not
fit its question, its sentences are read two at a time: a long answer that does address the question somewhere
is credited when one passage fits it plainly.
"""
from __future__ import annotations

import hashlib
import logging
import re
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from ..question_bank import BANK
from ..text import sentences
from .meaning import neutral

log = logging.getLogger("interview_engine.contrast")

DATA = Path(__file__).resolve().parent.parent / "data"
QUESTIONS_FILE = DATA / "contrast_questions.txt"
VECTORS_FILE = DATA / "contrast_vectors.npz"

# Set on the development half of the labelled set, with other questions' strong answers as off-topic answers
# (notebooks/scoring_calibration.ipynb shows the held-out figures).
PARAPHRASE = 0.93  # a contrast question at least this close to the question asked says the same thing
Z_OFF = 1.25  # below: the answer fits many other questions as well as its own
Z_OFF_WEAK = 1.75  # below, and barely closer to the question than an unrelated answer is (next line): off too
QUESTION_Z_WEAK = 1.5  # the question similarity's z against unrelated answers (meaning.py)
Z_PASSAGE = 2.5  # a passage of the answer at least this far above the contrast addresses the question
MAX_PASSAGES = 8

# Slots of the bank's templates, filled with neutral words so each template is a question about its topic.
_NEUTRAL = dict(role="specialist", company="this organisation", skill="your main skill", gap="a skill you are missing",
                project="a project on your CV", responsibility="lead that kind of work", top_skills="your main skills",
                term="your main skill", focus="that part of the question")

# A greeting or courtesy that opens many questions and is not what they ask.
_PREAMBLE_RE = re.compile(r"^\s*(hello|hi|hey|welcome|thanks|thank you|great to meet|good (morning|afternoon|evening)|"
                          r"nice to meet|right,|ok(ay)?,|so,)", re.IGNORECASE)
_LEAD_IN_RE = re.compile(r"^\s*(to start|to begin|to close|to finish|first|finally|before we (wrap up|finish|start|"
                         r"begin|dive into specifics|get into [^,]{1,30})|let's (begin|start)[^,.:]*)\s*[,:]\s*",
                         re.IGNORECASE)


def focus(question: str) -> str:
    """What the question asks: its sentences less greetings and courtesies ("Hello, and thanks for joining...")
    and a lead-in such as "To start,"."""
    kept = [s for s in sentences(question or "") if not (_PREAMBLE_RE.match(s) and "?" not in s)]
    text = " ".join(kept) or (question or "")
    return _LEAD_IN_RE.sub("", text, count=1).strip() or text


def bank_questions() -> List[str]:
    """The bank's templates as questions about their topic, compared by their focus like the question asked."""
    return [focus(t.text.format(**_NEUTRAL)) for group in BANK.values() for t in group]


def contrast_texts() -> List[str]:
    listed = [line.strip() for line in QUESTIONS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(listed + bank_questions()))


def texts_digest(texts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ContrastSet:
    texts: Tuple[str, ...]
    vectors: np.ndarray  # one unit query vector per text
    load_seconds: float = 0.0
    source: str = ""  # "shipped" or "embedded"


_lock = threading.Lock()
_cached: Optional[ContrastSet] = None


def contrast_set() -> Optional[ContrastSet]:
    """The contrast questions and their vectors: the shipped file when it matches the list and the model, else
    embedded once (about 20 s on one core) and kept for the process."""
    global _cached
    if _cached is not None:
        return _cached
    from ..semantics import E5_MODEL_SHA256, get_embedder

    emb = get_embedder()
    if not emb.available:
        return None
    with _lock:
        if _cached is None:
            import time

            t0 = time.perf_counter()
            texts = contrast_texts()
            digest = texts_digest(texts)
            vectors, source = None, "shipped"
            if VECTORS_FILE.exists():
                with np.load(VECTORS_FILE) as z:
                    if str(z["texts_sha256"]) == digest and str(z["model_sha256"]) == E5_MODEL_SHA256:
                        vectors = z["vectors"].astype(np.float32)
            if vectors is None:  # the list was edited: embed it here (and `python -m interview_engine contrast` ships it)
                log.info("embedding the contrast questions", extra={"questions": len(texts)})
                vectors, source = emb.queries(texts).astype(np.float32), "embedded"
            vectors.setflags(write=False)
            _cached = ContrastSet(tuple(texts), vectors, round(time.perf_counter() - t0, 3), source)
    return _cached


def write_vectors() -> Path:
    """Embed the contrast questions and write the shipped file (float16: cosines move by < 0.001)."""
    from ..semantics import E5_MODEL_SHA256, get_embedder

    texts = contrast_texts()
    vectors = get_embedder().queries(texts)
    np.savez_compressed(VECTORS_FILE, vectors=vectors.astype(np.float16), texts_sha256=texts_digest(texts),
                        model_sha256=E5_MODEL_SHA256)
    reset()
    return VECTORS_FILE


def reset() -> None:
    global _cached
    with _lock:
        _cached = None


@dataclass(frozen=True)
class Contrast:
    z: float  # the question's similarity against the contrast questions', in their standard deviations
    rank: int  # contrast questions the answer fits better than the one asked
    size: int  # contrast questions compared (paraphrases of the question left out)
    closest: str  # the contrast question the answer fits best
    focus: str  # what the question asks, as compared
    passage: str = ""  # the sentences that fit the question, when the whole answer did not
    question_z: Optional[float] = None  # the answer against unrelated answers (meaning.Similarity.z)
    open_question: bool = False  # background, motivation, questions for us: any account of one's own work can answer

    @property
    def judged(self) -> bool:
        """Whether the contrast can say the answer is off topic. An open question (the interview's opening and
        closing, "your background", "what would you like to ask us") is answered by many different stories,
        so fitting a technical question better says nothing there: the proudest project given to "which part
        of your background are you proudest of" fits "how would you scale a web service" better."""
        return not self.open_question

    @property
    def fits_others(self) -> bool:
        """Fits many other interview questions as well as this one, or fits them nearly as well and is barely
        closer to this question than an answer about nothing in particular."""
        weak = self.question_z is not None and self.question_z < QUESTION_Z_WEAK
        return self.z < Z_OFF or (self.z < Z_OFF_WEAK and weak)

    @property
    def off(self) -> bool:
        return self.judged and self.fits_others and not self.passage


def _score(vec: np.ndarray, own: np.ndarray, others: np.ndarray) -> Tuple[float, int, int]:
    sims = others @ vec
    mine = float(own @ vec)
    return round(float((mine - sims.mean()) / max(float(sims.std()), 1e-6)), 2), int((sims > mine).sum()), int(sims.argmax())


def contrast(answer_vec: Optional[np.ndarray], question: str, answer_text: str = "",
             question_z: Optional[float] = None, open_question: bool = False) -> Optional[Contrast]:
    """How much better the answer fits its own question than other interview questions. `answer_text`, when
    given, lets an answer that does not fit as a whole be read passage by passage."""
    from ..semantics import passage_vectors, query_vector

    cs = contrast_set()
    asked = focus(question)
    own = query_vector(asked) if asked else None
    if cs is None or answer_vec is None or own is None:
        return None
    keep = (cs.vectors @ own) < PARAPHRASE
    others = cs.vectors[keep]
    texts = [t for t, k in zip(cs.texts, keep) if k]
    z, rank, best = _score(answer_vec, own, others)
    result = Contrast(z, rank, len(texts), texts[best], asked, question_z=question_z, open_question=open_question)
    if result.off and answer_text:
        parts = sentences(answer_text)
        # Two sentences at a time, side by side (not overlapping): the answer is embedded about once more.
        passages = [" ".join(parts[i:i + 2]) for i in range(0, len(parts), 2)][:MAX_PASSAGES]
        if len(passages) > 1:
            vecs = passage_vectors([neutral(p) for p in passages])
            scored = [(_score(v, own, others)[0], p) for v, p in zip(vecs, passages)]
            pz, passage = max(scored)
            if pz >= Z_PASSAGE:
                result = replace(result, passage=passage)
    return result
