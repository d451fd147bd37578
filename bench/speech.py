"""Speech benchmark: model load, transcription real-time factor, spoken-answer latency, memory, concurrency.

- model load: a cold load of the configured faster-whisper model in a fresh process;
- per answer length (15, 30, 60, 120 s, made by repeating the committed espeak-ng clip with short
  gaps): decode, transcription and voice-analysis time in process, and the real-time factor
  (processing seconds per audio second);
- over HTTP against the real app: `POST /answer` with a WAV answer, start to response;
- peak memory (VmHWM) of the server process;
- two answers uploaded at once: wall time and answers per minute.

    python bench/speech.py [--runs 5] [--quick] [--json out.json]
"""
from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import threading
import time
import uuid
import wave
from pathlib import Path

import numpy as np
import requests

from _common import ROOT, V2, app_server, pct, progress

sys.path.insert(0, str(ROOT))
from interview_engine import Settings  # noqa: E402
from interview_engine.speech import SpeechPipeline  # noqa: E402
from interview_engine.speech.media import SAMPLE_RATE, decode  # noqa: E402

CLIP = ROOT / "tests" / "fixtures" / "speech" / "answer_normal.ogg"
CV = (ROOT / "tests" / "fixtures" / "cv_backend.txt").read_text()
JD = (ROOT / "tests" / "fixtures" / "jd_backend.txt").read_text()


def answer_wav(seconds: float) -> bytes:
    """`seconds` of speech: the committed clip repeated with 0.6 s gaps, as 16 kHz mono WAV."""
    base = decode(CLIP.read_bytes(), "audio file", 600).samples
    gap = np.zeros(int(0.6 * SAMPLE_RATE), np.float32)
    unit = np.concatenate([base, gap])
    n = int(seconds * SAMPLE_RATE)
    samples = np.tile(unit, n // unit.size + 1)[:n]
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((samples * 32767).clip(-32768, 32767).astype(np.int16).tobytes())
    return buf.getvalue()


def cold_load_seconds() -> float:
    code = ("import time; from interview_engine import Settings; from interview_engine.speech.transcriber import "
            "make_transcriber; t=make_transcriber(Settings()); t0=time.perf_counter(); t.model(); "
            "print(time.perf_counter()-t0)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def in_process(lengths, runs):
    pipeline = SpeechPipeline(Settings())
    pipeline.transcriber.model()  # loaded once, as in the server
    rows = {}
    for seconds in lengths:
        data = answer_wav(seconds)
        stages = {"decode": [], "transcription": [], "voice": [], "total": []}
        for i in range(runs):
            progress(f"in process, {seconds:.0f} s answer", i + 1, runs)
            t0 = time.perf_counter()
            spoken = pipeline.process(("answer.wav", data), None)
            stages["total"].append(time.perf_counter() - t0)
            for k in ("decode", "transcription", "voice"):
                stages[k].append(spoken.timings[k])
        rows[seconds] = {k: pct(v, 0.5) for k, v in stages.items()}
        rows[seconds]["rtf"] = rows[seconds]["total"] / seconds
    pipeline.close()
    return rows


def vmhwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def over_http(url, pid, lengths, runs):
    http = requests.Session()
    tag = uuid.uuid4().hex[:6]
    latency = {}
    for seconds in lengths:
        data = answer_wav(seconds)
        values = []
        for i in range(runs):
            progress(f"over HTTP, {seconds:.0f} s answer", i + 1, runs)
            sid = f"sp{tag}_{int(seconds)}_{i}"
            http.post(f"{url}{V2}/start", json={"user_id": "bench", "session_id": sid, "role": "Backend Engineer",
                                                "company": "Acme", "cv_text": CV, "jd_text": JD}).raise_for_status()
            t0 = time.perf_counter()
            r = http.post(f"{url}{V2}/answer", data={"session_id": sid}, files={"audio_file": ("answer.wav", data)})
            values.append(time.perf_counter() - t0)
            if r.status_code != 200:
                raise SystemExit(f"answer: HTTP {r.status_code} {r.text[:200]}")
        latency[seconds] = (pct(values, 0.5), pct(values, 0.95))
    # Two candidates answering at the same moment.
    data = answer_wav(30)
    sids = []
    for i in range(2):
        sid = f"cc{tag}_{i}"
        http.post(f"{url}{V2}/start", json={"user_id": "bench", "session_id": sid, "role": "Backend Engineer",
                                            "company": "Acme", "cv_text": CV, "jd_text": JD}).raise_for_status()
        sids.append(sid)
    codes, ends = [], []
    barrier = threading.Barrier(2)

    def send(sid):
        with requests.Session() as s:
            barrier.wait()
            r = s.post(f"{url}{V2}/answer", data={"session_id": sid}, files={"audio_file": ("a.wav", data)})
            codes.append(r.status_code)
            ends.append(time.perf_counter())

    t0 = time.perf_counter()
    threads = [threading.Thread(target=send, args=(sid,)) for sid in sids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    concurrent = {"wall": max(ends) - t0, "first": min(ends) - t0, "codes": codes}
    return latency, concurrent, vmhwm_mb(pid)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="2 runs, answers of at most 30 s")
    ap.add_argument("--json", help="also write the figures to this file")
    args = ap.parse_args()
    runs = 2 if args.quick else args.runs
    lengths = [15, 30] if args.quick else [15, 30, 60, 120]

    load = cold_load_seconds()
    rows = in_process(lengths, runs)
    with app_server() as app:
        latency, concurrent, peak = over_http(app.url, app.pid, lengths, runs)

    settings = Settings()
    print(f"\nSpeech, {settings.whisper_model or 'bundled tiny.en'} ({settings.whisper_compute_type}, "
          f"{settings.whisper_threads} threads, beam {settings.whisper_beam_size}), {runs} runs each\n")
    print(f"model load (cold, fresh process): {load:.2f} s\n")
    print(f"{'answer':>7} {'decode':>8} {'transcribe':>11} {'voice':>8} {'total':>8} {'RTF':>6}   "
          f"{'HTTP answer p50':>15} {'p95':>7}   contract ~2-4 s; aim < 3 s for 30 s")
    for seconds in lengths:
        r = rows[seconds]
        p50, p95 = latency[seconds]
        print(f"{seconds:>6.0f}s {r['decode']:>7.2f}s {r['transcription']:>10.2f}s {r['voice']:>7.2f}s "
              f"{r['total']:>7.2f}s {r['rtf']:>6.3f}   {p50:>14.2f}s {p95:>6.2f}s")
    print(f"\npeak server memory (VmHWM): {peak:.0f} MB   (aim < 1024 MB)")
    print(f"two 30 s answers at once (SPEECH_WORKERS={settings.speech_workers}): first done {concurrent['first']:.2f} s, "
          f"both {concurrent['wall']:.2f} s -> {2 / concurrent['wall'] * 60:.0f} answers/min; statuses {concurrent['codes']}")
    if args.json:
        Path(args.json).write_text(json.dumps({"load": load, "rows": rows, "latency": latency,
                                               "concurrent": concurrent, "peak_mb": peak}, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
