"""Bounded under abuse and crashes, on both backends: body limits that hold while reading (chunked or
declared, every upload route, with the server's memory and temp disk measured), deep JSON, idle and
trickling connections, a stream storm, kill -9 during answers, SIGTERM, and a lost commit in complete.

Real `python app.py` processes where the server's own behaviour is the point (sockets, memory, temp
files, crashes); in process where a race has to be staged exactly."""
from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import psutil
import pytest
import requests

from conftest import STRONG_ANSWER, start_body
from llm_fakes import FakeOpenAI, provider_env

V2 = "/interview/v2"
MB = 1024 * 1024


# Helpers ----------------------------------------------------------------------------------------
def folder_bytes(path: Path) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return total


class Sampler:
    """Samples a process's resident memory and a folder's size while a block runs; keeps the peaks."""

    def __init__(self, pid: int, folder: Path):
        self.proc = psutil.Process(pid)
        self.folder = folder
        self.base_rss = self._rss()
        self.peak_rss = self.base_rss
        self.peak_disk = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _rss(self) -> int:
        return sum(p.memory_info().rss for p in [self.proc, *self.proc.children(recursive=True)])

    def _run(self):
        while not self._stop.is_set():
            self.peak_rss = max(self.peak_rss, self._rss())
            self.peak_disk = max(self.peak_disk, folder_bytes(self.folder))
            time.sleep(0.01)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def read_status(sock: socket.socket, timeout: float = 10.0) -> int:
    """The status code of the response on this socket (what arrived before the server closed)."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n" not in data:
            got = sock.recv(4096)
            if not got:
                break
            data += got
    except (ConnectionResetError, socket.timeout):
        pass
    assert data.startswith(b"HTTP/1.1 "), f"no response: {data[:100]!r}"
    return int(data.split()[1])


def push_body(port: int, method: str, path: str, content_type: str, prefix: bytes, total: int,
              chunked: bool = True, chunk: int = 256 * 1024):
    """Sends a body of up to `total` bytes (chunked, or with a truthful Content-Length), stopping as soon
    as the server answers. Returns (status, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                 f"{framing}\r\n\r\n".encode())
    sent, payload, filler = 0, prefix, b"a" * chunk
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0.002)
            if readable:
                break  # the server has answered (413) before the body is complete
            data = payload or filler[: total - sent]
            payload = b""
            sock.sendall(f"{len(data):x}\r\n".encode() + data + b"\r\n" if chunked else data)
            sent += len(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    try:
        return read_status(sock), sent
    finally:
        sock.close()


def declared_only(port: int, method: str, path: str, content_type: str, length: int) -> int:
    """A request head declaring a huge Content-Length and no body: the server must answer at once."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                 f"Content-Length: {length}\r\n\r\n".encode())
    try:
        return read_status(sock, timeout=5)
    finally:
        sock.close()


def multipart_prefix(field: str, filename: str, extra: dict = None) -> tuple:
    boundary = "----abuse0123456789"
    parts = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                    for k, v in (extra or {}).items())
    parts += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
              f"Content-Type: application/octet-stream\r\n\r\n")
    return f"multipart/form-data; boundary={boundary}", parts.encode()


@pytest.fixture
def limited_server(server_factory, settings_env, tmp_path, backend):
    """`python app.py` with small limits (documents 1 MB, media 2 MB, JSON 1 MB) and its own temp folder;
    on SQLite with the UI too, for Gradio's upload route."""
    spool = tmp_path / "spool"
    spool.mkdir()
    env = {**settings_env, "TMPDIR": str(spool), "GRADIO_TEMP_DIR": str(spool / "gradio"), "MAX_DOCUMENT_MB": "1",
           "MAX_MEDIA_MB": "2", "RATE_LIMITS": "false", "UI_ENABLED": "true" if backend == "sqlite" else "false"}
    server = server_factory(env)
    for _ in range(50):  # the UI makes start-up slower: wait until the app answers
        try:
            if requests.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.2)
    return server, spool


# Body limits ----------------------------------------------------------------------------------------
def test_oversize_bodies_get_413_on_every_upload_route_with_memory_and_temp_disk_bounded(limited_server, backend):
    server, spool = limited_server
    base = server.url
    r = requests.post(f"{base}{V2}/start", json=start_body("limits"), timeout=30)
    assert r.status_code == 200
    doc = requests.post(f"{base}{V2}/documents", data={"kind": "cv", "text": "Python engineer, 5 years"}, timeout=30)
    doc_id = doc.json()["id"]
    json_type, json_prefix = "application/json", b'{"user_id": "u", "session_id": "big", "role": "r", ' \
                                                  b'"company": "c", "jd_text": "x", "cv_text": "'
    routes = [  # (method, path, (content type, body prefix), the route's limit)
        ("POST", f"{V2}/start", (json_type, json_prefix), 1 * MB),
        ("POST", f"{V2}/start-with-ids", multipart_prefix("cv_file", "cv.pdf", {"user_id": "u", "session_id": "big2",
                                                                               "role": "r", "company": "c"}), 3 * MB),
        ("POST", f"{V2}/answer", multipart_prefix("audio_file", "a.wav", {"session_id": "limits"}), 5 * MB),
        ("POST", f"{V2}/documents", multipart_prefix("file", "cv.txt", {"kind": "cv"}), 3 * MB),
        ("PUT", f"{V2}/documents/{doc_id}", multipart_prefix("file", "cv.txt"), 3 * MB),
    ]
    if backend == "sqlite":  # the UI is served there
        routes.append(("POST", "/gradio_api/upload", multipart_prefix("files", "answer.webm"), 3 * MB))
    requests.get(f"{base}{V2}/state/limits", timeout=10)
    for method, path, (ctype, prefix), limit in routes:
        for chunked in (True, False):
            with Sampler(server.proc.pid, spool) as sample:
                status, sent = push_body(server.port, method, path, ctype, prefix, total=96 * MB, chunked=chunked)
            assert status == 413, (path, chunked)
            # The server stopped reading at the limit: nothing near the 96 MB offered reached its disk or memory.
            assert sample.peak_disk <= limit + MB, (path, chunked, sample.peak_disk)
            assert sample.peak_rss - sample.base_rss < 40 * MB, (path, chunked, sample.peak_rss - sample.base_rss)
            assert sent < 96 * MB
        assert declared_only(server.port, method, path, ctype, 10**9) == 413, path
    # Nothing changed, and the server is as it was.
    assert requests.get(f"{base}{V2}/state/big", timeout=10).status_code == 404
    assert requests.get(f"{base}{V2}/state/limits", timeout=10).json()["question_count"] == 1
    assert requests.get(f"{base}{V2}/documents/{doc_id}", timeout=10).json()["text"] == "Python engineer, 5 years"
    assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
    assert folder_bytes(spool) < MB  # spooled parts were removed


def test_deep_json_is_400_and_the_connection_stays_usable(limited_server):
    server, _ = limited_server
    with requests.Session() as s:
        deep = b'{"user_id": ' + b"[" * 5000 + b"]" * 5000 + b"}"
        r = s.post(f"{server.url}{V2}/start", data=deep, headers={"Content-Type": "application/json"}, timeout=30)
        assert r.status_code == 400
        assert r.json()["detail"][0]["type"] == "json_too_deep"
        # Same keep-alive connection: the worker did not drop it.
        assert s.get(f"{server.url}/healthz", timeout=10).status_code == 200
        r = s.post(f"{server.url}{V2}/start", json=start_body("after_deep"), timeout=30)
        assert r.status_code == 200


def test_deep_json_in_process(client):
    for depth in (21, 5000):
        raw = b'{"user_id": ' + b"[" * depth + b"]" * depth + b"}"
        r = client.post(f"{V2}/start", content=raw, headers={"content-type": "application/json"})
        assert r.status_code == 400 and "nested deeper than 20" in r.json()["detail"][0]["msg"]
    # Brackets inside strings are text, not nesting.
    r = client.post(f"{V2}/start", json=start_body("brackets", cv="[[[[" * 100 + " Python engineer"))
    assert r.status_code == 200


def test_a_chunked_body_over_the_limit_is_refused_in_process(client):
    def chunks():
        for _ in range(40):
            yield b"x" * (64 * 1024)  # 2.5 MB in all, never declared
    r = client.post(f"{V2}/start", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413 and "limit 1 MB" in r.json()["detail"]


def test_idle_and_trickling_connections_are_closed(server_factory, settings_env):
    server = server_factory({**settings_env, "HEADER_TIMEOUT_SECONDS": "1", "KEEP_ALIVE_SECONDS": "1"})
    idle = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(30)]
    trickle = socket.create_connection(("127.0.0.1", server.port))
    trickle.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    deadline = time.monotonic() + 10
    closed = 0
    for sock in idle + [trickle]:
        sock.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            while True:
                if trickle is sock:
                    sock.sendall(b"X-Slow: 1\r\n")  # a header line now and then, never the end of the head
                got = sock.recv(1024)
                if not got:
                    closed += 1
                    break
        except (ConnectionResetError, BrokenPipeError):
            closed += 1
        except socket.timeout:
            pass
        sock.close()
    assert closed == 31
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200


# Streams that cannot starve the server --------------------------------------------------------------
@pytest.fixture
def slow_llm():
    """An OpenAI-compatible server that takes 1.5 s before each reply: questions generate slowly."""
    server = FakeOpenAI().start()
    server.latency = 1.5
    yield server
    server.stop()


def test_a_stream_storm_leaves_healthz_responsive(server_factory, settings_env, slow_llm):
    server = server_factory({**settings_env, **provider_env("openai", slow_llm), "RATE_LIMITS": "false",
                             "LLM_TIMEOUT_SECONDS": "60"})
    base = server.url
    sids = ["shared"] + [f"own_{i}" for i in range(100)]
    for sid in sids:
        r = requests.post(f"{base}{V2}/start", json=start_body(sid, defer_question=True), timeout=30)
        assert r.status_code == 200 and r.json()["question"] is None

    async def storm():
        limits = httpx.Limits(max_connections=400, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
            async def stream(sid):
                events = []
                async with client.stream("GET", f"{V2}/stream/{sid}") as r:
                    async for line in r.aiter_lines():
                        if line.startswith("data: "):
                            events.append(json.loads(line[6:]))
                return sid, events

            async def health():
                # Sampled while the streams wait and generate: each check must answer (no 90 s stall).
                codes = []
                for _ in range(20):
                    r = await client.get("/healthz", timeout=5)
                    codes.append(r.status_code)
                    await asyncio.sleep(0.1)
                return codes

            tasks = [asyncio.create_task(stream("shared")) for _ in range(100)]
            tasks += [asyncio.create_task(stream(sid)) for sid in sids[1:]]
            await asyncio.sleep(0.5)
            codes = await health()
            return codes, await asyncio.gather(*tasks)

    codes, results = asyncio.run(storm())
    # Under load generating the shared question can outlast SESSION_LOCK_SECONDS: its waiters still get it.
    unfinished = [events for _, events in results if not events or not events[-1].get("done")]
    assert not unfinished, f"{len(unfinished)} streams ended without their question: {unfinished[:2]}"
    assert codes == [200] * 20
    shared = ["".join(e.get("chunk", "") for e in events) for sid, events in results if sid == "shared"]
    assert len(shared) == 100 and len(set(shared)) == 1 and shared[0]  # one question, the same for all
    assert all(events[-1].get("done") for _, events in results)
    # Generated once per session: one question each, and one engine call for the shared one.
    assert requests.get(f"{base}{V2}/performance/shared", timeout=10).json()["total_questions"] == 1
    assert len(slow_llm.prompts("write_question")) == 101


# Leases that die with their holder ----------------------------------------------------------------------
def _store_for(settings_env):
    from interview_engine import Settings
    from interview_engine.storage import make_storage

    return make_storage(Settings(**settings_env))


def test_kill_9_during_answers_then_restart_answers_at_once(server_factory, settings_env, slow_llm):
    """Answers are being scored (the provider is slow) when the server is killed: after a restart the
    interrupted sessions answer 200 at once, and nothing was half-saved."""
    env = {**settings_env, "RATE_LIMITS": "false"}
    first = server_factory({**env, **provider_env("openai", slow_llm), "LLM_TIMEOUT_SECONDS": "60"})
    sids = [f"crash_{i}" for i in range(4)]
    for sid in sids:
        assert requests.post(f"{first.url}{V2}/start", json=start_body(sid), timeout=60).status_code == 200

    def send(sid):
        try:
            requests.post(f"{first.url}{V2}/answer", data={"session_id": sid, "answer_text": STRONG_ANSWER}, timeout=60)
        except requests.RequestException:
            pass  # the server is killed under it

    threads = [threading.Thread(target=send, args=(sid,)) for sid in sids]
    [t.start() for t in threads]
    store = _store_for(settings_env)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # every answer holds its session's lease: scoring is under way
            held = [store.get_session(sid) for sid in sids]
            if all(s is not None and s.lock_token for s in held):
                break
            time.sleep(0.05)
        assert all(s.lock_token for s in held), "the answers never started scoring"
        first.kill()
        [t.join() for t in threads]
        assert all(store.get_session(sid).lock_token for sid in sids)  # the dead process's leases remain

        second = server_factory(env)  # offline engine: fast
        for sid in sids:
            r = requests.post(f"{second.url}{V2}/answer", data={"session_id": sid, "answer_text": STRONG_ANSWER},
                              timeout=30)
            assert r.status_code == 200, r.text
            assert r.json()["question_number"] == 2
            state = requests.get(f"{second.url}{V2}/state/{sid}", timeout=10).json()
            assert [m["role"] for m in state["messages"]] == ["interviewer", "candidate", "interviewer"]
    finally:
        store.close()


def test_sigterm_releases_the_leases_of_answers_in_flight(server_factory, settings_env, slow_llm):
    env = {**settings_env, **provider_env("openai", slow_llm), "LLM_TIMEOUT_SECONDS": "60", "RATE_LIMITS": "false",
           "GRACEFUL_SHUTDOWN_SECONDS": "1"}
    server = server_factory(env)
    assert requests.post(f"{server.url}{V2}/start", json=start_body("term"), timeout=60).status_code == 200
    slow_llm.latency = 8.0  # the evaluation outlasts the graceful shutdown
    def send():
        try:
            requests.post(f"{server.url}{V2}/answer", data={"session_id": "term", "answer_text": STRONG_ANSWER},
                          timeout=60)
        except requests.RequestException:
            pass  # the server shuts down under it

    t = threading.Thread(target=send)
    t.start()
    store = _store_for(settings_env)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (store.get_session("term").lock_token):
            time.sleep(0.05)
        assert store.get_session("term").lock_token
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(30)
        t.join(60)
        stored = store.get_session("term")
        assert stored.lock_token is None and stored.lock_holder is None  # released, not left to lapse
        assert stored.version == 1  # and nothing half-saved
    finally:
        store.close()


def _holder_of_a_finished_process() -> str:
    from interview_engine.leases import _boot_id, _start_ticks

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        ticks = _start_ticks(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    return "|".join((socket.gethostname(), _boot_id(), str(proc.pid), ticks))


def test_a_dead_holders_lease_is_taken_over_and_a_live_ones_409_tells_the_truth(client, service):
    client.post(f"{V2}/start", json=start_body("held"))
    stored = service.store.get_session("held")
    # A live holder on another machine: the answer waits its turn, and the message says so.
    assert service.store.claim_session("held", stored.version, "other", service.clock() + 30,
                                       holder="elsewhere|boot|123|456")
    r = client.post(f"{V2}/answer", data={"session_id": "held", "answer_text": STRONG_ANSWER})
    assert r.status_code == 409
    assert r.json()["detail"] == "Question 1 is being answered by another request; retry shortly"
    assert r.headers["Retry-After"] == "1"
    assert client.get(f"{V2}/state/held").json()["question_count"] == 1  # no answer claimed that is not there
    service.store.release_session("held", "other")
    # A holder on this machine that no longer runs: taken over at once.
    assert service.store.claim_session("held", stored.version, "dead", service.clock() + 30,
                                       holder=_holder_of_a_finished_process())
    r = client.post(f"{V2}/answer", data={"session_id": "held", "answer_text": STRONG_ANSWER})
    assert r.status_code == 200 and r.json()["question_number"] == 2


def test_a_lease_holder_is_recorded_and_renewed(service, clock):
    from interview_engine.leases import Leases, holder_is_dead, process_identity

    service.start(__import__("interview_engine").StartInput(**start_body("renew")))
    leases = Leases(service.store, clock, seconds=0.3)
    stored = service.store.get_session("renew")
    with leases.hold(stored) as lease:
        got = service.store.get_session("renew")
        assert got.lock_holder.startswith(process_identity() + "|") and not holder_is_dead(got.lock_holder)
        first_until = got.lock_until
        clock.advance(5)  # the renewer runs every 0.1 s and extends from the clock's now
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and service.store.get_session("renew").lock_until == first_until:
            time.sleep(0.05)
        assert service.store.get_session("renew").lock_until > first_until
        assert lease.commit({**stored.data}, clock() + 100)
    assert service.store.get_session("renew").lock_token is None
    leases.release_all()


# complete returns only what it saved ------------------------------------------------------------------
def test_a_lost_commit_in_complete_never_returns_an_unsaved_report(client, service, clock):
    client.post(f"{V2}/start", json=start_body("lost", max_questions=3))
    client.post(f"{V2}/answer", data={"session_id": "lost", "answer_text": STRONG_ANSWER})
    original = service.engine.narrative
    calls = []

    def narrative_losing_the_race(report, record):
        calls.append(1)
        if len(calls) == 1:
            # While this request builds its report, its lease lapses and another request completes the
            # session: this request's commit must lose, and it must not hand out its own report.
            clock.advance(service.settings.session_lock_seconds + 1)
            service.complete("lost", force=True)
            strengths, areas = original(report, record)
            return ["UNSAVED " + s for s in strengths], areas
        return original(report, record)

    service.engine.narrative = narrative_losing_the_race
    try:
        r = client.post(f"{V2}/complete/lost?force=true")
    finally:
        service.engine.narrative = original
    assert r.status_code == 200
    saved = service.store.get_session("lost").data["report"]  # stored without its conversation (rebuilt when read)
    returned = {k: v for k, v in r.json().items() if k != "conversation"}
    assert returned == saved and not any(s.startswith("UNSAVED") for s in r.json()["strengths"])
    assert len(calls) == 2


def test_complete_racing_an_erasure_answers_404_not_a_report(client, service):
    client.post(f"{V2}/start", json=start_body("erased"))
    original = service.engine.narrative

    def erase_meanwhile(report, record):
        service.delete_session("erased")
        return original(report, record)

    service.engine.narrative = erase_meanwhile
    try:
        r = client.post(f"{V2}/complete/erased?force=true")
    finally:
        service.engine.narrative = original
    assert r.status_code == 404 and r.json() == {"detail": "Session not found"}
    assert client.get(f"{V2}/state/erased").status_code == 404


def test_an_abandoned_async_stream_releases_its_lease_and_leaves_no_half_question(client, service):
    client.post(f"{V2}/start", json=start_body("gone", defer_question=True))

    async def first_chunk_then_leave():
        gen = service.astream("gone")
        first = await gen.__anext__()
        held = service.store.get_session("gone").lock_token
        await gen.aclose()
        return first, held

    first, held = asyncio.run(first_chunk_then_leave())
    assert "chunk" in first and held  # it was generating, under the lease
    stored = service.store.get_session("gone")
    assert stored.lock_token is None and service.leases.held_count() == 0
    assert client.get(f"{V2}/state/gone").json()["question_count"] == 0
    events = [json.loads(line[6:]) for line in client.get(f"{V2}/stream/gone").text.splitlines()
              if line.startswith("data: ")]
    assert events[-1]["done"] is True and client.get(f"{V2}/state/gone").json()["question_count"] == 1


# Bounded queues ----------------------------------------------------------------------------------------
def test_a_video_analysis_keeps_its_slot_after_the_transcription_failed(make_settings):
    """The sound fails at once (a video with no audio track) while the picture is still being analysed: the
    answer's slot stays taken until the video job ends, so the queue cannot grow behind failed answers."""
    from interview_engine.errors import BadRequest, Unavailable
    from interview_engine.speech import SpeechPipeline

    from conftest import FIXTURES

    pipeline = SpeechPipeline(make_settings(SPEECH_WORKERS=1, SPEECH_QUEUE=0, VIDEO_FACE_BACKEND="haar"))
    gate, real = threading.Event(), pipeline._video
    pipeline._video = lambda data: (gate.wait(30), real(data))[1]
    no_audio = ("v.mp4", (FIXTURES / "speech" / "video_no_audio.mp4").read_bytes())
    speech = ("a.mp3", (FIXTURES / "speech" / "answer.mp3").read_bytes())
    try:
        with pytest.raises(BadRequest, match="no audio track"):
            pipeline.process(None, no_audio)
        assert pipeline.busy() == 1  # the video job still holds the slot
        with pytest.raises(Unavailable):
            pipeline.process(speech, None)
        gate.set()
        deadline = time.monotonic() + 30
        while pipeline.busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert pipeline.busy() == 0
        assert "kafka" in pipeline.process(speech, None).text.lower()
    finally:
        gate.set()
        pipeline.close()


def test_a_timed_out_emotion_job_stops_and_nothing_queues_behind_it(tmp_path, monkeypatch):
    """deepface is optional and not installed here: a stand-in module with a slow `analyze` shows how our
    pool treats a job that outlives its timeout."""
    import types

    import numpy as np

    from interview_engine.vision import emotion

    weights = tmp_path / ".deepface" / "weights"
    weights.mkdir(parents=True)
    (weights / emotion.WEIGHTS_FILE).write_bytes(b"stand-in")
    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path))
    calls = []

    def analyze(**kwargs):
        calls.append(1)
        time.sleep(0.4)
        return [{"dominant_emotion": "neutral"}]

    monkeypatch.setitem(sys.modules, "deepface", types.SimpleNamespace(DeepFace=types.SimpleNamespace(analyze=analyze)))
    crops = [np.zeros((8, 8, 3), dtype=np.uint8)] * 20
    first = emotion.expression_labels(crops, timeout=0.5)
    assert first["status"] == "emotion unavailable" and "longer than" in first["reason"]
    second = emotion.expression_labels(crops[:1], timeout=5)
    assert second["status"] == "emotion unavailable" and "busy" in second["reason"]  # not queued behind it
    deadline = time.monotonic() + 10
    while not emotion._running.acquire(blocking=False) and time.monotonic() < deadline:
        time.sleep(0.05)
    emotion._running.release()
    assert len(calls) <= 3  # it stopped after the crop in progress, not after all 20
    third = emotion.expression_labels(crops[:2], timeout=5)
    assert third["status"] == "experimental" and third["dominant_counts"] == {"neutral": 2}


def test_session_files_are_private_and_erased_with_the_session(client, service):
    client.post(f"{V2}/start", json=start_body("files"))
    folder = service.session_files("files")
    (folder / "practice-report-files.pdf").write_bytes(b"%PDF-1.4 report")
    assert folder.is_relative_to(service.settings.data_dir) and (folder.stat().st_mode & 0o777) == 0o700
    assert client.delete(f"{V2}/sessions/files").status_code == 200
    assert not folder.exists()
