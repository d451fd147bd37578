"""UI benchmark in headless Chromium, at laptop size (1366x900) and phone size (390x844).

Starts the real app with the UI, drives it with Selenium (Debian's chromium + chromium-driver), speaks the
committed answer.wav into the fake microphone, and measures per size:

- page load: navigation until the Start button is on screen and usable, in a fresh browser profile and
  again at the end of the run with the browser's cache warm;
- start: click Start (the example CV and JD) until the first question has fully streamed in;
- typed answer: click Submit until the answer's card with its scores is on screen;
- spoken answer: click Submit on an 8-second recording until its card (transcript and scores) is on screen;
- next question: from that card until the next question has fully streamed in.

    python bench/ui.py [--runs 5] [--quick]
"""
from __future__ import annotations

import argparse
import shutil
import sys
import time

from _common import ROOT, app_server, pct, progress

FIX = ROOT / "tests" / "fixtures"
SIZES = {"laptop 1366x900": (1366, 900), "phone 390x844": (390, 844)}
TYPED = ("At my last company I built a Kafka consumer in Python with idempotent writes to PostgreSQL, because "
         "duplicates were not acceptable. Lost events went from about 200 a week to zero.")


def driver(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    o = Options()
    o.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 f"--use-file-for-fake-audio-capture={FIX / 'speech' / 'answer.wav'}"):
        o.add_argument(flag)
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=o)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                             "deviceScaleFactor": 1, "mobile": width < 600})
    # The page reads questions aloud; the benchmark needs no sound.
    d.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument",
                      {"source": "if (window.speechSynthesis) window.speechSynthesis.speak = function () {};"})
    return d


def until(d, css, test=lambda e: True, timeout=90):
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = d.find_elements(By.CSS_SELECTOR, css)
        if found and test(found[0]):
            return time.perf_counter()
        time.sleep(0.02)
    d.save_screenshot("/tmp/bench-ui-timeout.png")
    raise SystemExit(f"timed out waiting for {css}")


def click(d, css):
    from selenium.webdriver.common.by import By

    el = d.find_element(By.CSS_SELECTOR, css)
    d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.click()


def tab(d, label):
    from selenium.webdriver.common.by import By

    el = [b for b in d.find_elements(By.CSS_SELECTOR, "#answer_modes button[role=tab]") if b.text == label][0]
    d.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
    el.click()


def one_run(url: str, width: int, height: int) -> dict:
    from selenium.webdriver.common.by import By

    d = driver(width, height)
    ready = "#current-q[data-complete='1']"
    try:
        t0 = time.perf_counter()
        d.get(url + "/")
        loaded = until(d, "#start", lambda e: e.is_displayed() and e.is_enabled())
        click(d, "#example")
        until(d, "#cv_text textarea", lambda e: "Sam Rivera" in (e.get_attribute("value") or ""))
        t1 = time.perf_counter()
        click(d, "#start")
        started = until(d, ready)
        tab(d, "Type")
        d.find_element(By.CSS_SELECTOR, "#text_in textarea").send_keys(TYPED)
        t2 = time.perf_counter()
        click(d, "#submit")
        typed = until(d, "#turn-1 .scores")
        until(d, ready)
        tab(d, "Voice")
        click(d, "#audio_in button.record-button")
        time.sleep(8)
        click(d, "#audio_in button.stop-button")
        time.sleep(1.5)
        t3 = time.perf_counter()
        click(d, "#submit")
        spoken = until(d, "#turn-2 .scores")
        nxt = until(d, ready + ":not([data-qkey*=':2:'])")
        t4 = time.perf_counter()
        d.get(url + "/")
        reloaded = until(d, "#start", lambda e: e.is_displayed() and e.is_enabled())
        return {"load": loaded - t0, "reload": reloaded - t4, "start": started - t1, "typed": typed - t2,
                "spoken": spoken - t3, "next": nxt - spoken}
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
    labels = {"load": "page load to interactive (new browser)", "reload": "page load again (browser cache warm)",
              "start": "Start to first question streamed",
              "typed": "typed answer: Submit to its scores", "spoken": "8 s recorded answer: Submit to its scores",
              "next": "scores shown to next question streamed"}
    results = {}
    with app_server(env={"UI_ENABLED": "true"}) as app:
        for size, (w, h) in SIZES.items():
            rows = {k: [] for k in labels}
            for i in range(runs):
                progress(f"browser runs, {size}", i + 1, runs)
                for k, v in one_run(app.url, w, h).items():
                    rows[k].append(v)
            results[size] = rows
    print(f"\nUI in headless Chromium, offline engine, {runs} runs per size (p50 / p95, seconds)\n")
    print(f"{'':<44}" + "".join(f"{size:>22}" for size in SIZES))
    for k, label in labels.items():
        print(f"{label:<44}" + "".join(f"{pct(results[s][k], .5):>10.2f} / {pct(results[s][k], .95):<9.2f}"
                                         for s in SIZES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
