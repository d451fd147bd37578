"""Live answers: how soon the evaluation arrives after the candidate stops, beside the upload path.

Against the real app (`python app.py`), per answer length (30 s and 60 s of the committed long technical
answer, which pauses between sentences as people do):

- live: the answer streamed over `WS /interview/v2/live/{session}` as 0.5 s chunks of 16 kHz PCM at the pace
  it is spoken, then `{"type": "stop"}`; measured from stop to the `result` event (evaluation and next
  question), with the time to the first running transcript and the gap between transcript events;
- upload: the same audio as a WAV through `POST /answer`, measured from sending it to the response: what a
  candidate waits for after stopping when the browser uploads the recording;
- the live answer cut off mid-sentence (stop without the pause a speaker leaves): the worst case of the tail;
- peak memory (VmHWM) of the server.

    python bench/live.py [--runs 5] [--quick] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np
import requests

from _common import ROOT, V2, app_server, pct, progress

sys.path.insert(0, str(ROOT))
from interview_engine.speech.media import SAMPLE_RATE, decode  # noqa: E402
from interview_engine.speech.transcriber import wav_bytes  # noqa: E402

CLIP = ROOT / "tests" / "fixtures" / "speech" / "long_answer.ogg"
CV = (ROOT / "tests" / "fixtures" / "cv_backend.txt").read_text()
JD = (ROOT / "tests" / "fixtures" / "jd_backend.txt").read_text()
CHUNK = 0.5
TARGET = 0.5  # the aim: evaluation within 0.5 s (p50) of the recording stopping


def samples_for(seconds: float, cut_mid_word: bool = False) -> np.ndarray:
    x = decode(CLIP.read_bytes(), "audio file", 600).samples
    if cut_mid_word:
        # stop inside speech: the loudest 32 ms frame in the second before `seconds`
        n = int(seconds * SAMPLE_RATE)
        frames = x[n - SAMPLE_RATE:n][: SAMPLE_RATE // 512 * 512].reshape(-1, 512)
        return x[: n - SAMPLE_RATE + (int(np.argmax((frames ** 2).mean(axis=1))) + 1) * 512]
    n = min(x.size, int(seconds * SAMPLE_RATE))
    # a speaker stops after a sentence: cut in the quietest 0.2 s of the last 3 s, then 0.8 s of room tone
    window = x[n - 3 * SAMPLE_RATE:n]
    step = SAMPLE_RATE // 5
    quiet = int(np.argmin([np.abs(window[i:i + step]).mean() for i in range(0, window.size - step, step)]))
    return np.concatenate([x[: n - 3 * SAMPLE_RATE + quiet * step], np.zeros(int(0.8 * SAMPLE_RATE), np.float32)])


def pcm(x: np.ndarray) -> bytes:
    return (np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes()


def start(base: str) -> str:
    sid = "bench_" + uuid.uuid4().hex[:10]
    r = requests.post(f"{base}{V2}/start", json={"user_id": "bench", "session_id": sid, "role": "Backend Engineer",
                                                 "company": "Acme", "cv_text": CV, "jd_text": JD}, timeout=60)
    r.raise_for_status()
    return sid


def live_once(base: str, x: np.ndarray) -> dict:
    from websockets.sync.client import connect

    sid = start(base)
    url = base.replace("http", "ws", 1) + f"{V2}/live/{sid}"
    partial_times, first = [], None
    with connect(url, max_size=None) as ws:
        ready = json.loads(ws.recv())
        assert ready["type"] == "ready", ready
        stop = threading.Event()
        result = {}

        def reader():
            nonlocal first
            while True:
                event = json.loads(ws.recv())
                now = time.monotonic()
                if event["type"] == "partial":
                    partial_times.append(now)
                    if first is None and event.get("words", 0) >= 3:
                        first = now
                else:
                    result.update(event, at=now)
                    return

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        began = time.monotonic()
        step = int(CHUNK * SAMPLE_RATE)
        for i in range(0, x.size, step):
            ws.send(pcm(x[i:i + step]))
            pace = began + (i + step) / SAMPLE_RATE - time.monotonic()
            if pace > 0:
                time.sleep(pace)
        sent = time.monotonic()
        ws.send(json.dumps({"type": "stop"}))
        t.join(120)
        stop.set()
    if result.get("type") != "result":
        raise SystemExit(f"live answer failed: {result}")
    gaps = np.diff(partial_times) if len(partial_times) > 1 else np.array([float("nan")])
    return {"after_stop": result["at"] - sent, "first_transcript": (first - began) if first else float("nan"),
            "max_gap": float(np.max(gaps)), "clarity": result["evaluation"]["clarity"]}


def upload_once(base: str, x: np.ndarray) -> float:
    sid = start(base)
    data = wav_bytes(x)
    t0 = time.monotonic()
    r = requests.post(f"{base}{V2}/answer", data={"session_id": sid}, files={"audio_file": ("answer.wav", data)},
                      timeout=120)
    r.raise_for_status()
    return time.monotonic() - t0


def vmhwm(pid) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="2 runs, the 30 s answer only")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--url", help="measure a server already running here")
    args = ap.parse_args()
    runs = 2 if args.quick else args.runs
    lengths = [30] if args.quick else [30, 60]
    out = {}
    with app_server(args.url) as app:
        requests.post(f"{app.url}{V2}/answer", timeout=5)  # warm the route
        upload_once(app.url, samples_for(10))  # load the model before timing anything
        for seconds in lengths:
            x = samples_for(seconds)
            live, up = [], []
            for i in range(runs):
                progress(f"{seconds} s answer: live and upload", i, runs)
                live.append(live_once(app.url, x))
                up.append(upload_once(app.url, x))
            progress(f"{seconds} s answer: live and upload", runs, runs)
            cut = live_once(app.url, samples_for(seconds, cut_mid_word=True))
            out[seconds] = {"live": live, "upload": up, "cut": cut}
        memory = vmhwm(app.pid) if app.pid else float("nan")

    print(f"\nLive answers against uploads (real app, {runs} runs each; live audio sent at speaking pace)\n")
    print("| answer | live: stop to evaluation p50 / p95 | upload: send to evaluation p50 / p95 | "
          "live, stopped mid-word | first running transcript | longest gap between transcript events |")
    print("|---|---|---|---|---|---|")
    for seconds, r in out.items():
        after = [x["after_stop"] for x in r["live"]]
        print(f"| {seconds} s | **{pct(after, .5):.2f} / {pct(after, .95):.2f} s** | "
              f"{pct(r['upload'], .5):.2f} / {pct(r['upload'], .95):.2f} s | {r['cut']['after_stop']:.2f} s | "
              f"{statistics.median(x['first_transcript'] for x in r['live']):.1f} s in | "
              f"{max(x['max_gap'] for x in r['live']):.1f} s |")
    p50 = pct([x["after_stop"] for r in out.values() for x in r["live"]], .5)
    print(f"\nAim: the evaluation within {TARGET} s (p50) of the recording stopping: "
          f"{'met' if p50 <= TARGET else 'not met'} ({p50:.2f} s). Peak server memory (VmHWM): {memory:.0f} MB.")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=float))


if __name__ == "__main__":
    main()
