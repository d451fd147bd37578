"""The Gradio UI: figure builders and view models on real session data, the mount, and a real browser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from app import build_app
from conftest import FIXTURES, STRONG_ANSWER, THIN_ANSWER, start_body
from interview_engine import AnswerInput, InterviewService, StartInput
from ui import figures, views

V2 = "/interview/v2"


@pytest.fixture
def finished(make_settings, clock):
    """A real 3-question interview: a typed answer, a spoken one, a filmed one; then the report."""
    service = InterviewService(make_settings(), clock=clock)
    service.start(StartInput(user_id="u", session_id="ui_1", role="Backend Engineer", company="Acme",
                             cv_text=(FIXTURES / "cv_backend.txt").read_text(),
                             jd_text=(FIXTURES / "jd_backend.txt").read_text(), max_questions=3))
    service.answer(AnswerInput(session_id="ui_1", answer_text=STRONG_ANSWER))
    service.answer(AnswerInput(session_id="ui_1", audio=("a.wav", (FIXTURES / "speech" / "answer.wav").read_bytes())))
    service.answer(AnswerInput(session_id="ui_1", video=("v.mp4", (FIXTURES / "video" / "one_face.mp4").read_bytes())))
    report = service.complete("ui_1")
    yield service.state("ui_1"), service.performance("ui_1"), report
    service.close()


def test_score_figure_shows_each_dimension_per_answer_with_its_value(finished):
    state, _, _ = finished
    fig = figures.scores_figure(state)
    assert [t.name for t in fig.data] == ["clarity", "relevance", "depth"]
    answers = [m for m in state["messages"] if m["role"] == "candidate"]
    for trace in fig.data:
        assert list(trace.x) == ["Q1", "Q2", "Q3"]
        assert list(trace.y) == [a["metadata"]["evaluation"][trace.name] for a in answers]
        assert [str(v) for v in trace.text] == [str(v) for v in trace.y]  # values written on the bars
    assert fig.layout.yaxis.title.text == "score (1-10)"


def test_voice_figure_reads_with_one_answer_and_names_the_rate(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    service.start(StartInput(**start_body("one")))
    service.answer(AnswerInput(session_id="one", audio=("a.wav", (FIXTURES / "speech" / "answer.wav").read_bytes())))
    fig = figures.voice_figure(service.state("one"))
    assert [t.name for t in fig.data] == ["fluency", "voice clarity", "confidence", "pace"]
    assert all(t.type == "bar" and len(t.y) == 1 and t.text[0] for t in fig.data)  # no loose dots, no wpm bars
    assert re.fullmatch(r"Q1 · \d+ wpm", fig.data[0].x[0])
    assert fig.layout.yaxis.range == (0, 10.9)
    service.close()


def test_voice_figure_covers_spoken_and_filmed_answers_only(finished):
    state, _, _ = finished
    fig = figures.voice_figure(state)
    assert [x.split(" · ")[0] for x in fig.data[0].x] == ["Q2", "Q3"]  # the typed answer has no voice
    assert all(100 < int(re.search(r"(\d+) wpm", x).group(1)) < 220 for x in fig.data[0].x)


def test_overall_figure_uses_practice_bands(finished):
    _, _, report = finished
    gauge = figures.overall_figure(report)
    assert gauge.data[0].value == report["evaluation"]["overall_score"]
    assert views.band(report["evaluation"]["recommendation"]) in gauge.data[0].title.text
    assert report["evaluation"]["recommendation"] not in gauge.data[0].title.text


def test_empty_figures_say_why(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    service.start(StartInput(**start_body("ui_2")))
    state = service.state("ui_2")
    assert figures.scores_figure(state).layout.annotations[0].text == "No answers yet"
    assert figures.voice_figure(state).layout.annotations[0].text == "No spoken answers yet"
    assert figures.overall_figure(None).layout.annotations[0].text.startswith("Finish the interview")
    assert figures.history_figure({"sessions": []}).layout.annotations[0].text.startswith("Finish a practice")
    assert views.progress_text(state) == "Question 1 of 5 · Introduction"
    service.close()


def test_timeline_puts_each_answer_with_its_question_scores_and_tips(finished):
    state, perf, report = finished
    turns = views.candidate_turns(state)
    html = views.timeline_html(state, {"2": {"url": "gradio_api/file=/tmp/a.webm", "kind": "audio"}})
    cards = html.split("<article")[1:]
    assert len(cards) == 3
    for card, turn in zip(cards, turns):
        ev = turn["answer"]["metadata"]["evaluation"]
        assert views.esc(turn["question"]["content"]) in card and f"<b>{ev['depth']}</b>/10" in card
        assert "Try next time" in card
    typed, spoken, filmed = cards
    assert "Your answer" in typed and "<audio" not in typed
    assert "Transcript" in spoken and "<audio controls" in spoken and "words a minute" in spoken
    assert "face was in frame 100%" in filmed and "recording is not kept" in filmed
    for word in ("offline", "mediapipe", "stage:", "no_hire", "None"):  # no developer words for the candidate
        assert word not in html
    about = views.about_markdown(state, perf)
    assert "offline" in about and "mediapipe" in about and state["session_id"] in about


def test_transcript_marks_fillers_and_long_pauses():
    answer = {"content": "so um I built it", "metadata": {
        "source": "audio", "transcription": {"words": [["so", 0.0, 0.2, 0.9], ["um", 0.3, 0.5, 0.9],
                                                       ["I", 2.0, 2.1, 0.9], ["built", 2.1, 2.4, 0.9],
                                                       ["it", 2.4, 2.5, 0.9]]},
        "voice_metrics": {"measures": {"fillers": [{"filler": "so", "at": 0.0}]}}}}
    html = views.transcript_html(answer)
    assert "<mark class='filler' title='filler word'>so</mark>" in html
    assert "<mark class='filler' title='filler word'>um</mark>" in html
    assert re.search(r"um</mark> <span class='pause'[^>]*>⏸ 1.5 s</span> I built", html)
    assert "<mark" not in views.transcript_html({"content": "I like Python", "metadata": {}})


def test_report_markdown_and_pdf_carry_the_same_report(finished):
    import io

    import pypdf

    from ui import pdf

    state, _, report = finished
    md = views.report_markdown(report, state)
    ev = report["evaluation"]
    assert f"Overall {ev['overall_score']} / 10 · {views.band(ev['recommendation'])}" in md
    assert "## Strengths" in md and md.count("**Q") == 3 and "Try next time" in md
    reader = pypdf.PdfReader(io.BytesIO(pdf.report_pdf(report, state)))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) >= 1
    assert f"Overall {ev['overall_score']} / 10" in text and views.band(ev["recommendation"]) in text
    assert "Scores per answer" in text and "Voice delivery per answer" in text  # the charts
    for strength in report["strengths"]:
        assert strength[:30] in " ".join(text.split())
    assert "Acme" in text and "Try next time" in text


def test_history_view_and_progress_chart(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    for sid, answer in (("h1", THIN_ANSWER), ("h2", STRONG_ANSWER)):
        service.start(StartInput(**start_body(sid)))
        service.answer(AnswerInput(session_id=sid, answer_text=answer))
        service.complete(sid, force=True)
        clock.advance(3600)
    history = service.user_sessions("user_1")
    fig = figures.history_figure(history)
    assert list(fig.data[0].y) == [s["overall_score"] for s in history["sessions"]]
    html = views.history_html(history)
    assert html.count("<tr>") == 3 and "?session=h1" in html and "?session=h2" in html
    assert figures.history_delivery_figure(history).layout.annotations[0].text.startswith("Answer by voice")
    service.close()


def test_api_and_docs_still_work_with_the_ui_mounted(make_settings, clock):
    service = InterviewService(make_settings(UI_ENABLED=True), clock=clock)
    with TestClient(build_app(service=service)) as client:
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert client.get("/docs").status_code == 200
        assert client.get("/healthz").json()["status"] == "ok"
        r = client.post(f"{V2}/start", json=start_body("ui_api"))
        assert r.status_code == 200 and r.json()["question_number"] == 1
        assert client.post(f"{V2}/answer", data={"session_id": "ui_api", "answer_text": THIN_ANSWER}).status_code == 200
    service.close()


def test_space_settings_are_honoured_when_host_and_port_are_unset(monkeypatch):
    from interview_engine import Settings

    for name in ("HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRADIO_SERVER_NAME", "0.0.0.0")
    monkeypatch.setenv("GRADIO_SERVER_PORT", "7860")
    s = Settings(_env_file=None)
    assert (s.host, s.port) == ("0.0.0.0", 7860)
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "8000")
    s = Settings(_env_file=None)
    assert (s.host, s.port) == ("127.0.0.1", 8000)  # HOST/PORT win when both are set


def _ui_callback(service, settings, name: str):
    """A callback of the real page, to call in process as Gradio would."""
    from ui.app import build_ui

    demo = build_ui(lambda: service, settings)
    return next(f.fn for f in demo.fns.values() if getattr(f.fn, "__name__", "") == name)


def test_a_filmed_answer_picture_is_analysed_only_with_consent(make_settings, clock):
    settings = make_settings()
    service = InterviewService(settings, clock=clock)
    answer = _ui_callback(service, settings, "answer")
    film = str(FIXTURES / "video" / "one_face.mp4")
    for sid, consent in (("ui_no", False), ("ui_yes", True)):
        service.start(StartInput(**start_body(sid)))
        list(answer(sid, "user_1", "camera", None, film, "", 1, 0, {}, consent))
        state = service.state(sid)
        meta = views.candidate_turns(state)[0]["answer"]["metadata"]
        assert meta["source"] == "video" and meta["evaluation"]["clarity"] >= 1  # heard and scored either way
        card = views.timeline_html(state)
        if consent:
            assert meta["video_analysis"]["available"] and "picture_analysed" not in meta
            assert "face was in frame" in card
        else:
            assert "video_analysis" not in meta and meta["picture_analysed"] is False
            assert "your picture was not analysed" in card and "face was in frame" not in card
    report = service.complete("ui_no", force=True)
    assert report["evaluation"]["delivery"]["answers_with_video"] == 0
    assert "video_analysis" not in report["conversation"][0]
    service.close()


def test_the_consent_says_what_the_picture_analysis_measures():
    info = views.picture_consent_info()
    for signal in ("face is in frame", "second person", "faces the camera", "gaze", "head movement", "smile",
                   "lighting"):
        assert signal in info
    assert "No emotion, no identity" in info and "Not part of your scores" in info
    on = views.picture_consent_info(emotion=True, in_recommendation=True)
    assert "No emotion" not in on and "experimental facial-expression labels" in on
    assert "part of the overall result" in on and "Not part" not in on
