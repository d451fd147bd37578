"""Shared fixtures: both storage backends (real SQLite, a real MongoDB-protocol server), a fake clock,
in-process clients and real server processes."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT))

from api.main import create_app  # noqa: E402
from interview_engine import InterviewService, Settings  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0, proc: subprocess.Popen = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} did not open")


class FakeClock:
    """Injectable clock so expiry can be tested without waiting a day."""

    def __init__(self, start: float = None):
        self.now = start if start is not None else time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    """A MongoDB wire-protocol server (secantusdb) in its own process, on a free port."""
    exe = shutil.which("secantusd-py") or str(Path(sys.executable).parent / "secantusd-py")
    if not Path(exe).exists():
        pytest.fail("secantusd-py not found: install requirements-test.txt")
    port = free_port()
    log = open(tmp_path_factory.mktemp("mongo") / "secantus.log", "w")
    proc = subprocess.Popen([exe, "--host", "127.0.0.1", "--port", str(port), "--storage-path", ":memory:",
                             "--log-level", "WARNING"], stdout=log, stderr=subprocess.STDOUT)
    wait_port(port, proc=proc)
    yield f"mongodb://127.0.0.1:{port}"
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(params=["sqlite", "mongodb"])
def backend(request):
    return request.param


@pytest.fixture
def settings_env(backend, tmp_path, request):
    """Environment variables selecting a fresh database on the chosen backend."""
    # The UI has its own tests; API tests build many apps and do not need it.
    env = {"INTERVIEW_DATA_DIR": str(tmp_path / "data"), "UI_ENABLED": "false"}
    if backend == "mongodb":
        env["MONGODB_URI"] = request.getfixturevalue("mongo_uri")
        env["MONGODB_DB"] = "t_" + uuid.uuid4().hex[:12]
    return env


@pytest.fixture
def make_settings(settings_env):
    def make(**overrides) -> Settings:
        values = {**settings_env, **overrides}
        return Settings(**values)
    return make


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def service(make_settings, clock):
    svc = InterviewService(make_settings(), clock=clock)
    yield svc
    svc.close()


@pytest.fixture
def client(service):
    with TestClient(create_app(service=service)) as c:
        yield c


@pytest.fixture
def cv_text():
    return (FIXTURES / "cv_backend.txt").read_text()


@pytest.fixture
def jd_text():
    return (FIXTURES / "jd_backend.txt").read_text()


def start_body(session_id="sess_1", cv=None, jd=None, **extra):
    body = {"user_id": "user_1", "session_id": session_id, "role": "Senior Backend Engineer",
            "company": "Acme", "cv_text": cv if cv is not None else (FIXTURES / "cv_backend.txt").read_text(),
            "jd_text": jd if jd is not None else (FIXTURES / "jd_backend.txt").read_text()}
    body.update(extra)
    return body


STRONG_ANSWER = ("At my last company we had a payments pipeline that lost events during deploys. I designed a "
                 "Kafka consumer with idempotent writes to PostgreSQL, because duplicates were not acceptable, "
                 "and I added lag monitoring in Grafana. As a result lost events went from about 200 a week to "
                 "zero and p95 latency dropped by 40%.")
THIN_ANSWER = "I am not sure, maybe."


def stored_bytes(service) -> int:
    """What the interviews take (tests/test_security.py, bench/storage.py): the SQLite file after a checkpoint
    and VACUUM (so free pages and the WAL do not count), or the BSON size of every session and cached analysis
    on MongoDB."""
    store = service.store
    if store.backend == "sqlite":
        conn = store._conn()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return os.path.getsize(store.path)
    import bson

    return sum(len(bson.encode(d)) for name in ("sessions", "analysis_cache") for d in store.db[name].find({}))


class ServerProcess:
    """The real app in its own process (`python app.py`), for multi-worker and restart tests."""

    def __init__(self, env: dict, cwd: Path = ROOT, log_file: Path = None):
        self.port = free_port()
        # LOG_LEVEL is WARNING unless `env` sets it; with `log_file`, stdout and stderr (the log) go there.
        self.env = {**os.environ, "LOG_LEVEL": "WARNING", **env, "PORT": str(self.port), "HOST": "127.0.0.1"}
        self.cwd = cwd
        self.log_file = log_file
        self.proc = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServerProcess":
        if self.log_file is not None:
            with open(self.log_file, "ab") as log:
                self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=self.cwd, env=self.env,
                                             stdout=log, stderr=subprocess.STDOUT)
        else:
            self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=self.cwd, env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_port(self.port, proc=self.proc)
        return self

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def ui_server(tmp_path_factory, folder: str, max_questions: int):
    """The real app with its UI, for a module of browser tests (a generator: use it with `yield from`)."""
    s = ServerProcess({"INTERVIEW_DATA_DIR": str(tmp_path_factory.mktemp(folder)), "UI_ENABLED": "true",
                       "MAX_QUESTIONS": str(max_questions)}).start()
    yield s
    s.stop()


@pytest.fixture
def server_factory():
    servers = []

    def make(env: dict, log_file: Path = None) -> ServerProcess:
        s = ServerProcess(env, log_file=log_file)
        servers.append(s)
        return s.start()

    yield make
    for s in servers:
        s.stop()
