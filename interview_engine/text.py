"""Small text helpers shared by analysis and evaluation: tokens, stems, sentences, cleaning."""
from __future__ import annotations

import re
import unicodedata
from typing import Iterable, List, Set

WORD_RE = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-/]*[A-Za-z0-9+#]|[A-Za-z]")
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|\n+")

STOPWORDS: Set[str] = set(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves also us let lets get got really
    one two tell walk describe could would can please give example time times well much many
    thing things way ways something anything everything someone lot lots kind sort bit able within
    role position job experience work worked working company team""".split()
)


def normalise(text: str) -> str:
    """Unicode-normalise, join hyphenated line breaks, and fold runs of blanks (keeps newlines)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00ad", "")
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    text = re.sub(r"[ \t\f\v]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n\n", text)
    return text.strip()


def words(text: str) -> List[str]:
    return [w.strip(".-/").lower() or w.lower() for w in WORD_RE.findall(text or "")]


def stem(word: str) -> str:
    """A light suffix stripper: enough to match 'deploying' with 'deployment' and 'tests' with 'test'."""
    w = word.lower()
    if len(w) <= 4:
        return w.rstrip("s") if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
    for suffix in ("ational", "ization", "isation", "ments", "ment", "ings", "ing", "ions", "ion",
                   "ities", "ity", "ers", "er", "ies", "ied", "es", "ed", "ly", "s"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            base = w[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            return base
    return w


def content_stems(text: str) -> List[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 2]


def sentences(text: str) -> List[str]:
    parts = [p.strip() for p in SENTENCE_RE.split(text or "")]
    return [p for p in parts if p]


def unique(items: Iterable[str]) -> List[str]:
    seen: List[str] = []
    for i in items:
        if i and i not in seen:
            seen.append(i)
    return seen
