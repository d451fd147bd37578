"""Live answers: audio in chunks while the candidate speaks, the transcript as it goes, the evaluation when
they stop; over the service and over the WebSocket route, with real audio and the real transcriber."""
from __future__ import annotations

import io
import json
import threading
import time
import wave

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from conftest import FIXTURES, start_body
from interview_engine import AnswerInput, InterviewService, StartInput
from interview_engine.errors import Conflict, NotFound, Unavailable
from interview_engine.security import hash_key, new_key
from interview_engine.speech.media import SAMPLE_RATE, decode
from interview_engine.speech.segments import Segmenter, units_of

V2 = "/interview/v2"
SPEECH = FIXTURES / "speech"


def pcm16(name: str, seconds: float = None) -> bytes:
    """A committed clip as 16 kHz mono s16le PCM (what a browser's audio worklet would send)."""
    x = decode((SPEECH / name).read_bytes(), "audio file", 600).samples
    if seconds is not None:
        x = x[: int(seconds * SAMPLE_RATE)]
    return (np.clip(x, -1, 1) * 32767).astype(np.int16).tobytes()


def as_wav(pcm: bytes) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(pcm)
    return buf.getvalue()


def chunks(pcm: bytes, seconds: float = 0.5):
    step = int(seconds * SAMPLE_RATE) * 2
    return [pcm[i:i + step] for i in range(0, len(pcm), step)]


def start(service: InterviewService, sid: str) -> None:
    body = start_body(sid)
    service.start(StartInput(**{k: body[k] for k in ("user_id", "session_id", "role", "company", "cv_text",
                                                     "jd_text")}))


def candidate(service, sid, number=1):
    return [m for m in service.state(sid)["messages"] if m["role"] == "candidate"][number - 1]


# Units: the same cuts whether the audio arrives whole or in pieces ---------------------------------
def test_units_do_not_depend_on_how_the_audio_arrives():
    x = decode((SPEECH / "long_answer.ogg").read_bytes(), "audio file", 600).samples[: 30 * SAMPLE_RATE]
    whole = units_of(x)
    assert len(whole) >= 2, "a 30 s answer with pauses is cut into several units"
    rng = np.random.default_rng(3)
    seg, n = Segmenter(), 0
    while n < x.size:
        n = min(x.size, n + int(rng.integers(200, 20000)))
        seg.advance(x[:n])
    seg.close(x)
    assert seg.units == whole
    assert all(b.start >= a.end for a, b in zip(whole, whole[1:]))


# The service: live and upload agree ---------------------------------------------------------------------
def test_a_live_answer_gives_what_the_upload_of_the_same_audio_gives(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    try:
        start(service, "same")
        audio = pcm16("long_answer.ogg", 30)
        uploaded = service.answer(AnswerInput(session_id="same", audio=("answer.wav", as_wav(audio))))
        first = candidate(service, "same")
        # The same question answered again, live, in half-second chunks.
        live = service.start_live("same", question_number=1, retry=True)
        shown = []
        for piece in chunks(audio):
            live.feed(piece, SAMPLE_RATE)
            shown.append(live.snapshot()["words"])
            time.sleep(0.01)
        deadline = time.monotonic() + 60
        while not live.transcription.passes and time.monotonic() < deadline:
            time.sleep(0.1)
        assert live.transcription.passes > 0, repr(live.transcription._error)  # transcribed in the background
        result = service.answer(AnswerInput(session_id="same", live=live))
        second = candidate(service, "same")
        assert second["content"] == first["content"] and len(second["content"].split()) > 40
        for key in ("clarity", "relevance", "depth"):
            assert result["evaluation"][key] == uploaded["evaluation"][key]
        assert result["voice_analysis"] == uploaded["voice_analysis"]  # the whole recording, as for the upload
        meta = second["metadata"]["transcription"]
        assert meta["live"] is True and meta["units"] >= 2 and meta["hotwords"]
        assert first["metadata"]["transcription"]["words"] == meta["words"]
        assert service.speech.live_count() == 0
    finally:
        service.close()


# The WebSocket route ---------------------------------------------------------------------------------
@pytest.fixture
def live_client(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    with TestClient(create_app(service=service)) as c:
        c.service = service
        yield c
    service.close()


def stream(ws, pcm: bytes, pace: float = 0.0):
    events = []
    for piece in chunks(pcm):
        ws.send_bytes(piece)
        if pace:
            time.sleep(pace)
    return events


def test_websocket_live_answer_streams_the_transcript_then_the_evaluation(live_client):
    c = live_client
    c.post(f"{V2}/start", json=start_body("ws_1"))
    audio = pcm16("long_answer.ogg", 14)
    with c.websocket_connect(f"{V2}/live/ws_1?question_number=1") as ws:
        ready = ws.receive_json()
        assert ready == {"type": "ready", "session_id": "ws_1", "question_number": 1, "sample_rate": 16000,
                         "format": "s16le"}
        for piece in chunks(audio):
            ws.send_bytes(piece)
            time.sleep(0.1)  # faster than spoken
        # The running transcript arrives while the answer is still open (at least every second an event).
        events = [ws.receive_json()]
        deadline = time.monotonic() + 90
        while not events[-1].get("words") and time.monotonic() < deadline:
            events.append(ws.receive_json())
        ws.send_text(json.dumps({"type": "stop"}))
        while True:
            event = ws.receive_json()
            events.append(event)
            if event["type"] in ("result", "error"):
                break
    partial = [e for e in events if e["type"] == "partial"]
    result = events[-1]
    assert result["type"] == "result", result
    assert partial and any(e["words"] > 0 for e in partial), "the running transcript came before the end"
    assert {"text", "words", "seconds", "rate_wpm", "fillers"} <= set(partial[-1])
    assert result["status"] == "active" and result["question_number"] == 2
    assert {"clarity", "relevance", "depth", "feedback", "evidence"} <= set(result["evaluation"])
    assert result["voice_analysis"]["rate_wpm"] > 60
    state = c.get(f"{V2}/state/ws_1").json()
    answer = [m for m in state["messages"] if m["role"] == "candidate"]
    assert len(answer) == 1 and "kubernetes" in answer[0]["content"].lower()
    assert answer[0]["metadata"]["transcription"]["live"] is True
    assert c.service.speech.live_count() == 0


def _error(c, url: str, pcm: bytes = b"", stop: bool = True) -> dict:
    with c.websocket_connect(url) as ws:
        first = ws.receive_json()
        if first["type"] == "error":
            return first
        for piece in chunks(pcm):
            ws.send_bytes(piece)
        if stop:
            ws.send_text(json.dumps({"type": "stop"}))
        while True:
            event = ws.receive_json()
            if event["type"] in ("error", "result"):
                return event


def _untouched(c, sid: str) -> None:
    state = c.get(f"{V2}/state/{sid}").json()
    assert state["question_count"] == 1 and not [m for m in state["messages"] if m["role"] == "candidate"]
    assert c.service.speech.live_count() == 0


@pytest.mark.parametrize("name,detail", [("silence.wav", "No speech detected in the answer"),
                                         ("noise.ogg", "No speech detected in the answer")])
def test_silence_and_noise_get_the_uploads_4xx_as_an_error_event(live_client, name, detail):
    c = live_client
    c.post(f"{V2}/start", json=start_body("quiet"))
    event = _error(c, f"{V2}/live/quiet", pcm16(name))
    assert event == {"type": "error", "status": 400, "detail": detail}
    upload = c.post(f"{V2}/answer", data={"session_id": "quiet"}, files={"audio_file": ("a.wav", as_wav(pcm16(name)))})
    assert upload.status_code == 400 and upload.json()["detail"] == detail  # the same words on both paths
    _untouched(c, "quiet")


def test_bad_live_requests_are_refused_with_the_session_untouched(live_client, make_settings, clock):
    c = live_client
    c.post(f"{V2}/start", json=start_body("bad"))
    assert _error(c, f"{V2}/live/nope") == {"type": "error", "status": 404, "detail": "Session not found"}
    stale = _error(c, f"{V2}/live/bad?question_number=3")
    assert stale["status"] == 409 and "question 1 is awaiting" in stale["detail"]
    assert _error(c, f"{V2}/live/bad?format=mp3")["status"] == 400
    assert _error(c, f"{V2}/live/bad?sample_rate=1000")["status"] == 400
    odd = _error(c, f"{V2}/live/bad", b"\x01\x02\x03")
    assert odd["status"] == 400 and "whole samples" in odd["detail"]
    with c.websocket_connect(f"{V2}/live/bad") as ws:
        ws.receive_json()
        ws.send_text("hello")
        assert ws.receive_json()["status"] == 400
    _untouched(c, "bad")


def test_an_answer_over_the_length_limit_is_413(make_settings, clock):
    service = InterviewService(make_settings(MAX_MEDIA_SECONDS=5), clock=clock)
    with TestClient(create_app(service=service)) as c:
        c.service = service
        c.post(f"{V2}/start", json=start_body("long"))
        event = _error(c, f"{V2}/live/long", pcm16("answer.wav"))
        assert event["status"] == 413 and "limit of 5 s" in event["detail"]
        _untouched(c, "long")
    service.close()


def test_a_client_that_disconnects_or_stops_sending_leaves_nothing_behind(live_client):
    c = live_client
    c.post(f"{V2}/start", json=start_body("gone"))
    with c.websocket_connect(f"{V2}/live/gone") as ws:
        ws.receive_json()
        for piece in chunks(pcm16("answer.wav", 6)):
            ws.send_bytes(piece)
        assert c.service.speech.live_count() == 1  # holding its place in the pool while it records
    deadline = time.monotonic() + 10
    while c.service.speech.live_count() and time.monotonic() < deadline:
        time.sleep(0.05)
    _untouched(c, "gone")
    # A stream that stops mid-way without closing: abandoned after LIVE_IDLE_SECONDS by the reaper.
    live = c.service.start_live("gone")
    live.feed(pcm16("answer.wav", 3), SAMPLE_RATE)
    assert c.service.speech.reap(now=time.monotonic() + 1) == 0
    assert c.service.speech.reap(now=time.monotonic() + c.service.settings.live_idle_seconds + 1) == 1
    assert live.transcription.state == "aborted" and live.transcription.seconds == 0  # the audio is dropped
    with pytest.raises(Exception, match="abandoned"):
        live.feed(pcm16("answer.wav", 1), SAMPLE_RATE)
    _untouched(c, "gone")


def test_live_places_are_bounded_and_never_take_an_uploads_place(make_settings, clock):
    """Live answers have LIVE_PLACES of their own: when they are all held, another live answer is 503, and an
    upload is still answered even with no spare upload slot (SPEECH_QUEUE=0)."""
    service = InterviewService(make_settings(SPEECH_WORKERS=1, SPEECH_QUEUE=0, LIVE_PLACES=1), clock=clock)
    try:
        for sid in ("pool_1", "pool_2"):
            start(service, sid)
        first = service.start_live("pool_1")
        with pytest.raises(Unavailable):
            service.start_live("pool_2")
        r = service.answer(AnswerInput(session_id="pool_2", audio=("a.wav", (SPEECH / "answer.wav").read_bytes())))
        assert r["evaluation"] and r["question_number"] == 2
        first.abort()
        assert service.speech.live_count() == 0
        service.start_live("pool_1").abort()  # the place is free again
    finally:
        service.close()


def test_one_owner_cannot_take_every_live_place_and_uploads_go_on(make_settings, clock):
    """LIVE_PLACES=4, LIVE_OWNER_SHARE=0.5: one holder gets two places, the third is refused with a message
    that says why; another holder still gets one, and an upload is answered meanwhile."""
    service = InterviewService(make_settings(LIVE_PLACES=4, LIVE_OWNER_SHARE=0.5), clock=clock)
    try:
        for i in range(5):
            start(service, f"share_{i}")
        mine = [service.start_live(f"share_{i}", holder="owner:acme") for i in range(2)]
        with pytest.raises(Unavailable, match="already holds 2 of the 4 live answer places"):
            service.start_live("share_2", holder="owner:acme")
        theirs = service.start_live("share_3", holder="owner:globex")
        r = service.answer(AnswerInput(session_id="share_4", audio=("a.wav", (SPEECH / "answer.wav").read_bytes())))
        assert r["evaluation"]
        for live in mine + [theirs]:
            live.abort()
    finally:
        service.close()


def test_empty_and_silent_frames_do_not_keep_a_live_answer_open(make_settings, clock):
    """A socket fed only empty (and then silent) frames, every 0.3 s, is closed with an error within
    LIVE_IDLE_SECONDS + 2 s, and its place is free."""
    service = InterviewService(make_settings(LIVE_IDLE_SECONDS=2), clock=clock)
    with TestClient(create_app(service=service)) as c:
        c.service = service
        c.post(f"{V2}/start", json=start_body("hold"))
        for frame in (b"", bytes(3200)):  # nothing; then 0.1 s of digital silence
            with c.websocket_connect(f"{V2}/live/hold") as ws:
                assert ws.receive_json()["type"] == "ready"
                opened = time.monotonic()
                events = []

                def feed():
                    try:
                        while time.monotonic() - opened < 8:
                            ws.send_bytes(frame)
                            time.sleep(0.3)
                    except Exception:
                        pass  # closed by the server

                sender = threading.Thread(target=feed, daemon=True)
                sender.start()
                while True:
                    event = ws.receive_json()
                    events.append(event)
                    if event["type"] == "error":
                        break
                closed_after = time.monotonic() - opened
                assert "abandoned" in event["detail"], events  # by the route or by the reaper, first come
                assert closed_after <= 2 + 2, closed_after
            sender.join(10)
            assert service.speech.live_count() == 0
        _untouched(c, "hold")
    service.close()


def test_no_live_answer_outlives_the_longest_answer(make_settings, clock):
    """A live answer kept open with sound but never finished is abandoned MAX_MEDIA_SECONDS plus a margin
    after it opened, by the reaper's wall clock."""
    from interview_engine.speech.pipeline import LIVE_MARGIN_SECONDS

    service = InterviewService(make_settings(MAX_MEDIA_SECONDS=5), clock=clock)
    try:
        start(service, "long")
        live = service.start_live("long")
        live.feed(pcm16("answer.wav", 1), SAMPLE_RATE)
        now = time.monotonic()
        live.transcription.last_activity = now + 60  # as if sound kept arriving
        assert service.speech.reap(now=now + 5 + LIVE_MARGIN_SECONDS - 1) == 0
        assert service.speech.reap(now=now + 5 + LIVE_MARGIN_SECONDS + 1) == 1
        assert live.transcription.state == "aborted" and service.speech.live_count() == 0
    finally:
        service.close()


def test_two_live_answers_to_one_question_one_is_accepted(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    try:
        start(service, "race")
        audio = pcm16("answer.wav")
        lives = [service.start_live("race") for _ in range(2)]
        for live in lives:
            live.feed(audio, SAMPLE_RATE)
        outcomes = []

        def finish(live):
            try:
                outcomes.append(service.answer(AnswerInput(session_id="race", live=live))["question_number"])
            except Conflict as exc:
                outcomes.append(409)

        threads = [threading.Thread(target=finish, args=(x,)) for x in lives]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sorted(outcomes) == [2, 409]
        assert len([m for m in service.state("race")["messages"] if m["role"] == "candidate"]) == 1
        assert service.speech.live_count() == 0
    finally:
        service.close()


def test_a_live_answer_is_committed_under_the_sessions_lease(make_settings, clock):
    """Finishing a live answer takes the same lease as an upload: while another request holds the session it
    gets the upload's 409 with Retry-After, its slot and audio are freed, and nothing is stored."""
    service = InterviewService(make_settings(), clock=clock)
    try:
        start(service, "leased")
        stored = service.store.get_session("leased")
        assert service.store.claim_session("leased", stored.version, "other", service.clock() + 30,
                                           holder="elsewhere|boot|123|456")
        live = service.start_live("leased")
        live.feed(pcm16("answer.wav"), SAMPLE_RATE)
        with pytest.raises(Conflict) as busy:
            service.answer(AnswerInput(session_id="leased", live=live))
        assert busy.value.detail == "Question 1 is being answered by another request; retry shortly"
        assert busy.value.headers == {"Retry-After": "1"}
        assert service.speech.live_count() == 0 and live.transcription.seconds == 0  # slot and buffer freed
        assert service.state("leased")["question_count"] == 1
        assert not [m for m in service.state("leased")["messages"] if m["role"] == "candidate"]
        service.store.release_session("leased", "other")
        live = service.start_live("leased")
        live.feed(pcm16("answer.wav"), SAMPLE_RATE)
        assert service.answer(AnswerInput(session_id="leased", live=live))["question_number"] == 2
        assert service.leases.held_count() == 0 and service.store.get_session("leased").lock_token is None
    finally:
        service.close()


def test_shutdown_drops_open_live_answers(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    start(service, "shut")
    live = service.start_live("shut")
    live.feed(pcm16("answer.wav", 3), SAMPLE_RATE)
    service.close()
    assert live.transcription.state == "aborted" and service.speech.live_count() == 0


KEYS = {"acme": new_key(), "globex": new_key()}


def test_a_live_answer_is_only_for_the_sessions_owner(make_settings, clock):
    """With API keys, the WebSocket needs one, and another owner's session is "not found", as on the REST
    routes; the service refuses a live answer opened for one owner and finished for another."""
    from starlette.websockets import WebSocketDisconnect

    keys = ",".join(f"{owner}:{hash_key(key)}" for owner, key in KEYS.items())
    service = InterviewService(make_settings(API_KEYS=keys), clock=clock)
    with TestClient(create_app(service=service)) as c:
        c.service = service
        acme, globex = {"X-API-Key": KEYS["acme"]}, {"X-API-Key": KEYS["globex"]}
        assert c.post(f"{V2}/start", json=start_body("owned"), headers=acme).status_code == 200
        for headers in ({}, {"X-API-Key": KEYS["acme"] + "x"}):
            with pytest.raises(WebSocketDisconnect) as refused:
                with c.websocket_connect(f"{V2}/live/owned", headers=headers) as ws:
                    ws.receive_json()
            assert refused.value.code == 1008
        with c.websocket_connect(f"{V2}/live/owned", headers=globex) as ws:
            assert ws.receive_json() == {"type": "error", "status": 404, "detail": "Session not found"}
        assert c.get(f"{V2}/state/owned", headers=globex).status_code == 404  # the REST routes agree
        with pytest.raises(NotFound):
            service.start_live("owned", owner="globex")
        live = service.start_live("owned", owner="acme")
        live.feed(pcm16("answer.wav", 6), SAMPLE_RATE)
        with pytest.raises(Exception, match="another session"):
            service.answer(AnswerInput(session_id="owned", live=live, owner="globex"))
        assert service.speech.live_count() == 0  # refused: its slot and audio freed
        with c.websocket_connect(f"{V2}/live/owned", headers=acme) as ws:
            assert ws.receive_json()["type"] == "ready"
            for piece in chunks(pcm16("answer.wav")):
                ws.send_bytes(piece)
            ws.send_text(json.dumps({"type": "stop"}))
            while (event := ws.receive_json())["type"] == "partial":
                pass
        assert event["type"] == "result" and event["question_number"] == 2
        state = c.get(f"{V2}/state/owned", headers=acme).json()
        assert len([m for m in state["messages"] if m["role"] == "candidate"]) == 1
    service.close()
