"""UI benchmark in headless Chromium: page load to interactive, and a recorded answer to its scores.

Starts the real app with the UI, drives it with Selenium (Debian's chromium + chromium-driver), speaks
the committed answer.wav into the fake microphone, and measures:

- page load: navigation until the Start button is on screen and usable;
- start: click Start (CV and JD uploaded as PDFs) until the first question has streamed in;
- answer: click Submit on an 8-second recording until the transcript and scores show.

    python bench/ui.py [--runs 5] [--quick]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time

from _common import ROOT, app_server, pct, progress

FIX = ROOT / "tests" / "fixtures"


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    o = Options()
    o.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={FIX / 'speech' / 'answer.wav'}", "--window-size=1400,1000"):
        o.add_argument(flag)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=o)


def until(d, css, test, timeout=60):
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = d.find_elements(By.CSS_SELECTOR, css)
        if found and test(found[0]):
            return time.perf_counter()
        time.sleep(0.02)
    d.save_screenshot("/tmp/bench-ui-timeout.png")
    print([ (e.tag_name, e.text[:80], e.is_displayed()) for e in d.find_elements(By.CSS_SELECTOR, css)], file=sys.stderr)
    raise SystemExit(f"timed out waiting for {css}")


def one_run(url: str) -> dict:
    from selenium.webdriver.common.by import By

    d = driver()
    try:
        t0 = time.perf_counter()
        d.get(url + "/")
        loaded = until(d, "#start", lambda e: e.is_displayed() and e.is_enabled())
        d.find_element(By.CSS_SELECTOR, "#cv_file input[type=file]").send_keys(str(FIX / "documents" / "resume.pdf"))
        d.find_element(By.CSS_SELECTOR, "#jd_file input[type=file]").send_keys(str(FIX / "documents" / "job_description.pdf"))
        until(d, "#jd_file", lambda e: "job_description" in e.text)
        t1 = time.perf_counter()
        d.find_element(By.CSS_SELECTOR, "#start").click()
        started = until(d, "#question", lambda e: "?" in e.text)
        d.find_element(By.CSS_SELECTOR, "#audio_in button.record-button").click()
        time.sleep(8)
        d.find_element(By.CSS_SELECTOR, "#audio_in button.stop-button").click()
        time.sleep(1.5)
        t2 = time.perf_counter()
        d.find_element(By.CSS_SELECTOR, "#submit").click()
        scored = until(d, "#feedback", lambda e: "Clarity" in e.text)
        return {"load": loaded - t0, "start": started - t1, "answer": scored - t2}
    finally:
        d.quit()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true", help="2 runs")
    args = ap.parse_args()
    runs = 2 if args.quick else args.runs
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        print("needs chromium and chromium-driver (apt-get install chromium chromium-driver)", file=sys.stderr)
        return 1
    rows = {"load": [], "start": [], "answer": []}
    with app_server(env={"UI_ENABLED": "true"}) as app:
        for i in range(runs):
            progress("browser runs", i + 1, runs)
            for k, v in one_run(app.url).items():
                rows[k].append(v)
    print(f"\nUI in headless Chromium, offline engine, {runs} runs (p50 / p95)\n")
    labels = {"load": "page load to interactive", "start": "Start to first question streamed",
              "answer": "recorded 8 s answer: Submit to scores shown"}
    for k, v in rows.items():
        print(f"{labels[k]:<46} {pct(v, .5):6.2f} s / {pct(v, .95):6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
