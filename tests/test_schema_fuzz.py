"""The OpenAPI schema tells the truth: schemathesis fuzzes a real `python app.py` from /openapi.json, with
every check (no 5xx, status codes, response schemas, content types, valid data accepted, invalid data
rejected, 405s with their Allow header, ...), its coverage, fuzzing and stateful phases, on both backends.

Bounded by SCHEMA_FUZZ_SECONDS per backend (default 60), with a new seed each run (SCHEMA_FUZZ_SEED replays
one). Its strings are UTF-8 text; tests/test_text_fuzz.py sends what JSON allows beyond that (lone
surrogates), control characters and bidirectional marks. Expectations widened for what a schema cannot
express are in tests/schemathesis.toml, each with its reason."""
from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_schemathesis_finds_no_server_error_and_no_schema_mismatch(server_factory, settings_env, tmp_path):
    # Rate limits off: the fuzzer's thousands of requests would otherwise be mostly 429s (those are tested
    # in test_security.py).
    server = server_factory({**settings_env, "RATE_LIMITS": "false"})
    seconds = os.environ.get("SCHEMA_FUZZ_SECONDS", "60")
    # A new seed each run, so CI explores new inputs every time; printed (and in the failure message) so a
    # failure can be replayed with SCHEMA_FUZZ_SEED=<seed>.
    seed = os.environ.get("SCHEMA_FUZZ_SEED") or str(random.randrange(2 ** 31))
    print(f"schemathesis seed {seed} (replay: SCHEMA_FUZZ_SEED={seed})")
    exe = str(Path(sys.executable).parent / "schemathesis")
    proc = subprocess.run(
        [exe, "--config-file", str(HERE / "schemathesis.toml"), "--no-color", "run", f"{server.url}/openapi.json",
         "--checks", "all", "--max-time", seconds, "--workers", "1", "--seed", seed,
         "--request-timeout", "30", "--max-failures", "20"],
        cwd=tmp_path, capture_output=True, text=True, timeout=int(seconds) + 240)
    summary = f"SCHEMA_FUZZ_SEED={seed}\n" + proc.stdout[-6000:]
    assert proc.returncode == 0, summary
    assert "passed" in summary and " failed" not in summary.split("SUMMARY")[-1], summary
    server.stop()
    stderr = server.proc.stderr.read().decode(errors="replace")
    assert "Traceback" not in stderr, stderr[-4000:]  # nothing the server had to log as an unhandled error
