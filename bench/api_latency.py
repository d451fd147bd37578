"""API latency benchmark: start (uncached and cached), restore, typed answer, state, first stream chunk, complete.

Starts the real app (`python app.py`) in its own process on a free port with a throw-away data
folder (SQLite by default; set MONGODB_URI to measure MongoDB), drives it over HTTP, and prints
p50/p95 per step beside the contract's figures and our aims.

    python bench/api_latency.py [--runs 50] [--quick] [--url http://127.0.0.1:8000] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
import uuid
from pathlib import Path

import requests

from _common import ROOT, V2, app_server, backend_name, pct, progress
CV = (ROOT / "tests" / "fixtures" / "cv_backend.txt").read_text()
JD = (ROOT / "tests" / "fixtures" / "jd_backend.txt").read_text()
ANSWER = ("At my last company we had a payments pipeline that lost events during deploys. I designed a Kafka "
          "consumer with idempotent writes to PostgreSQL, because duplicates were not acceptable. As a result "
          "lost events went from about 200 a week to zero and p95 latency dropped by 40%.")

# step -> (contract figure, our aim for p50 in seconds or None)
TARGETS = {
    "start (uncached)": ("4-6 s", 1.0),
    "start (cached CV/JD)": ("2-3 s", None),
    "restore": ("0.5-1 s", 0.05),
    "state": ("(restore/state 0.5-1 s)", 0.05),
    "answer (typed) + next question": ("2-4 s", 0.3),
    "first stream chunk (replay)": ("0.5-1 s", 0.15),
    "first stream chunk (generated)": ("0.5-1 s", 0.15),
    "complete": ("(not stated)", None),
}


def start_body(sid: str, cv: str = CV, **extra) -> dict:
    return {"user_id": "bench", "session_id": sid, "role": "Senior Backend Engineer", "company": "Acme",
            "cv_text": cv, "jd_text": JD, **extra}


def first_chunk_seconds(http: requests.Session, url: str, sid: str) -> float:
    t0 = time.perf_counter()
    with http.get(f"{url}{V2}/stream/{sid}", stream=True, timeout=30) as r:
        for line in r.iter_lines():
            if line.startswith(b"data: "):
                elapsed = time.perf_counter() - t0
                for _ in r.iter_lines():  # drain so the connection can be reused
                    pass
                return elapsed
    raise RuntimeError("no SSE data")


def run(url: str, runs: int) -> dict:
    http = requests.Session()
    timings = {k: [] for k in TARGETS}

    def timed(step, fn):
        t0 = time.perf_counter()
        r = fn()
        timings[step].append(time.perf_counter() - t0)
        if getattr(r, "status_code", 200) != 200:
            raise RuntimeError(f"{step}: HTTP {r.status_code} {r.text[:200]}")
        return r

    tag = uuid.uuid4().hex[:6]
    for i in range(runs):
        progress("start / restore / state / answer", i + 1, runs)
        sid = f"b{tag}_{i}"
        # A unique line makes the CV new to the analysis cache.
        timed("start (uncached)", lambda: http.post(f"{url}{V2}/start",
                                                    json=start_body(sid, cv=CV + f"\nRef {uuid.uuid4()}")))
        timed("restore", lambda: http.post(f"{url}{V2}/start", json=start_body(sid)))
        timed("state", lambda: http.get(f"{url}{V2}/state/{sid}"))
        timings["first stream chunk (replay)"].append(first_chunk_seconds(http, url, sid))
        timed("answer (typed) + next question",
              lambda: http.post(f"{url}{V2}/answer", data={"session_id": sid, "answer_text": ANSWER}))
        timed("complete", lambda: http.post(f"{url}{V2}/complete/{sid}?force=true"))
    for i in range(runs):
        progress("cached start / generated stream", i + 1, runs)
        sid = f"c{tag}_{i}"
        timed("start (cached CV/JD)", lambda: http.post(f"{url}{V2}/start", json=start_body(sid, defer_question=True)))
        timings["first stream chunk (generated)"].append(first_chunk_seconds(http, url, sid))
    return timings


def report(timings: dict, runs: int, backend: str) -> dict:
    rows = {}
    print(f"\nAPI latency over HTTP, offline engine, {backend} storage, {runs} runs per step "
          f"({os.cpu_count()} CPU cores)\n")
    print(f"{'step':<34} {'p50':>9} {'p95':>9}   {'contract':<24} {'our aim (p50)':<14} met")
    for step, values in timings.items():
        contract, aim = TARGETS[step]
        p50, p95 = pct(values, 0.5), pct(values, 0.95)
        met = "" if aim is None else ("yes" if p50 < aim else "NO")
        aim_s = "" if aim is None else f"< {aim * 1000:.0f} ms"
        print(f"{step:<34} {p50 * 1000:>7.1f}ms {p95 * 1000:>7.1f}ms   {contract:<24} {aim_s:<14} {met}")
        rows[step] = {"p50": p50, "p95": p95, "n": len(values), "mean": statistics.fmean(values)}
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--quick", action="store_true", help="5 runs per step")
    ap.add_argument("--url", help="measure an already running server instead of starting one")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    runs = 5 if args.quick else args.runs

    backend = backend_name()
    with app_server(args.url) as app:
        rows = report(run(app.url, runs), runs, backend)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
