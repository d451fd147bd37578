"""The labelled judgement set, its fixed development/test split, and the agreement measures.

The set lives in `data/judgement/part_*.jsonl` (one file per labeller, labels per `data/RUBRIC.md`). It is
split by question, by a fixed hash of the question id, so no question has answers on both sides. The
split was fixed before any answer was scored; the engine is tuned on `dev` only, and `test` is what
README reports.
"""
from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import numpy as np

DATA = Path(__file__).resolve().parent / "data" / "judgement"
TEST_SHARE = 4  # of 10 hash buckets


def split_of(question_id: str) -> str:
    bucket = int(hashlib.sha256(question_id.encode("utf-8")).hexdigest()[:8], 16) % 10
    return "test" if bucket < TEST_SHARE else "dev"


def load(split: str = "all") -> List[dict]:
    rows = []
    for part in sorted(DATA.glob("part_*.jsonl")):  # second_labels.jsonl is read by `second_labels()`
        rows += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines() if line.strip()]
    for r in rows:
        r["split"] = split_of(r["question_id"])
        # Labellers described the role in brackets ("Electrician (domestic and commercial installation)");
        # an interview's role field holds the title only.
        r["role_full"], r["role"] = r["role"], r["role"].split(" (")[0]
    return rows if split == "all" else [r for r in rows if r["split"] == split]


REQUIRED = ("question", "answer", "labels")


def load_file(path) -> List[dict]:
    """A team's own labelled answers, one JSON object per line in the same format as `data/judgement/`
    (`question`, `answer`, `labels` with clarity/relevance/depth/overall 1-5; optional `question_id`, `role`,
    `stage`, `jd`, `kind`, `id`). Every row is held out: nothing here is tuned on it."""
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        missing = [k for k in REQUIRED if k not in r] + [f"labels.{d}" for d in ("clarity", "relevance", "depth", "overall")
                                                         if d not in r.get("labels", {})]
        if missing:
            raise ValueError(f"{path}:{n}: missing {', '.join(missing)}")
        r.setdefault("question_id", hashlib.sha256(r["question"].encode("utf-8")).hexdigest()[:12])
        r.setdefault("id", f"{r['question_id']}.{n}")
        r.setdefault("kind", "unlabelled kind")
        for k in ("role", "stage", "jd"):
            r.setdefault(k, "")
        r["split"] = "yours"
        r["role_full"], r["role"] = r["role"], r["role"].split(" (")[0]
        rows.append(r)
    return rows


def score(rows: List[dict]) -> List[dict]:
    """Score each row with the offline engine as shipped (no refit), into `engine` and `flags`."""
    from interview_engine import evaluate_answer

    for r in rows:
        e = evaluate_answer(r["question"], r["answer"], role=r["role"], jd_text=r["jd"], stage=r["stage"])
        r["engine"] = {"clarity": e.clarity, "relevance": e.relevance, "depth": e.depth,
                       "overall": round((e.clarity + e.relevance + e.depth) / 3, 2)}
        r["flags"] = e.evidence.flags
    return rows


def second_labels() -> Dict[str, dict]:
    """A second labeller's labels, made blind (answers shuffled, no kinds, no first labels), by answer id."""
    path = DATA / "second_labels.jsonl"
    return {r["id"]: r["labels"] for r in (json.loads(l) for l in path.read_text(encoding="utf-8").splitlines() if l.strip())}


def ranks(x: Sequence[float]) -> np.ndarray:
    """Average ranks (ties share their mean rank), as Spearman needs."""
    x = np.asarray(x, float)
    order = x.argsort(kind="mergesort")
    r = np.empty(len(x))
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):
        r[x == v] = r[x == v].mean()
    return r


def spearman(a: Sequence[float], b: Sequence[float]) -> float:
    if len(set(a)) < 2 or len(set(b)) < 2:
        return float("nan")
    return float(np.corrcoef(ranks(a), ranks(b))[0, 1])


def pairwise(rows: List[dict], score: str = "overall", label: str = "overall") -> Tuple[int, int, List[str]]:
    """Pairs of answers to the same question with different labels, ordered the same way by the engine.
    Ties in the engine's score count as misses."""
    hits = total = 0
    misses = []
    for qid in sorted({r["question_id"] for r in rows}):
        group = [r for r in rows if r["question_id"] == qid]
        for a, b in itertools.combinations(group, 2):
            la, lb = a["labels"][label], b["labels"][label]
            if la == lb:
                continue
            total += 1
            hi, lo = (a, b) if la > lb else (b, a)
            if hi["engine"][score] > lo["engine"][score]:
                hits += 1
            else:
                misses.append(f'{qid}: {hi["kind"]} (label {hi["labels"][label]}, {hi["engine"][score]}) vs '
                              f'{lo["kind"]} (label {lo["labels"][label]}, {lo["engine"][score]})')
    return hits, total, misses


def bootstrap(rows: List[dict], stat: Callable[[List[dict]], float], n: int = 1000, seed: int = 0) -> Tuple[float, float]:
    """95% interval, resampling whole questions (answers to one question are not independent)."""
    rng = np.random.default_rng(seed)
    by_q: Dict[str, List[dict]] = {}
    for r in rows:
        by_q.setdefault(r["question_id"], []).append(r)
    qids = sorted(by_q)
    values = []
    for _ in range(n):
        sample = [r for q in rng.choice(qids, size=len(qids), replace=True) for r in by_q[q]]
        v = stat(sample)
        if v == v:  # not NaN
            values.append(v)
    return float(np.percentile(values, 2.5)), float(np.percentile(values, 97.5))


def figures(rows: List[dict]) -> Dict[str, float]:
    """The headline measures, on rows that carry `engine` scores."""
    out = {}
    for dim in ("overall", "clarity", "relevance", "depth"):
        out[f"spearman_{dim}"] = spearman([r["engine"][dim] for r in rows], [r["labels"][dim] for r in rows])
    hits, total, _ = pairwise(rows)
    out["pairwise"] = hits / total if total else float("nan")
    return out


def pairwise_share(rows: List[dict]) -> float:
    hits, total, _ = pairwise(rows)
    return hits / total if total else float("nan")


def by_kind(rows: Iterable[dict]) -> Dict[str, Tuple[float, float, int]]:
    """kind -> (mean label, mean engine overall, count)."""
    out: Dict[str, List[Tuple[float, float]]] = {}
    for r in rows:
        out.setdefault(r["kind"], []).append((r["labels"]["overall"], r["engine"]["overall"]))
    return {k: (round(float(np.mean([a for a, _ in v])), 2), round(float(np.mean([b for _, b in v])), 2), len(v))
            for k, v in sorted(out.items(), key=lambda kv: -np.mean([a for a, _ in kv[1]]))}
