"""Filmed answers: face signals from committed clips (a real face, animated), and the answer path."""
from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from conftest import FIXTURES, start_body
from interview_engine import InterviewService
from interview_engine.vision import analyse_video
from interview_engine.vision.frames import MAX_SAMPLES, sample_frames

V2 = "/interview/v2"
VIDEO = FIXTURES / "video"


def clip(name: str) -> bytes:
    return (VIDEO / name).read_bytes()


@pytest.mark.parametrize("ext", ["mp4", "webm"])
def test_each_signal_moves_the_right_way(ext):
    one = analyse_video(clip(f"one_face.{ext}"), 600)
    half = analyse_video(clip(f"half_face.{ext}"), 600)
    none = analyse_video(clip(f"no_face.{ext}"), 600)
    two = analyse_video(clip(f"two_faces.{ext}"), 600)
    assert one["backend"].startswith("mediapipe")
    assert one["face_present_ratio"] >= 0.95
    assert 0.4 <= half["face_present_ratio"] <= 0.6
    assert none["face_present_ratio"] == 0.0
    assert [r["multiple_people"]["detected"] for r in (one, half, none, two)] == [False, False, False, True]
    # ~2 samples a second by timestamp, also from webm that has no duration or frame count
    assert 28 <= one["frames_sampled"] <= 34 and abs(one["duration_seconds"] - 15.5) < 1
    assert one["facing_camera_ratio"] >= 0.9 and one["gaze_hint"]["approximate"] is True
    assert 0 < one["head_movement"]["mean_per_second"] < 1  # a slow sway, normalised by face size
    assert one["framing"]["face_area_share"] > 0.02 and one["framing"]["face_sharpness_laplacian_var"] > 20
    assert none["delivery_score"]["value"] < half["delivery_score"]["value"] < one["delivery_score"]["value"]
    assert "No emotion labels" in one["not_reported"] and "emotion" not in one


def test_haar_fallback_reports_presence_only():
    one = analyse_video(clip("one_face.mp4"), 600, backend="haar")
    none = analyse_video(clip("no_face.mp4"), 600, backend="haar")
    two = analyse_video(clip("two_faces.mp4"), 600, backend="haar")
    assert one["backend"].startswith("OpenCV Haar") and "limited" in one
    assert one["face_present_ratio"] >= 0.9 and none["face_present_ratio"] == 0.0
    assert two["multiple_people"]["detected"] and not one["multiple_people"]["detected"]
    assert "facing_camera_ratio" not in one


def _long_webm(seconds: int, fps: int = 5) -> bytes:
    import io

    buf = io.BytesIO()
    with av.open(buf, "w", format="webm", options={"live": "1"}) as c:
        s = c.add_stream("libvpx", rate=fps)
        s.width, s.height, s.pix_fmt = 64, 48, "yuv420p"
        for i in range(seconds * fps):
            img = np.full((48, 64, 3), (i * 3) % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(img, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for p in s.encode(frame):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return buf.getvalue()


def test_long_video_is_sampled_not_analysed_frame_by_frame():
    _, frames = sample_frames(_long_webm(300), 600)  # 5 minutes, no duration header
    assert len(frames) <= MAX_SAMPLES
    times = [f.t for f in frames]
    assert times[0] == 0 and times[-1] > 290 and times == sorted(times)


@pytest.fixture
def video_client(make_settings, clock):
    def make(**settings):
        service = InterviewService(make_settings(**settings), clock=clock)
        return service, TestClient(create_app(service=service))
    return make


def test_video_answer_carries_video_and_voice_analysis(client):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": ("blob", clip("one_face.webm"))})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["video_analysis"]["available"] and body["video_analysis"]["face_present_ratio"] >= 0.95
    assert body["voice_analysis"]["rate_wpm"] > 100
    meta = client.get(f"{V2}/state/sess_1").json()["messages"][1]["metadata"]
    assert meta["source"] == "video" and meta["video_analysis"]["frames_sampled"] >= 28
    assert {"decode", "transcription", "voice", "video"} <= set(meta["timings"])
    report = client.post(f"{V2}/complete/sess_1?force=true").json()
    assert report["conversation"][0]["video_analysis"]["face_present_ratio"] >= 0.95
    delivery = report["evaluation"]["delivery"]
    assert delivery["answers_with_video"] == 1 and delivery["in_recommendation"] is False
    content = round((report["evaluation"]["clarity"] + report["evaluation"]["relevance"]
                     + report["evaluation"]["depth"]) / 3, 2)
    assert report["evaluation"]["overall_score"] == content  # delivery stays out by default


def test_video_without_picture_never_fails_the_answer(client):
    client.post(f"{V2}/start", json=start_body())
    audio_only = (FIXTURES / "speech" / "answer_browser.webm").read_bytes()  # camera off: a webm with sound only
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": ("blob", audio_only)})
    assert r.status_code == 200, r.text
    video = r.json()["video_analysis"]
    assert video["available"] is False and "no picture" in video["reason"]


def test_corrupt_video_gets_a_clear_400(client):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"},
                    files={"video_file": ("answer.mp4", clip("one_face.mp4")[:4000])})
    assert r.status_code == 400 and r.json()["detail"].startswith(("Could not read the video", "The video"))
    assert client.get(f"{V2}/state/sess_1").json()["question_count"] == 1


def test_audio_file_beside_a_video_is_transcribed_and_the_video_analysed(client):
    client.post(f"{V2}/start", json=start_body())
    r = client.post(f"{V2}/answer", data={"session_id": "sess_1"},
                    files={"audio_file": ("a.mp3", (FIXTURES / "speech" / "answer.mp3").read_bytes()),
                           "video_file": ("v.mp4", clip("two_faces.mp4"))})
    assert r.status_code == 200, r.text
    assert r.json()["video_analysis"]["multiple_people"]["detected"] is True
    assert client.get(f"{V2}/state/sess_1").json()["messages"][1]["metadata"]["source"] == "audio"


def test_emotion_is_opt_in_and_unavailable_offline(video_client, tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPFACE_HOME", str(tmp_path))  # no weights there
    service, client = video_client(VIDEO_EMOTION=True)
    with client:
        client.post(f"{V2}/start", json=start_body())
        r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": ("v.mp4", clip("one_face.mp4"))})
        assert r.status_code == 200, r.text
        emotion = r.json()["video_analysis"]["emotion"]
        assert emotion["status"] == "emotion unavailable" and emotion["experimental"] is True
        assert "prefetch-models" in emotion["reason"]
    service.close()


def test_video_delivery_enters_the_recommendation_only_when_enabled(video_client):
    service, client = video_client(DELIVERY_IN_RECOMMENDATION=True)
    with client:
        client.post(f"{V2}/start", json=start_body())
        client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": ("v.mp4", clip("half_face.mp4"))})
        ev = client.post(f"{V2}/complete/sess_1?force=true").json()["evaluation"]
        d = ev["delivery"]
        assert d["in_recommendation"] is True and d["video_delivery"] is not None
        expected = round((ev["clarity"] + ev["relevance"] + ev["depth"] + (d["voice_total"] + d["video_delivery"]) / 2) / 4, 2)
        assert ev["overall_score"] == expected
    service.close()


def test_video_analysis_can_be_switched_off(video_client):
    service, client = video_client(VIDEO_ANALYSIS=False)
    with client:
        client.post(f"{V2}/start", json=start_body())
        r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": ("v.mp4", clip("one_face.mp4"))})
        assert r.status_code == 200 and "video_analysis" not in r.json()
    service.close()


def test_prefetch_models_command_works_offline(capsys):
    from interview_engine.__main__ import main

    assert main(["prefetch-models"]) == 0
    assert "bundled tiny.en" in capsys.readouterr().out
    try:
        import deepface  # noqa: F401  (only whether it is installed matters)
    except ImportError:
        assert main(["prefetch-models", "--emotion"]) == 1
        assert "deepface is not installed" in capsys.readouterr().err


def test_emotion_labels_never_reach_a_report_or_the_ui(video_client, monkeypatch):
    """VIDEO_EMOTION on, with labels as deepface would give them (its weights are not here offline): the
    answer response keeps them (the contract), the report and every view the UI offers do not."""
    import io

    import pypdf

    from interview_engine.vision import emotion
    from ui import figures, pdf, views

    labels = {"status": "experimental", "experimental": True, "frames": 8,
              "dominant_counts": {"happy": 5, "surprise": 3}, "note": emotion.NOTE}
    monkeypatch.setattr(emotion, "expression_labels", lambda crops, timeout: labels)
    service, client = video_client(VIDEO_EMOTION=True)
    with client:
        client.post(f"{V2}/start", json=start_body())
        r = client.post(f"{V2}/answer", data={"session_id": "sess_1"}, files={"video_file": ("v.mp4", clip("one_face.mp4"))})
        assert r.status_code == 200, r.text
        assert r.json()["video_analysis"]["emotion"]["dominant_counts"] == {"happy": 5, "surprise": 3}
        report = client.post(f"{V2}/complete/sess_1?force=true").json()
        assert report["conversation"][0]["video_analysis"]["face_present_ratio"] >= 0.95  # video did reach it
        state = service.state("sess_1")
        stored = service.stored_report("sess_1")
        reader = pypdf.PdfReader(io.BytesIO(pdf.report_pdf(stored, state)))
        shown = {
            "report (API)": views.report_json(report),
            "stored report": views.report_json(stored),
            "Markdown download": views.report_markdown(stored, state),
            "PDF download": " ".join(p.extract_text() for p in reader.pages),
            "timeline": views.timeline_html(state),
            "about": views.about_markdown(state, service.performance("sess_1")),
            "figures": " ".join(f.to_json() for f in (figures.overall_figure(stored), figures.scores_figure(state),
                                                      figures.voice_figure(state))),
            "history": views.history_html(service.user_sessions("user_1")),
        }
        for where, text in shown.items():
            for word in ("emotion", "happy", "surprise", "dominant_counts", "expression"):
                assert word not in text.lower(), f"{word!r} in the {where}"
    service.close()
