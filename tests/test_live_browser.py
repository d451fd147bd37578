"""A live spoken answer in a real browser: Chromium's fake microphone plays a 60 s answer into the Live tab
of `python app.py`, and the running transcript, with pace, must show while the candidate is still speaking;
the scores arrive once recording stops. Laptop size only (the phone flow is in test_ui_browser.py).

In CI (CI=1) a missing browser fails; it never skips.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
import wave
from pathlib import Path

import pytest

from conftest import FIXTURES, ui_server
from interview_engine.speech.media import decode

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts"
SPEECH = FIXTURES / "speech"
ANSWER_SECONDS = json.loads((SPEECH / "manifest.json").read_text())["long_answer.ogg"]["seconds"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    yield from ui_server(tmp_path_factory, "live-ui", 3)


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (.ci/run does)")
        pytest.skip("chromium and chromedriver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    # Chromium's fake microphone plays a WAV file: the committed clip, decoded once here.
    samples = decode((SPEECH / "long_answer.ogg").read_bytes(), "audio file", 600).samples
    wav = tmp_path / "long_answer.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((samples.clip(-1, 1) * 32767).astype("int16").tobytes())
    options = Options()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 "--autoplay-policy=no-user-gesture-required", f"--use-file-for-fake-audio-capture={wav}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_window_size(1366, 900)
    yield driver
    driver.quit()


def _text(driver, css: str) -> str:
    return driver.execute_script(f"const e = document.querySelector({css!r}); return e ? e.innerText : '';") or ""


def _wait(driver, css: str, pattern: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = _text(driver, css)
        if re.search(pattern, text, re.I | re.S):
            return text
        time.sleep(0.2)
    raise AssertionError(f"{css} never matched {pattern!r}; last text: {text[:300]!r}")


def _click(driver, css: str) -> None:
    from selenium.webdriver.common.by import By

    el = driver.find_element(By.CSS_SELECTOR, css)
    driver.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.click()


def test_the_running_transcript_shows_while_the_candidate_speaks(server, browser):
    d = browser
    d.get(server.url + "/")
    _wait(d, "#start", "Start the interview", 60)
    _click(d, "#example")
    _wait(d, "#jd_text", "", 5)
    time.sleep(0.5)
    _click(d, "#start")
    _wait(d, "#current-q[data-complete='1']", r"\?", 60)
    assert "Press record" in _text(d, "#live_transcript")  # the Live tab is where a candidate starts

    _click(d, "#live_in button.record-button")
    started = time.monotonic()
    seen = []  # (seconds since record, words shown, the view's text)
    shot = False
    while time.monotonic() - started < ANSWER_SECONDS:
        view = _text(d, "#live_transcript")
        words = int(d.execute_script(
            "const e = document.querySelector('#live-view'); return e ? +(e.dataset.words || 0) : 0;") or 0)
        seen.append((time.monotonic() - started, words, view))
        if not shot and words >= 40:  # the running transcript, mid-answer
            ARTIFACTS.mkdir(exist_ok=True)
            d.execute_script("document.querySelector('#live_transcript').scrollIntoView({block: 'center'})")
            d.save_screenshot(str(ARTIFACTS / "laptop-live-running.png"))
            if os.environ.get("UPDATE_SCREENSHOTS"):
                d.save_screenshot(str(ROOT / "docs" / "screenshots" / "laptop-9-live.png"))
            shot = True
        time.sleep(0.5)
    first = next((t for t, w, _ in seen if w >= 5), None)
    assert first is not None, f"no running transcript while speaking; last view: {seen[-1][2]!r}"
    assert first < ANSWER_SECONDS - 10, f"the transcript first showed {first:.1f} s into a {ANSWER_SECONDS} s answer"
    middle = [w for t, w, _ in seen if ANSWER_SECONDS * 0.4 <= t <= ANSWER_SECONDS * 0.5]
    late = [w for t, w, _ in seen if t >= ANSWER_SECONDS - 5]
    assert middle and late and max(late) > max(middle), "the transcript keeps growing while the answer goes on"
    during = seen[-1][2]
    assert "words a minute" in during, during  # the pace shows while speaking
    assert re.search(r"kubernetes|kafka|postgres|elasticsearch|mongodb", during, re.I), during

    _click(d, "#live_in button.stop-button")
    stopped = time.monotonic()
    card = _wait(d, "#turn-1", r"Clarity \d+/10", 60)
    print(f"\nlive answer: transcript first shown {first:.1f} s in; scores on screen {time.monotonic() - stopped:.2f} s "
          "after stop (including the page's redraw)")
    assert "Transcript" in card and re.search(r"kubernetes|kafka", card, re.I)
    assert "words a minute" in card  # the voice analysis of the whole recording, as for an upload
    assert d.execute_script("return !!document.querySelector('#turn-1 audio.playback')"), "the recording plays back"
    _wait(d, "#current-q[data-complete='1']", r"\?", 60)  # the next question follows
    assert "Question 2 of 3" in _text(d, "#progress")
