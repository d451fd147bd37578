"""What an answer's words show, read in context: fillers in their filler sense, hedges, figures with their
units, specific terms, and the shapes of answers that say nothing (lists, gibberish).

Word rarity comes from `wordfreq` (English Zipf frequencies from web, subtitle, news and book text): a
word used less than about ten times per million words ("repartitioned", "warfarin", "RCD") names
something, while "situation", "team" and "improve" do not. That one general measure replaces lists of
field-specific words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from .lexicon import DISCOURSE_FILLERS, GENERIC_WORDS, HEDGES, HESITATIONS
from .text import STOPWORDS, stem

TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9'+#.\-/]*[A-Za-z0-9+#]|[A-Za-z]")
# Rarer than this (occurrences per billion words, log10) counts as a specific word.
SPECIFIC_ZIPF = 4.0
# Below this a token is not an English word at all (keyboard mash, noise).
WORD_ZIPF = 1.0


@lru_cache(maxsize=65536)
def zipf(word: str, lang: str = "en") -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, lang)


# Languages an answer given in the wrong language is most likely to be in; wordfreq ships their word lists.
OTHER_LANGUAGES = ("fr", "es", "de", "it", "pt", "nl")
# Share of an answer's ordinary (lower-case) words that are not English, from which it is not an English answer.
# English answers, jargon and keyword lists included, stay under a quarter (at most 0.21 on the labelled set);
# paragraphs in French, Spanish or German and placeholder Latin (lorem ipsum) are at 0.5 and above.
NOT_ENGLISH_SHARE = 0.4


def not_english(text: str) -> Tuple[float, List[str]]:
    """Share of the lower-case words that are not English: more common in another language than in English
    (by a factor of ten), or in no word list at all ("consectetur"). Names, acronyms and product names are
    capitalised and left out, so a list of tools is not foreign."""
    words = [t for t in _PLAIN_WORD_RE.findall(text or "") if t.islower()]
    if len(words) < 8:
        return 0.0, []
    odd = [w for w in words if zipf(w) < 1.5 or max(zipf(w, lang) for lang in OTHER_LANGUAGES) >= zipf(w) + 1.0]
    return len(odd) / len(words), odd


_PLAIN_WORD_RE = re.compile(r"(?<![\w'])[^\W\d_]+(?:'[^\W\d_]+)?(?![\w'])")


def tokens(text: str) -> List[str]:
    """Word tokens with their case, trailing dots and hyphens trimmed."""
    return [t.rstrip(".-/") or t for t in TOKEN_RE.findall(text or "")]


# Fillers ---------------------------------------------------------------------------------------------
# After these, "kind of"/"sort of" is a noun phrase ("the same kind of API"), not a filler.
_DETERMINERS = {"a", "an", "the", "this", "that", "these", "those", "what", "which", "same", "any", "some",
                "every", "each", "one", "another", "different", "new", "right", "wrong", "other", "no", "my",
                "our", "your", "their", "his", "her", "its", "whatever", "particular", "certain", "all"}
# After "you know" / "I mean", these start an object: "you know the answer", "I mean that ...".
_OBJECT_STARTERS = {"the", "a", "an", "that", "this", "those", "these", "how", "what", "where", "when", "why",
                    "who", "whom", "which", "if", "whether", "it", "him", "her", "them", "me", "us", "about",
                    "my", "your", "our", "their", "his", "to", "everyone", "everybody", "someone", "exactly"}
# Before "you know" / "I mean", these make it a real verb: "do you know", "what I mean", "if you know".
_VERB_CONTEXT = {"do", "did", "don't", "didn't", "what", "if", "as", "would", "will", "let", "so", "may",
                 "might", "could", "can", "all", "whether"}
# Words that are fillers only when set off by a pause or punctuation, doubled, or next to a hesitation:
# "it was, like, slow" but not "I like Python"; "so, we ..." but not "so that".
_SET_OFF_ONLY = {"like", "actually", "so", "well"}
_PIECE_RE = re.compile(r"[A-Za-z][A-Za-z']*|[,;:.!?…—–-]+")


def _pieces(text: str) -> List[Tuple[str, bool, bool]]:
    """(word, punctuation or start before it, punctuation or end after it) for each word."""
    raw = _PIECE_RE.findall(text or "")
    out: List[Tuple[str, bool, bool]] = []
    for i, p in enumerate(raw):
        if not p[0].isalpha():
            continue
        before = i == 0 or not raw[i - 1][0].isalpha()
        after = i == len(raw) - 1 or not raw[i + 1][0].isalpha()
        out.append((p, before, after))
    return out


def fillers(text: str) -> Dict[str, int]:
    """Fillers counted in their filler sense only."""
    pieces = _pieces(text)
    words = [w.lower() for w, _, _ in pieces]
    hes = set(HESITATIONS)
    counts: Dict[str, int] = {}
    two = {tuple(d.split()) for d in DISCOURSE_FILLERS if " " in d}
    i = 0
    while i < len(pieces):
        word, before, after = pieces[i]
        low = words[i]
        prev = words[i - 1] if i else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        found = None
        if low in hes and (word == low or after):
            # Hesitations are lower-case words: "ER" (the emergency room) is not "er".
            found, step = low, 1
        elif (low, nxt) in two and not pieces[i][2]:
            pair, nxt_after = f"{low} {nxt}", pieces[i + 1][2]
            after_word = words[i + 2] if i + 2 < len(words) else ""
            if pair in ("kind of", "sort of"):
                if before or prev not in _DETERMINERS:
                    found = pair
            elif pair in ("you know", "i mean"):
                if (before or prev not in _VERB_CONTEXT) and (nxt_after or after_word not in _OBJECT_STARTERS):
                    found = pair
            elif pair == "so yeah":
                found = pair
            step = 2 if found else 1
        elif low == "whatever" and prev in ("and", "or") and after:
            found, step = low, 1
        elif low in ("basically", "literally"):
            found, step = low, 1
        elif low in _SET_OFF_ONLY:
            neighbour = prev in hes or nxt in hes or nxt == low
            if (before and after) or neighbour:
                found, step = low, 1
        if found:
            counts[found] = counts.get(found, 0) + 1
            i += step
        else:
            i += 1
    return counts


def hedges(text: str) -> Dict[str, int]:
    lowered = " " + (text or "").lower() + " "
    counts: Dict[str, int] = {}
    for h in HEDGES:
        n = len(re.findall(r"(?<![a-z'])" + re.escape(h) + r"(?![a-z'])", lowered))
        if n:
            counts[h] = n
    return counts


# Figures ---------------------------------------------------------------------------------------------
_NUM = r"\d+(?:[.,]\d+)*"
_WORD_NUM = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
             r"fifty|sixty|seventy|eighty|ninety|hundred|a hundred|a thousand|a dozen|a couple of|several)")
_SCALE = r"(?:\s*(?:k|m|bn|million|billion|thousand|hundred)\b)?"
_UNITS = (r"%|percent|per\s?cent|percentage points?|pp|x|×|ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|"
          r"h|hrs?|hours?|days?|nights?|weeks?|months?|years?|yrs?|quarters?|shifts?|sprints?|"
          r"kb|mb|gb|tb|pb|kbps|mbps|gbps|rps|qps|tps|"
          r"mg|mcg|µg|g|kg|tonnes?|tons?|ml|l|litres?|liters?|mm|cm|m|km|metres?|meters?|miles?|"
          r"feet|ft|inch(?:es)?|sq\s?m|m2|m²|kn|mpa|kpa|psi|°c|°f|degrees?|"
          r"v|volts?|kv|a|amps?|ma|ka|w|kw|mw|kwh|mwh|ohms?|mΩ|Ω|hz|khz|"
          r"mmhg|mmol|bpm|points?|pts|stars?|nps|csat|fte|"
          r"dollars?|usd|euros?|eur|pounds?|gbp|quid|bucks|rupees?|inr|yen|aud|cad")
_MONEY_SIGN = r"[$£€¥₹]"
_FIGURE_RE = re.compile(
    rf"(?P<money>{_MONEY_SIGN}\s?{_NUM}{_SCALE})"
    rf"|(?P<pct>\b[pP](?:50|75|90|95|99|999)\b)"
    rf"|(?P<range>\b(?:{_NUM}|{_WORD_NUM})\s*(?:to|-|–|→|->)\s*(?:{_NUM}|{_WORD_NUM}){_SCALE}\s*(?:{_UNITS})(?![A-Za-z]))"
    rf"|(?P<unit>(?<![A-Za-z0-9.]){_NUM}{_SCALE}\s*(?:{_UNITS})(?![A-Za-z0-9])|\b{_WORD_NUM}{_SCALE}\s+(?:{_UNITS})(?![A-Za-z]))"
    rf"|(?P<count>(?<![A-Za-z0-9.]){_NUM}{_SCALE}(?:\s+[A-Za-z][a-z\-]+){{0,1}}\s+[A-Za-z][a-z\-]*s\b)"
    rf"|(?P<label>\b(?:grade|year|level|stage|band|step|phase|version|room|ward|bay|bed|section|clause|regulation|"
    rf"table|part|zone|line|key stage|ks|tier|category|class|size|type|day|week|lot|batch|aisle|dock|platform) ?\d+[a-z]?\b)"
    rf"|(?P<year>\b(?:19|20)\d\d\b)"
    rf"|(?P<decimal>(?<![A-Za-z0-9.])\d+\.\d+(?![A-Za-z0-9.]))"
    rf"|(?P<relative>\b(?:twice|doubled|halved|tripled|tenfold|a third|a quarter|in half)\b)"
    rf"|(?P<bare>(?<![A-Za-z0-9.]){_NUM}(?![A-Za-z0-9]))",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Figure:
    text: str
    kind: str  # money | percentile | unit | range | count | label | decimal | year | relative | bare

    @property
    def measured(self) -> bool:
        """A figure that measures something named: a unit, money, a percentile, a count of things. A bare
        percentage or number says how much of something unnamed."""
        if self.kind in ("money", "percentile", "range", "count", "label", "decimal"):
            return True
        return self.kind == "unit" and not re.search(r"%|per\s?cent|percentage|\bx\b|×", self.text, re.IGNORECASE)


def figures(text: str) -> List[Figure]:
    out: List[Figure] = []
    for m in _FIGURE_RE.finditer(text or ""):
        kind = m.lastgroup or "bare"
        kind = {"pct": "percentile"}.get(kind, kind)
        value = re.sub(r"\s+", " ", m.group(0).strip())
        if kind == "count" and value.split()[-1].lower() in STOPWORDS:
            kind, value = "bare", value.split()[0]
        out.append(Figure(value, kind))
    seen: Set[str] = set()
    unique: List[Figure] = []
    for f in out:
        if f.text.lower() not in seen:
            seen.add(f.text.lower())
            unique.append(f)
    return unique


# Specific terms ----------------------------------------------------------------------------------------
def _is_acronym(tok: str) -> bool:
    return 2 <= len(tok) <= 6 and tok.isupper() and tok.isalpha()


def _term_weight(tok: str, named: bool) -> float:
    """How much a word names something, 0-1: 1 for names, acronyms and codes; for other words, by rarity in
    general English, 1 at about one use per million words (Zipf 3) falling to 0 at one per thousand
    (Zipf 6). "warfarin" 1, "overhead" 0.8, "stock" 0.4, "situation" 0.3, "people" 0."""
    low = tok.lower()
    if _is_acronym(tok) or any(c.isdigit() for c in tok) or named:
        return 1.0
    if len(low) < 3:
        return 0.0
    z = zipf(low)
    if z < WORD_ZIPF and "-" not in low:
        return 0.0  # not a word: a typo or noise
    return round(max(0.0, min(1.0, (6.0 - z) / 3.0)), 3)


def weighted_terms(text: str, exclude: Iterable[str] = ()) -> List[Tuple[str, float]]:
    """Words that name something, each with its weight (see `_term_weight`): rare in general English,
    acronyms, names mid-sentence, or words with digits (p95, S3, HbA1c). Stop words, fillers, generic
    business words and figures' units never count, nor do words in `exclude` (stems of the question,
    the role and the company)."""
    excluded = {stem(e.lower()) for e in exclude}
    text = _FIGURE_RE.sub(" ", text or "")
    found: List[Tuple[str, float]] = []
    seen: Set[str] = set()
    for sentence in re.split(r"(?<=[.!?:])\s+|\n+", text):
        toks = tokens(sentence)
        for i, tok in enumerate(toks):
            low = tok.lower()
            s = stem(low)
            if low in STOPWORDS or low in GENERIC_WORDS or s in GENERIC_WORDS or s in excluded or low in excluded:
                continue
            if low in HESITATIONS or len(low) < 2 or s in seen or re.match(r"(i|you|we|they|he|she|it)'", low):
                continue
            named = i > 0 and tok[0].isupper() and not tok.isupper() and low not in ("i", "i'm", "i've", "i'd")
            w = _term_weight(tok, named)
            if w:
                seen.add(s)
                found.append((tok, w))
    return found


def specific_terms(text: str, exclude: Iterable[str] = (), min_weight: float = 0.6) -> List[str]:
    return [t for t, w in weighted_terms(text, exclude) if w >= min_weight]


# Shapes of answers that say nothing -----------------------------------------------------------------
_SEGMENT_SPLIT = re.compile(r"[,;/|•·\n]+|(?<=[.!?])\s+|\s+(?:and|&|plus|as well as)\s+", re.IGNORECASE)
_LIST_GLUE = {"and", "with", "of", "in", "also", "plus", "strong", "good", "great", "excellent", "solid",
              "experience", "skills", "skill", "knowledge", "including", "etc", "i", "have", "know", "use",
              "used", "my", "the", "a", "an", "in", "on", "for", "to", "am", "i'm", "i've", "very", "well"}


def list_share(text: str) -> Tuple[float, List[str]]:
    """Share of the words sitting in short list items (one to three words with no clause), and the items.
    "Python, Spark, Airflow, SQL, AWS, strong communication" is almost all list; a sentence that names
    two tools is not."""
    segments = [s.strip(" .!?") for s in _SEGMENT_SPLIT.split(text or "") if s and s.strip(" .!?")]
    total = len(tokens(text))
    if not total:
        return 0.0, []
    items, in_items = [], 0
    for seg in segments:
        toks = tokens(seg)
        core = [t for t in toks if t.lower() not in _LIST_GLUE]
        # A contraction ("it's", "failure's expensive") is a verb: a clause, not a list item.
        clause_words = [t for t in toks if (t.lower() in STOPWORDS and t.lower() not in _LIST_GLUE)
                        or re.search(r"'(s|re|ve|ll|d|m)$|n't$", t.lower())]
        if 1 <= len(core) <= 3 and not clause_words:
            items.append(" ".join(core))
            in_items += len(toks)
    return in_items / total, items


@dataclass(frozen=True)
class Gibberish:
    is_gibberish: bool
    why: str = ""


# What speech recognisers write for silence, noise or music: tags, and phrases learnt from video subtitles.
_NOISE_TAG_RE = re.compile(r"\[[^\]]{1,40}\]|\([^)]{0,30}(?:noise|music|inaudible|static|silence)[^)]{0,30}\)",
                           re.IGNORECASE)
_ASR_PHRASES_RE = re.compile(r"\b(?:thank you for watching|thanks for watching|please subscribe|like and subscribe|"
                             r"see you in the next video|subtitles by[^.]*|can you hear me)\b", re.IGNORECASE)
_MASH_RE = re.compile(r"^(?:[^aeiouy\s]{4,}|(.{1,3})\1{2,}|[^A-Za-z0-9\s]{2,})$", re.IGNORECASE)


def gibberish(text: str) -> Gibberish:
    """Text that is not language: keyboard mash, or noise transcribed as tags and loops of words."""
    raw = (text or "").split()
    if not raw:
        return Gibberish(False)
    # Speech recognisers fed noise write tags and subtitle phrases, and loop on a few words.
    tags = _NOISE_TAG_RE.findall(text)
    stripped = _ASR_PHRASES_RE.sub(" ", _NOISE_TAG_RE.sub(" ", text))
    toks = [t.lower() for t in tokens(stripped)]
    content = [t for t in toks if t not in STOPWORDS and t not in HESITATIONS and zipf(t) >= WORD_ZIPF
               and t not in ("yeah", "ok", "okay", "hello", "thanks", "uh", "so")]
    if (tags or len(toks) < len(tokens(text))) and len(set(content)) <= 3:
        return Gibberish(True, "sounds like noise, not speech: " + ", ".join((tags or ["subtitle phrases"])[:3]))
    repeats = sum(1 for a, b in zip(toks, toks[1:]) if a == b)
    if len(toks) >= 5 and repeats / (len(toks) - 1) >= 0.25:
        return Gibberish(True, f"{repeats} words repeated back to back out of {len(toks)}")
    if len(toks) >= 6 and len(set(toks)) / len(toks) < 0.35:
        return Gibberish(True, f"{len(set(toks))} distinct words repeated over {len(toks)}")
    # Keyboard mash and non-words: most chunks are not English words at all.
    odd = [c for c in raw if (_MASH_RE.match(c.strip(".,;:!?")) and not c.strip(".,;:!?").isupper()) or
           (c.strip(".,;:!?").isalpha() and zipf(c.strip(".,;:!?").lower()) < 1.7 and len(c) > 2)]
    if len(raw) >= 2 and len(odd) / len(raw) >= 0.4:
        return Gibberish(True, f"{len(odd)} of {len(raw)} words are not words: " + ", ".join(odd[:4]))
    # Placeholder text (lorem ipsum) or a paragraph in another language: words, but not an English answer.
    share, foreign = not_english(stripped)
    if share >= NOT_ENGLISH_SHARE:
        return Gibberish(True, f"{share:.0%} of the words are not English: " + ", ".join(list(dict.fromkeys(foreign))[:4]))
    return Gibberish(False)


def novelty(answer_stems: Sequence[str], question_stems: Iterable[str]) -> Tuple[float, List[str]]:
    """Share of the answer's content words that the question did not already contain, and those words."""
    q = set(question_stems)
    if not answer_stems:
        return 0.0, []
    new = [s for s in answer_stems if s not in q]
    return len(new) / len(answer_stems), list(dict.fromkeys(new))
