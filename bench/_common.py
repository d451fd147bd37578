"""Helpers shared by the benchmark scripts: percentiles, a progress bar, and the real app in a process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, NamedTuple, Optional

import requests

ROOT = Path(__file__).resolve().parent.parent
V2 = "/interview/v2"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def progress(label: str, i: int, n: int) -> None:
    width = 30
    done = int(width * i / n)
    sys.stderr.write(f"\r{label:<34} [{'#' * done}{'.' * (width - done)}] {i}/{n}")
    if i == n:
        sys.stderr.write("\n")
    sys.stderr.flush()


def backend_name() -> str:
    return "mongodb" if os.environ.get("MONGODB_URI") else "sqlite"


class RunningApp(NamedTuple):
    url: str
    pid: Optional[int]  # None when measuring a server started elsewhere


@contextmanager
def app_server(url: Optional[str] = None, env: Optional[dict] = None) -> Iterator[RunningApp]:
    """A running app: `url` if given, else `python app.py` on a free port with a throw-away data
    folder (and a throw-away MongoDB database when MONGODB_URI is set)."""
    if url:
        yield RunningApp(url, None)
        return
    port = free_port()
    # RATE_LIMITS=false: a benchmark is one client sending hundreds of starts a minute on purpose.
    full_env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "INTERVIEW_DATA_DIR": tempfile.mkdtemp(prefix="bench-"),
                "LOG_LEVEL": "WARNING", "MONGODB_DB": f"bench_{uuid.uuid4().hex[:8]}", "RATE_LIMITS": "false",
                **(env or {})}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=full_env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("server did not start")
            time.sleep(0.2)
        yield RunningApp(base, proc.pid)
    finally:
        proc.terminate()
        proc.wait(10)
