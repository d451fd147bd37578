"""Real server processes: two workers racing on one session, a restart, and the contract's Python client."""
from __future__ import annotations

import re
import threading

import requests

from conftest import STRONG_ANSWER, start_body

V2 = "/interview/v2"


def test_two_workers_accept_exactly_one_of_two_racing_answers(server_factory, settings_env):
    a = server_factory(settings_env)
    b = server_factory(settings_env)
    for i in range(4):
        sid = f"race_{i}"
        r = requests.post(f"{a.url}{V2}/start", json=start_body(sid), timeout=30)
        assert r.status_code == 200
        barrier = threading.Barrier(2)
        results = []

        def send(url):
            with requests.Session() as s:
                barrier.wait()
                results.append(s.post(f"{url}{V2}/answer", data={"session_id": sid, "answer_text": STRONG_ANSWER},
                                      timeout=30))

        threads = [threading.Thread(target=send, args=(u,)) for u in (a.url, b.url)]
        [t.start() for t in threads]
        [t.join() for t in threads]
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.text for r in results]
        loser = next(r for r in results if r.status_code == 409)
        assert "answered" in loser.json()["detail"]
        state = requests.get(f"{b.url}{V2}/state/{sid}", timeout=30).json()
        assert [m["role"] for m in state["messages"]] == ["interviewer", "candidate", "interviewer"]
        assert state["messages"][1]["content"] == STRONG_ANSWER
    # Both workers report one truth from the shared store.
    ma = requests.get(f"{a.url}{V2}/metrics/global", timeout=30).json()["metrics"]
    mb = requests.get(f"{b.url}{V2}/metrics/global", timeout=30).json()["metrics"]
    assert ma["llm_calls"]["total"] == mb["llm_calls"]["total"] > 0


def test_session_survives_a_server_kill(server_factory, settings_env):
    s = server_factory(settings_env)
    requests.post(f"{s.url}{V2}/start", json=start_body("durable"), timeout=30)
    requests.post(f"{s.url}{V2}/answer", data={"session_id": "durable", "answer_text": STRONG_ANSWER}, timeout=30)
    before = requests.get(f"{s.url}{V2}/state/durable", timeout=30).json()
    s.kill()
    s2 = server_factory(settings_env)
    after = requests.get(f"{s2.url}{V2}/state/durable", timeout=30).json()
    assert after == before
    r = requests.post(f"{s2.url}{V2}/answer", data={"session_id": "durable", "answer_text": STRONG_ANSWER}, timeout=30)
    assert r.status_code == 200 and r.json()["question_number"] == 3


def test_contract_example_3_python_client(server_factory, settings_env, capsys, tmp_path, monkeypatch):
    """The contract's Example 3 as written, `answer.wav` included."""
    import shutil

    from conftest import FIXTURES

    shutil.copy(FIXTURES / "speech" / "answer.wav", tmp_path / "answer.wav")
    monkeypatch.chdir(tmp_path)
    BASE_URL = server_factory(settings_env).url
    response = requests.post(
        f"{BASE_URL}/interview/v2/start",
        json={
            "user_id": "user_123",
            "session_id": "sess_789",
            "role": "Backend Engineer",
            "company": "StartupCo",
            "cv_text": "John Doe\n5 years Python...",
            "jd_text": "Backend Engineer\nRequires Python...",
        },
    )
    print(f"First question: {response.json()['question']}")

    # 2. Submit audio answer
    with open("answer.wav", "rb") as audio:
        files = {"audio_file": audio}
        data = {"session_id": "sess_789"}
        response = requests.post(
            f"{BASE_URL}/interview/v2/answer",
            files=files,
            data=data
        )
        result = response.json()
        print(f"Evaluation: {result['evaluation']}")
        print(f"Next question: {result['question']}")

    response = requests.get(f"{BASE_URL}/interview/v2/state/sess_789")
    state = response.json()
    print(f"Progress: {state['question_count']} questions asked")
    print(f"Stage: {state['stage']}")

    response = requests.get(f"{BASE_URL}/interview/v2/performance/sess_789")
    metrics = response.json()
    print(f"Avg response time: {metrics['response_times']['avg']:.2f}s")

    out = capsys.readouterr().out
    assert "First question: " in out and "python" in out.lower()
    assert "Progress: 2 questions asked" in out
    assert "Stage: technical" in out and re.search(r"Avg response time: \d+\.\d\ds", out)
    assert "Evaluation: {'clarity': " in out
    state = requests.get(f"{BASE_URL}/interview/v2/state/sess_789", timeout=30).json()
    assert "kafka" in state["messages"][1]["content"].lower() and "voice_metrics" in state["messages"][1]["metadata"]


def test_contract_example_1_option_b_and_ids_over_http(server_factory, settings_env):
    """Example 1, option B (`-F cv_file=@resume.pdf -F jd_file=@job_description.pdf`) and the id variant,
    against a real server, exactly as curl sends them."""
    from conftest import FIXTURES

    docs = FIXTURES / "documents"
    server = server_factory(settings_env)
    form = {"user_id": "user_123", "role": "Senior Software Engineer", "company": "TechCorp"}
    with open(docs / "resume.pdf", "rb") as cv, open(docs / "job_description.pdf", "rb") as jd:
        r = requests.post(f"{server.url}{V2}/start-with-ids", data={**form, "session_id": "sess_456"},
                          files={"cv_file": ("resume.pdf", cv, "application/pdf"),
                                 "jd_file": ("job_description.pdf", jd, "application/pdf")}, timeout=30)
    assert r.status_code == 200
    assert r.json()["session_id"] == "sess_456" and r.json()["status"] == "active" and r.json()["question_number"] == 1

    ids = {}
    for kind, name in (("cv", "resume.pdf"), ("jd", "job_description.pdf")):
        with open(docs / name, "rb") as f:
            d = requests.post(f"{server.url}{V2}/documents", data={"kind": kind}, files={"file": (name, f)}, timeout=30)
        assert d.status_code == 200
        ids[kind] = d.json()["id"]
    r = requests.post(f"{server.url}{V2}/start-with-ids",
                      data={**form, "session_id": "sess_457", "cv_id": ids["cv"], "jd_id": ids["jd"]}, timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "active"
    first = requests.get(f"{server.url}{V2}/state/sess_456", timeout=30).json()["analysis"]
    second = requests.get(f"{server.url}{V2}/state/sess_457", timeout=30).json()["analysis"]
    assert first["matched"] == second["matched"] and "kafka" in first["matched"]
    assert requests.get(f"{server.url}{V2}/performance/sess_457", timeout=30).json()["cache_status"] == "active"

    # Step 2 of Example 1: `curl -F session_id=sess_456 -F audio_file=@answer1.wav`
    with open(FIXTURES / "speech" / "answer.wav", "rb") as f:
        r = requests.post(f"{server.url}{V2}/answer", data={"session_id": "sess_456"},
                          files={"audio_file": ("answer1.wav", f)}, timeout=60)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "active" and body["question_number"] == 2 and body["question"]
    assert {"clarity", "relevance", "depth", "feedback"} <= set(body["evaluation"])
    assert {"fluency_score", "clarity_score", "confidence_score", "pace_score", "rate_wpm",
            "total_score"} <= set(body["voice_analysis"])
