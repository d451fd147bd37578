"""The Gradio UI: figure builders and view models on real session data, the mount, and a real browser."""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from conftest import FIXTURES, STRONG_ANSWER, THIN_ANSWER, start_body
from interview_engine import AnswerInput, InterviewService, StartInput
from ui import figures, views

V2 = "/interview/v2"
ARTIFACTS = Path(__file__).parent / "artifacts"


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


def test_score_figure_shows_each_dimension_per_answer(finished):
    state, _, _ = finished
    fig = figures.scores_figure(state)
    assert [t.name for t in fig.data] == ["clarity", "relevance", "depth"]
    answers = [m for m in state["messages"] if m["role"] == "candidate"]
    for trace in fig.data:
        assert list(trace.x) == ["Q1", "Q2", "Q3"]
        assert list(trace.y) == [a["metadata"]["evaluation"][trace.name] for a in answers]


def test_voice_figure_covers_spoken_and_filmed_answers_only(finished):
    state, _, _ = finished
    fig = figures.voice_figure(state)
    lines = [t for t in fig.data if t.type == "scatter"]
    assert [t.name for t in lines] == ["fluency", "clarity", "confidence", "pace"]
    assert list(lines[0].x) == ["Q2", "Q3"]  # the typed answer has no voice
    wpm = [t for t in fig.data if t.type == "bar"][0]
    assert all(100 < v < 220 for v in wpm.y)


def test_timing_and_overall_figures(finished):
    state, perf, report = finished
    timing = figures.timing_figure(perf)
    assert len(timing.data[0].y) == 3 and timing.data[0].y[0] == pytest.approx(perf["response_times"]["all"][0] * 1000)
    gauge = figures.overall_figure(report)
    assert gauge.data[0].value == report["evaluation"]["overall_score"]
    assert report["evaluation"]["recommendation"] in gauge.data[0].title.text


def test_empty_figures_say_why(make_settings, clock):
    service = InterviewService(make_settings(), clock=clock)
    service.start(StartInput(**start_body("ui_2")))
    state = service.state("ui_2")
    assert figures.scores_figure(state).layout.annotations[0].text == "No answers yet"
    assert figures.voice_figure(state).layout.annotations[0].text == "No spoken answers yet"
    assert figures.overall_figure(None).layout.annotations[0].text.startswith("Finish the interview")
    assert views.progress_text(state) == "**Question 1 of 5** · stage: intro"
    service.close()


def test_view_models_carry_scores_evidence_and_delivery(finished):
    state, _, report = finished
    turns = views.candidate_turns(state)
    assert len(turns) == 3
    typed, spoken, filmed = (views.evaluation_markdown(t["answer"]) for t in turns)
    assert typed.startswith("**Your answer:**") and "Clarity" in typed and "Covered:" in typed
    assert spoken.startswith("**Transcript:**") and "kafka" in spoken.lower() and "**Voice**" in spoken
    assert "face in frame 100%" in filmed and "facing the camera" in filmed
    analysis = views.analysis_markdown(state)
    assert "chip ok'>python" in analysis and "Gaps to probe" in analysis
    md = views.report_markdown(report, state)
    badge = {"hire": "hire", "maybe": "maybe", "no_hire": "no hire"}[report["evaluation"]["recommendation"]]
    assert f"Overall score {report['evaluation']['overall_score']} / 10" in md and badge in md
    assert "## Strengths" in md and md.count("**Q") == 3
    assert views.progress_text(state) == "**Interview complete** · 3 questions"


def test_api_and_docs_still_work_with_the_ui_mounted(make_settings, clock):
    service = InterviewService(make_settings(UI_ENABLED=True), clock=clock)
    with TestClient(create_app(service=service)) as client:
        page = client.get("/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        assert client.get("/docs").status_code == 200
        assert client.get("/healthz").json()["status"] == "ok"
        r = client.post(f"{V2}/start", json=start_body("ui_api"))
        assert r.status_code == 200 and r.json()["question_number"] == 1
        assert client.post(f"{V2}/answer", data={"session_id": "ui_api", "answer_text": THIN_ANSWER}).status_code == 200
    service.close()


# A real browser --------------------------------------------------------------------------------
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture
def browser():
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (.ci/run does)")
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={FIXTURES / 'speech' / 'answer.wav'}", "--window-size=1400,1100"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def wait_for(driver, css, pattern, timeout=60.0):
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        text = found[0].text if found else ""
        if re.search(pattern, text, re.I | re.S):
            return text
        time.sleep(0.25)
    raise AssertionError(f"{css} never matched {pattern!r}; last text: {text[:300]!r}")


def wait_stable(driver, css, quiet=1.0, timeout=60.0):
    """Wait until an element's text has stopped changing (a stream has finished)."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    while time.monotonic() < deadline:
        found = driver.find_elements(By.CSS_SELECTOR, css)
        text = found[0].text if found else ""
        if text != last:
            last, since = text, time.monotonic()
        elif text and time.monotonic() - since >= quiet:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{css} kept changing")


def test_browser_interview_by_microphone(browser, server_factory, settings_env):
    from selenium.webdriver.common.by import By

    server = server_factory({**settings_env, "UI_ENABLED": "true", "MAX_QUESTIONS": "3"})
    d = browser
    d.get(server.url + "/")
    wait_for(d, "#start", "Start the interview")
    d.find_element(By.CSS_SELECTOR, "#cv_file input[type=file]").send_keys(str(FIXTURES / "documents" / "resume.pdf"))
    d.find_element(By.CSS_SELECTOR, "#jd_file input[type=file]").send_keys(
        str(FIXTURES / "documents" / "job_description.pdf"))
    wait_for(d, "#jd_file", r"job_description\s*\.pdf")
    d.save_screenshot(str(ARTIFACTS / "1-setup.png"))
    d.find_element(By.CSS_SELECTOR, "#start").click()
    wait_for(d, "#question", r"\?")
    assert "Question 1 of 3" in wait_for(d, "#progress", "Question 1")
    assert "kafka" in wait_for(d, "#analysis", "Matched skills").lower()  # resume.pdf was read
    # Speak into the microphone: Chromium plays answer.wav as the fake microphone.
    d.find_element(By.CSS_SELECTOR, "#audio_in button.record-button").click()
    time.sleep(8)
    d.find_element(By.CSS_SELECTOR, "#audio_in button.stop-button").click()
    time.sleep(1.5)
    d.save_screenshot(str(ARTIFACTS / "2-recorded.png"))
    d.find_element(By.CSS_SELECTOR, "#submit").click()
    feedback = wait_for(d, "#feedback", r"Clarity \d+/10.*Voice")
    assert "Transcript:" in feedback and "kafka" in feedback.lower() and "python" in feedback.lower()
    wait_for(d, "#progress", "Question 2 of 3")
    wait_stable(d, "#question")  # the next question has streamed in completely
    d.save_screenshot(str(ARTIFACTS / "3-scored.png"))
    # A typed answer, then end the interview and look at the dashboard.
    d.find_element(By.CSS_SELECTOR, "#text_in textarea").send_keys(STRONG_ANSWER)
    d.find_element(By.CSS_SELECTOR, "#submit").click()
    wait_for(d, "#progress", "Question 3 of 3")
    d.find_element(By.CSS_SELECTOR, "#finish").click()
    wait_for(d, "#report", r"Overall score [\d.]+ / 10")
    deadline = time.monotonic() + 30
    while len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) < 4 and time.monotonic() < deadline:
        time.sleep(0.25)
    assert len(d.find_elements(By.CSS_SELECTOR, ".js-plotly-plot")) >= 4
    assert "interview-" in wait_for(d, "#downloads", r"\.md")
    d.save_screenshot(str(ARTIFACTS / "4-dashboard.png"))
    # A reload with ?session= reopens the same interview through the restore path.
    d.find_element(By.CSS_SELECTOR, "button[role=tab]:nth-of-type(2)").click()  # the Interview tab
    sid = re.search(r"Session\s+(ui-[0-9a-f]+)", wait_for(d, "#session_link", r"Session\s+ui-")).group(1)
    d.get(f"{server.url}/?session={sid}")
    wait_for(d, "#report", r"Overall score")
    d.save_screenshot(str(ARTIFACTS / "5-restored.png"))


def test_browser_shows_the_apis_message_for_a_bad_file(browser, server_factory, settings_env, tmp_path):
    from selenium.webdriver.common.by import By

    server = server_factory({**settings_env, "UI_ENABLED": "true"})
    exe = tmp_path / "cv.txt"
    exe.write_bytes(b"MZ\x90\x00" + bytes(range(256)))  # a program with a .txt name
    browser.get(server.url + "/")
    wait_for(browser, "#start", "Start")
    browser.find_element(By.CSS_SELECTOR, "#cv_file input[type=file]").send_keys(str(exe))
    browser.find_element(By.CSS_SELECTOR, "#jd_file input[type=file]").send_keys(
        str(FIXTURES / "documents" / "job_description.pdf"))
    wait_for(browser, "#jd_file", r"job_description\s*\.pdf")
    browser.find_element(By.CSS_SELECTOR, "#start").click()
    assert "named .txt but its content is binary data" in wait_for(browser, "#status", "named")
    browser.save_screenshot(str(ARTIFACTS / "6-bad-file.png"))


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
