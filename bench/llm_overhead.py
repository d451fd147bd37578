"""LLM overhead benchmark: the time we add on top of the provider's own, per call and per streamed chunk.

Runs the local fake Gemini and OpenAI servers from the tests with a fixed artificial latency, and
measures through the real client libraries:

- per call: `write_question` (plain completion) and `evaluate` (structured output) minus the latency;
- per stream: time to the first chunk minus the latency, and each later chunk's gap minus the
  server's gap between chunks;
- end to end: the first SSE chunk of `GET /interview/v2/stream/{id}` from the real app over HTTP,
  minus the latency (contract: 0.5-1 s; our aim: under 50 ms of our own).

    python bench/llm_overhead.py [--runs 30] [--quick] [--latency 0.2]
"""
from __future__ import annotations

import argparse
import sys
import time
import uuid

import requests

from _common import ROOT, V2, app_server, pct, progress

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
from interview_engine import Settings  # noqa: E402
from interview_engine.engines import make_engine  # noqa: E402
from interview_engine.models import QuestionPlan, SessionRecord  # noqa: E402
from llm_fakes import FAKES, Reply, provider_env  # noqa: E402

CHUNK_GAP = 0.02
CV = (ROOT / "tests" / "fixtures" / "cv_backend.txt").read_text()
JD = (ROOT / "tests" / "fixtures" / "jd_backend.txt").read_text()


def record() -> SessionRecord:
    return SessionRecord(session_id="bench", user_id="u", role="Backend Engineer", company="Acme", created_at=0,
                         updated_at=0, max_questions=5)


def measure_engine(name: str, latency: float, runs: int) -> dict:
    server = FAKES[name]().start()
    server.latency = latency
    engine = make_engine(Settings(**provider_env(name, server), LLM_MAX_RETRIES=0))
    plan = QuestionPlan(stage="technical", question_number=2, targets=["kafka"], reason="bench",
                        template="tech.skill_deep", slots={"skill": "kafka", "role": "Backend Engineer"})
    rec = record()
    out = {"call": [], "evaluate": [], "first": [], "gap": []}
    for i in range(runs):
        progress(f"{name}: calls and streams", i + 1, runs)
        t0 = time.perf_counter()
        engine.write_question(plan, rec)
        out["call"].append(time.perf_counter() - t0 - latency)
        t0 = time.perf_counter()
        engine.evaluate("Tell me about Kafka", "I built a Kafka consumer in Python that cut lost events to zero.",
                        record=rec, question_meta={"stage": "technical"})
        out["evaluate"].append(time.perf_counter() - t0 - latency)
        pieces = [f"w{k} " for k in range(20)]
        server.push(Reply(text="".join(pieces), chunks=pieces, chunk_delay=CHUNK_GAP))
        t0 = time.perf_counter()
        last = None
        for k, _ in enumerate(engine.stream_question(plan, rec)):
            now = time.perf_counter()
            if k == 0:
                out["first"].append(now - t0 - latency)
            else:
                out["gap"].append(now - last - CHUNK_GAP)
            last = now
    server.stop()
    return out


def measure_http(name: str, latency: float, runs: int) -> list:
    server = FAKES[name]().start()
    server.latency = latency
    firsts = []
    with app_server(env={**provider_env(name, server), "LLM_MAX_RETRIES": "0"}) as app:
        http = requests.Session()
        tag = uuid.uuid4().hex[:6]
        for i in range(runs):
            progress(f"{name}: first SSE chunk over HTTP", i + 1, runs)
            sid = f"llm{tag}_{i}"
            r = http.post(f"{app.url}{V2}/start", json={"user_id": "b", "session_id": sid, "role": "Backend Engineer",
                                                        "company": "Acme", "cv_text": CV, "jd_text": JD,
                                                        "defer_question": True})
            r.raise_for_status()
            t0 = time.perf_counter()
            with http.get(f"{app.url}{V2}/stream/{sid}", stream=True) as s:
                for line in s.iter_lines():
                    if line.startswith(b"data: "):
                        firsts.append(time.perf_counter() - t0 - latency)
                        for _ in s.iter_lines():
                            pass
                        break
    server.stop()
    return firsts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="5 runs each")
    ap.add_argument("--latency", type=float, default=0.2, help="the fake provider's latency, seconds")
    args = ap.parse_args()
    runs = 5 if args.quick else args.runs
    rows = []
    for name in ("gemini", "openai"):
        e = measure_engine(name, args.latency, runs)
        h = measure_http(name, args.latency, runs)
        rows.append((name, e, h))
    print(f"\nOur overhead beyond a fake provider with {args.latency * 1000:.0f} ms latency, {runs} runs "
          f"(p50 / p95, ms)\n")
    print(f"{'provider':<8} {'question call':>15} {'evaluate (JSON)':>17} {'first chunk':>13} {'per chunk':>11} "
          f"{'first SSE chunk (HTTP)':>24}   aim: < 50 ms")
    for name, e, h in rows:
        def f(v):
            return f"{pct(v, .5) * 1000:.1f} / {pct(v, .95) * 1000:.1f}"
        print(f"{name:<8} {f(e['call']):>15} {f(e['evaluate']):>17} {f(e['first']):>13} {f(e['gap']):>11} {f(h):>24}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
