"""Bytes one finished interview adds to the store, typed and spoken, against the contract's targets.

    python bench/storage.py              # SQLite (file growth after a checkpoint and VACUUM)
    MONGODB_URI=mongodb://... python bench/storage.py    # MongoDB (BSON size of the documents)

A typed interview is five answers of about 55 words; a spoken one five answers of a minute
(tests/fixtures/speech/long_answer.ogg). The same measure as tests/test_security.py's size tests.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["RATE_LIMITS"] = "false"
os.environ["UI_ENABLED"] = "false"

from fastapi.testclient import TestClient  # noqa: E402

from _common import backend_name, progress  # noqa: E402
from api.main import create_app  # noqa: E402
from conftest import FIXTURES, STRONG_ANSWER, start_body, stored_bytes  # noqa: E402
from interview_engine import InterviewService, Settings  # noqa: E402

TARGETS_KB = {"typed": 24, "spoken": 40}
V2 = "/interview/v2"


def interview_kb(kind: str, runs: int) -> list:
    env = {"INTERVIEW_DATA_DIR": tempfile.mkdtemp(prefix="bench-storage-"),
           "MONGODB_DB": f"bench_{uuid.uuid4().hex[:8]}"}
    service = InterviewService(Settings(**env))
    audio = (FIXTURES / "speech" / "long_answer.ogg").read_bytes()
    sizes = []
    with TestClient(create_app(service=service)) as client:
        client.post(f"{V2}/start", json=start_body("warm_up"))
        for i in range(runs):
            before = stored_bytes(service)
            sid = f"{kind}_{i}"
            client.post(f"{V2}/start", json=start_body(sid))
            for q in range(5):
                if kind == "typed":
                    r = client.post(f"{V2}/answer", data={"session_id": sid, "answer_text": STRONG_ANSWER})
                else:
                    r = client.post(f"{V2}/answer", data={"session_id": sid},
                                    files={"audio_file": ("answer.ogg", audio, "audio/ogg")})
                assert r.status_code == 200, r.text
                progress(f"{kind} interview {i + 1}/{runs}", q + 1, 5)
            client.post(f"{V2}/complete/{sid}")
            sizes.append((stored_bytes(service) - before) / 1024)
    service.close()
    return sizes


def main() -> None:
    runs = int(os.environ.get("BENCH_RUNS", "3"))
    t0 = time.monotonic()
    results = {kind: interview_kb(kind, runs if kind == "typed" else 1) for kind in TARGETS_KB}
    lines = [f"## Bytes per finished interview: {backend_name()} "
             f"({'file growth after a checkpoint and VACUUM' if backend_name() == 'sqlite' else 'BSON size'})", "",
             "| interview | KB (each run) | target | |", "|---|---|---|---|"]
    for kind, sizes in results.items():
        ok = max(sizes) <= TARGETS_KB[kind]
        lines.append(f"| {kind}, 5 answers | {', '.join(f'{s:.1f}' for s in sizes)} | <= {TARGETS_KB[kind]} KB | "
                     f"{'met' if ok else 'MISSED'} |")
    lines += ["", f"`python bench/storage.py`, {time.strftime('%Y-%m-%d')}, {time.monotonic() - t0:.0f} s"]
    print("\n".join(lines))
    # The documentation quotes this file, never figures typed by hand.
    out = ROOT / "bench" / "results" / f"storage-{backend_name()}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"\nwritten to {out.relative_to(ROOT)}", file=sys.stderr)
    print(json.dumps({"backend": backend_name(), **{k: v for k, v in results.items()}}), file=sys.stderr)


if __name__ == "__main__":
    main()
