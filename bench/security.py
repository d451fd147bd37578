"""Security and privacy benchmark: storage per completed session, and what keys and rate limits cost.

1. Bytes per completed 5-question session (typed answers, report built), on SQLite and on MongoDB.
   Each session has its own CV and JD, so its two cached analyses are its own too (the worst case).
   SQLite: growth of the database file after a WAL checkpoint, and the rows' own bytes.
   MongoDB: BSON bytes of the session and cache documents (MONGODB_URI, or a secantusdb server started
   here when it is installed, as in the tests).
2. The API-key check: `ApiKeys.verify` per call with 1, 10 and 100 configured keys, and GET /state over
   HTTP against a real `python app.py`, keys off vs on.
3. One rate-limit check (`limits` moving window) on each backend's shared storage.
4. Erasing a session (DELETE /sessions/{id}: rows, cached analyses, WAL checkpoint) in process.

    python bench/security.py [--sessions 20] [--quick]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests

from _common import ROOT, V2, app_server, free_port, pct, progress

sys.path.insert(0, str(ROOT))

from interview_engine import AnswerInput, InterviewService, Settings, StartInput  # noqa: E402
from interview_engine.security import ApiKeys, RateLimits, hash_key, new_key  # noqa: E402

CV = (ROOT / "tests" / "fixtures" / "cv_backend.txt").read_text()
JD = (ROOT / "tests" / "fixtures" / "jd_backend.txt").read_text()
ANSWER = ("At my last company we had a payments pipeline that lost events during deploys. I designed a Kafka "
          "consumer with idempotent writes to PostgreSQL, because duplicates were not acceptable. As a result "
          "lost events went from about 200 a week to zero and p95 latency dropped by 40%.")
TARGET_KB = 40


def complete_sessions(service: InterviewService, n: int, label: str) -> None:
    for i in range(n):
        sid = f"size_{i}_{uuid.uuid4().hex[:6]}"
        service.start(StartInput(user_id=f"u{i}", session_id=sid, role="Senior Backend Engineer", company="Acme",
                                 cv_text=f"{CV}\n- Candidate {sid}: shipped an internal tool in Python",
                                 jd_text=f"{JD}\nTeam {sid}", max_questions=5))
        for _ in range(5):
            service.answer(AnswerInput(session_id=sid, answer_text=ANSWER))
        service.complete(sid)
        progress(label, i + 1, n)


def sqlite_size(n: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="bench-size-"))
    service = InterviewService(Settings(INTERVIEW_DATA_DIR=str(folder), UI_ENABLED="false"))
    try:
        service.store.flush_deleted()
        before = service.store.path.stat().st_size
        complete_sessions(service, n, "sqlite sessions")
        service.store.flush_deleted()
        after = service.store.path.stat().st_size
        wal = Path(f"{service.store.path}-wal")
        conn = service.store._conn()
        rows = sum(r[0] or 0 for r in conn.execute(
            "SELECT SUM(LENGTH(session_id) + LENGTH(data)) FROM sessions UNION ALL "
            "SELECT SUM(LENGTH(key) + LENGTH(value)) FROM analysis_cache"))
        session_only = conn.execute("SELECT SUM(LENGTH(data)) FROM sessions").fetchone()[0]
        return {"file": (after - before) / n, "rows": rows / n, "session": session_only / n,
                "wal": wal.stat().st_size if wal.exists() else 0}
    finally:
        service.close()
        shutil.rmtree(folder, ignore_errors=True)


def mongo_size(uri: str, n: int) -> dict:
    import bson

    service = InterviewService(Settings(MONGODB_URI=uri, MONGODB_DB=f"bench_{uuid.uuid4().hex[:8]}",
                                        UI_ENABLED="false"))
    try:
        complete_sessions(service, n, "mongodb sessions")
        db = service.store.db
        total = {name: sum(len(bson.encode(d)) for d in db[name].find({})) for name in db.list_collection_names()}
        return {"bson": sum(total.values()) / n, "session": total.get("sessions", 0) / n,
                "collections": sorted(total)}
    finally:
        service.store.client.drop_database(service.store.db_name)
        service.close()


def start_mongo():
    """MONGODB_URI, or a throw-away secantusdb server (a test tool, GPL-2.0; not part of the product)."""
    if os.environ.get("MONGODB_URI"):
        return os.environ["MONGODB_URI"], None
    exe = shutil.which("secantusd-py") or str(Path(sys.executable).parent / "secantusd-py")
    if not Path(exe).exists():
        return None, None
    port = free_port()
    proc = subprocess.Popen([exe, "--host", "127.0.0.1", "--port", str(port), "--storage-path", ":memory:",
                             "--log-level", "WARNING"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    from pymongo import MongoClient

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            MongoClient(f"mongodb://127.0.0.1:{port}", serverSelectionTimeoutMS=500).admin.command("ping")
            return f"mongodb://127.0.0.1:{port}", proc
        except Exception:
            time.sleep(0.2)
    proc.kill()
    return None, None


def verify_cost(calls: int) -> dict:
    out = {}
    for n in (1, 10, 100):
        keys = [new_key() for _ in range(n)]
        api = ApiKeys.parse(",".join(f"o{i}:{hash_key(k)}" for i, k in enumerate(keys)))
        good, bad = keys[-1], new_key()
        samples = []
        for i in range(calls):
            key = good if i % 2 else bad
            t0 = time.perf_counter()
            api.verify(key)
            samples.append(time.perf_counter() - t0)
        out[n] = (pct(samples, 0.5) * 1e6, pct(samples, 0.95) * 1e6)
    return out


def http_state_cost(runs: int) -> dict:
    """Two servers, keys off and on, measured alternately so drift in a busy machine hits both alike."""
    key = new_key()
    setups = (("keys off", {}, {}), ("keys on", {"API_KEYS": f"bench:{hash_key(key)}"}, {"X-API-Key": key}))
    body = {"user_id": "u", "session_id": "s1", "role": "Backend Engineer", "company": "Acme",
            "cv_text": CV, "jd_text": JD}
    samples = {label: [] for label, _, _ in setups}
    with app_server(env=setups[0][1]) as off, app_server(env=setups[1][1]) as on:
        targets = [(label, url, headers, requests.Session()) for (label, _, headers), url in zip(setups, (off.url, on.url))]
        for _, url, headers, http in targets:
            assert http.post(f"{url}{V2}/start", json=body, headers=headers, timeout=30).status_code == 200
            for _ in range(20):  # warm-up
                http.get(f"{url}{V2}/state/s1", headers=headers, timeout=30)
        for i in range(runs):
            for label, url, headers, http in targets:
                t0 = time.perf_counter()
                r = http.get(f"{url}{V2}/state/s1", headers=headers, timeout=30)
                samples[label].append(time.perf_counter() - t0)
                assert r.status_code == 200
            progress("GET state, keys off / on", i + 1, runs)
    return {label: (pct(v, 0.5) * 1e3, pct(v, 0.95) * 1e3) for label, v in samples.items()}


def rate_limit_cost(settings: Settings, runs: int) -> tuple:
    from interview_engine.storage import make_storage

    store = make_storage(settings)
    try:
        limits = RateLimits({"start": "1000000/hour"}, store.rate_limit_storage())
        samples = []
        for i in range(runs):
            t0 = time.perf_counter()
            limits.hit("start", f"addr:10.0.0.{i % 50}")
            samples.append(time.perf_counter() - t0)
        return pct(samples, 0.5) * 1e3, pct(samples, 0.95) * 1e3
    finally:
        store.close()


def erase_cost(runs: int) -> tuple:
    folder = Path(tempfile.mkdtemp(prefix="bench-erase-"))
    service = InterviewService(Settings(INTERVIEW_DATA_DIR=str(folder), UI_ENABLED="false"))
    try:
        samples = []
        for i in range(runs):
            sid = f"e{i}"
            service.start(StartInput(user_id="u", session_id=sid, role="Backend Engineer", company="Acme",
                                     cv_text=f"{CV}\n{sid}", jd_text=JD))
            service.answer(AnswerInput(session_id=sid, answer_text=ANSWER))
            t0 = time.perf_counter()
            service.delete_session(sid)
            samples.append(time.perf_counter() - t0)
        return pct(samples, 0.5) * 1e3, pct(samples, 0.95) * 1e3
    finally:
        service.close()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--quick", action="store_true", help="fewer sessions and runs")
    args = parser.parse_args()
    n = 5 if args.quick else args.sessions
    runs = 100 if args.quick else 500

    sq = sqlite_size(n)
    uri, proc = start_mongo()
    try:
        mg = mongo_size(uri, n) if uri else None
        rl_mongo = rate_limit_cost(Settings(MONGODB_URI=uri, MONGODB_DB=f"bench_rl_{uuid.uuid4().hex[:6]}"), runs) \
            if uri else None
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)
    folder = tempfile.mkdtemp(prefix="bench-rl-")
    rl_sqlite = rate_limit_cost(Settings(INTERVIEW_DATA_DIR=folder), runs)
    shutil.rmtree(folder, ignore_errors=True)
    verify = verify_cost(20000 if not args.quick else 4000)
    http = http_state_cost(runs)
    erase = erase_cost(20 if not args.quick else 5)

    print(f"\nBytes per completed 5-question session ({n} sessions, each with its own CV and JD), aim <= {TARGET_KB} KB:")
    print("| backend | stored per session | of which the session record | measured as |")
    print("|---|---|---|---|")
    print(f"| SQLite | {sq['file'] / 1024:.1f} KB | {sq['session'] / 1024:.1f} KB | database file growth after a WAL "
          f"checkpoint (rows alone: {sq['rows'] / 1024:.1f} KB; WAL left: {sq['wal']} bytes) |")
    if mg:
        print(f"| MongoDB (secantusdb) | {mg['bson'] / 1024:.1f} KB | {mg['session'] / 1024:.1f} KB | BSON bytes of "
              f"every document ({', '.join(mg['collections'])}) |")
    else:
        print("| MongoDB | (not measured: set MONGODB_URI or install requirements-test.txt) | | |")

    print("\nAPI-key check, `ApiKeys.verify` (SHA-256, then a constant-time compare with every configured hash):")
    print("| configured keys | p50 | p95 |")
    print("|---|---|---|")
    for k, (p50, p95) in verify.items():
        print(f"| {k} | {p50:.1f} µs | {p95:.1f} µs |")
    print(f"\nGET /state over HTTP ({runs} runs, p50 / p95): keys off {http['keys off'][0]:.2f} / "
          f"{http['keys off'][1]:.2f} ms, keys on {http['keys on'][0]:.2f} / {http['keys on'][1]:.2f} ms")
    print(f"\nRate-limit check (moving window, shared storage), p50 / p95: SQLite {rl_sqlite[0]:.2f} / "
          f"{rl_sqlite[1]:.2f} ms" + (f"; MongoDB (secantusdb) {rl_mongo[0]:.2f} / {rl_mongo[1]:.2f} ms" if rl_mongo else ""))
    print(f"Erasing a session (SQLite, rows + cached analyses + WAL checkpoint), p50 / p95: "
          f"{erase[0]:.1f} / {erase[1]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
