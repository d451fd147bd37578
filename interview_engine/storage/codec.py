"""How a session is written compactly and read back exactly as it was.

An answer's evidence was most of a stored interview: every rule that moved a score was kept twice (as a
rule, and again as a per-dimension note with the same words), as dicts repeating their key names, beside
every field left at its default. Stored, evidence is packed:

- fields at the model's default are left out (read back from `Evidence`'s defaults);
- rules are lists `[rule, dimension, points, cap, evidence]` (`None` where the dict had no such key);
- a note that repeats a rule's words is stored as that rule's index.

Word timings of spoken answers are stored as parallel lists (see `pack_words`; rounded to 10 ms). Both are
then deflated (zlib, base64): the rules' sentences repeat the same phrases answer after answer. `unpack` restores the
dicts the rest of the engine reads; data written before this packing (no `_v`) is read unchanged. Both
backends use this module, so SQLite and MongoDB store and return the same thing.
"""
from __future__ import annotations

import base64
import json
import zlib
from typing import Any, Dict, List, Optional

VERSION = 1
_RULE_KEYS = ("rule", "dimension", "points", "cap", "evidence")


def _defaults() -> Dict[str, Any]:
    from ..models import Evidence

    return Evidence().model_dump()


_DEFAULTS: Optional[Dict[str, Any]] = None


def defaults() -> Dict[str, Any]:
    global _DEFAULTS
    if _DEFAULTS is None:
        _DEFAULTS = _defaults()
    return _DEFAULTS


def _note_of(rule: Dict[str, Any]) -> str:
    """The note the evaluation writes for a rule (see evaluation._evidence)."""
    cap = rule.get("cap")
    return (rule.get("evidence") or "") + (f" (capped at {cap:g})" if cap is not None else "")


def _packable(rule: Any) -> bool:
    """A rule that reads back exactly from [rule, dimension, points, cap, evidence]."""
    return (isinstance(rule, dict) and set(rule) <= set(_RULE_KEYS) and {"rule", "dimension", "evidence"} <= set(rule)
            and all(rule[k] is not None for k in ("points", "cap") if k in rule))


def pack_evidence(evidence: Dict[str, Any]) -> Dict[str, Any]:
    if not isinstance(evidence, dict) or "_v" in evidence:
        return evidence
    base = defaults()
    out: Dict[str, Any] = {"_v": VERSION}
    rules = evidence.get("rules") or []
    notes_index = {}
    for i, rule in enumerate(rules):
        if isinstance(rule, dict) and rule.get("evidence"):
            notes_index.setdefault(_note_of(rule), i)
    for key, value in evidence.items():
        if key in base and value == base[key] and type(value) is type(base[key]):
            continue
        if key == "rules" and isinstance(value, list):
            value = [[r.get(k) for k in _RULE_KEYS] if _packable(r) else r for r in value]
        elif key == "notes" and isinstance(value, dict):
            value = {dim: [notes_index.get(n, n) if isinstance(n, str) else n for n in items]
                     if isinstance(items, list) else items for dim, items in value.items()}
        out[key] = value
    return out


def unpack_evidence(stored: Dict[str, Any]) -> Dict[str, Any]:
    if not isinstance(stored, dict) or stored.get("_v") != VERSION:
        return stored
    out = {k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
           for k, v in defaults().items()}
    for key, value in stored.items():
        if key != "_v":
            out[key] = value
    rules: List[Any] = []
    for r in out.get("rules") or []:
        if isinstance(r, list) and len(r) == 5:
            rule = {"rule": r[0], "dimension": r[1]}
            if r[2] is not None:
                rule["points"] = r[2]
            if r[3] is not None:
                rule["cap"] = r[3]
            rule["evidence"] = r[4]
            r = rule
        rules.append(r)
    out["rules"] = rules
    if isinstance(out.get("notes"), dict):
        out["notes"] = {dim: [_note_of(rules[n]) if isinstance(n, int) and 0 <= n < len(rules) else n for n in items]
                        if isinstance(items, list) else items for dim, items in out["notes"].items()}
    return out


def pack_words(words: Any, content: str = "") -> Any:
    """[[text, start, end, probability], ...] -> {"w": texts, "s": start deltas, "d": durations, "p": probabilities}
    with times in centiseconds and probabilities in hundredths: the timings are only shown (pauses in the
    transcript), at a resolution finer than Whisper's own (20 ms). The texts are left out when they are the
    answer's own words (its content split at spaces), as they are for a transcript."""
    if not isinstance(words, list) or not words or not all(
            isinstance(w, list) and len(w) == 4 and isinstance(w[0], str)
            and all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in w[1:]) for w in words):
        return words
    texts = [w[0] for w in words]
    starts = [round(w[1] * 100) for w in words]
    return {"_v": VERSION, **({} if isinstance(content, str) and content.split(" ") == texts else {"w": texts}),
            "s": [starts[0]] + [b - a for a, b in zip(starts, starts[1:])],
            "d": [round(w[2] * 100) - s for w, s in zip(words, starts)],
            "p": [round(w[3] * 100) for w in words]}


def unpack_words(stored: Any, content: str = "") -> Any:
    if not isinstance(stored, dict) or stored.get("_v") != VERSION:
        return stored
    texts = stored["w"] if "w" in stored else content.split(" ")
    out, at = [], 0
    for text, delta, duration, prob in zip(texts, stored["s"], stored["d"], stored["p"]):
        at += delta
        out.append([text, at / 100, (at + duration) / 100, prob / 100])
    return out


def pack_table(rows: Any) -> Any:
    """A list of dicts with the same keys -> {"_t": keys, "r": [[values], ...]}: the keys are written once."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        return rows
    keys = list(rows[0])
    if any(list(r) != keys for r in rows):
        return rows
    return {"_t": keys, "r": [[r[k] for k in keys] for r in rows]}


def unpack_table(stored: Any) -> Any:
    if not isinstance(stored, dict) or "_t" not in stored:
        return stored
    return [dict(zip(stored["_t"], row)) for row in stored["r"]]


def _voice_constants() -> Dict[str, str]:
    from ..models import DELIVERY_NOTE, FILLER_NOTE

    return {"fillers_note": FILLER_NOTE, "note": DELIVERY_NOTE}


def pack_voice_evidence(evidence: Any) -> Any:
    """The notes every spoken answer carries word for word are left out (read back from models.py)."""
    if not isinstance(evidence, dict) or "_v" in evidence:
        return evidence
    constants = _voice_constants()
    return {"_v": VERSION, **{k: v for k, v in evidence.items() if constants.get(k) != v}}


def unpack_voice_evidence(stored: Any) -> Any:
    if not isinstance(stored, dict) or stored.get("_v") != VERSION:
        return stored
    out = {k: v for k, v in stored.items() if k != "_v"}
    for k, v in _voice_constants().items():
        out.setdefault(k, v)
    return out


def deflate(value: Any) -> Any:
    """{"_z": base64 of zlib-compressed JSON}: for the evidence and word timings, read only through this
    module (the answer's text stays plain, so erasure checks still find it byte for byte)."""
    if not isinstance(value, dict) or "_z" in value:
        return value
    raw = json.dumps(value, separators=(",", ":")).encode()
    return {"_z": base64.b64encode(zlib.compress(raw, 9)).decode("ascii")}


def inflate(value: Any) -> Any:
    if not isinstance(value, dict) or "_z" not in value:
        return value
    return json.loads(zlib.decompress(base64.b64decode(value["_z"])))


def _pack_meta(meta: Dict[str, Any], content: str) -> Dict[str, Any]:
    meta = dict(meta)
    if "evidence" in meta:
        meta["evidence"] = deflate(pack_evidence(meta["evidence"]))
    t = meta.get("transcription")
    if isinstance(t, dict):
        t = dict(t)
        if "words" in t:
            t["words"] = deflate(pack_words(t["words"], content))
        if "unsupported_words" in t:
            t["unsupported_words"] = pack_table(t["unsupported_words"])
        meta["transcription"] = t
    v = meta.get("voice_metrics")
    if isinstance(v, dict) and "evidence" in v:
        meta["voice_metrics"] = {**v, "evidence": pack_voice_evidence(v["evidence"])}
    return meta


def _unpack_meta(meta: Dict[str, Any], content: str) -> None:
    if "evidence" in meta:
        meta["evidence"] = unpack_evidence(inflate(meta["evidence"]))
    t = meta.get("transcription")
    if isinstance(t, dict):
        if "words" in t:
            t["words"] = unpack_words(inflate(t["words"]), content)
        if "unsupported_words" in t:
            t["unsupported_words"] = unpack_table(t["unsupported_words"])
    v = meta.get("voice_metrics")
    if isinstance(v, dict) and "evidence" in v:
        v["evidence"] = unpack_voice_evidence(v["evidence"])


def pack(data: Dict[str, Any]) -> Dict[str, Any]:
    """The session as stored. Does not change `data`."""
    messages = data.get("messages")
    if not isinstance(messages, list):
        return data
    packed = []
    for m in messages:
        meta = m.get("metadata") if isinstance(m, dict) else None
        if isinstance(meta, dict) and meta:
            m = {**m, "metadata": _pack_meta(meta, m.get("content") or "")}
        packed.append(m)
    return {**data, "messages": packed}


def unpack(data: Dict[str, Any]) -> Dict[str, Any]:
    """The session as the engine reads it. Changes `data` in place (it was just read) and returns it."""
    for m in data.get("messages") or ():
        meta = m.get("metadata") if isinstance(m, dict) else None
        if isinstance(meta, dict):
            _unpack_meta(meta, m.get("content") or "")
    return data
