"""Logs without secrets, read from a real server's output (`python app.py`, LOG_LEVEL=DEBUG, every request
logged as slow): no key (in a header or planted in a query string), no CV or answer text, no query string,
and no whole session id, only its short form (`python -m interview_engine log-id`)."""
from __future__ import annotations

import json
import re
import uuid

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from conftest import STRONG_ANSWER, start_body
from interview_engine.__main__ import main as cli
from interview_engine.logs import JsonFormatter, RedactFilter, short_id
from interview_engine.security import hash_key, new_key

V2 = "/interview/v2"
SQLITE_ONLY = pytest.mark.parametrize("backend", ["sqlite"])  # the logs do not depend on the store


def _log_env(settings_env, **extra):
    return {**settings_env, "LOG_LEVEL": "DEBUG", "SLOW_REQUEST_SECONDS": "0", "SLOW_LLM_CALL_SECONDS": "0",
            **extra}


def _ws(url: str, headers=None):
    """Opens a WebSocket, reads what the server sends until it closes; a refused handshake returns its status."""
    try:
        with connect(url, additional_headers=headers or {}, open_timeout=30, close_timeout=5) as ws:
            return [json.loads(m) for m in ws]
    except InvalidStatus as exc:
        return exc.response.status_code


def _read_log(server) -> str:
    server.stop()
    return server.log_file.read_text(encoding="utf-8", errors="replace")


def _json_lines(text: str) -> list:
    lines = [line for line in text.splitlines() if line.strip()]
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError:
            pytest.fail(f"a log line is not JSON: {line[:300]}")
    return records


def _cli_short(capsys, *args) -> str:
    assert cli(["log-id", *args]) == 0
    return capsys.readouterr().out.strip()


@SQLITE_ONLY
def test_a_keyed_server_logs_no_key_no_text_no_query_and_no_session_id(server_factory, settings_env, tmp_path,
                                                                       capsys):
    """API keys on: the WebSocket handshake lines uvicorn writes, websockets' DEBUG header lines, and the
    app's own lines, all read from the server's output. (With WORKERS>1 each worker imports app:app, which
    installs the same filters; not run here: uvicorn kills a worker that takes over 5 s to import the app,
    as it can on a loaded machine, until api/server.py raises timeout_worker_healthcheck.)"""
    key = new_key()
    planted = {"api_key": "PLANTEDKEY" + uuid.uuid4().hex, "key": "PLANTEDQ" + uuid.uuid4().hex,
               "token": "PLANTEDTOK" + uuid.uuid4().hex}
    cv_marker, answer_marker = "CVMARK" + uuid.uuid4().hex[:12], "ANSMARK" + uuid.uuid4().hex[:12]
    sid, uid = "logsess-" + uuid.uuid4().hex, "loguser-" + uuid.uuid4().hex
    log_file = tmp_path / "server.log"
    server = server_factory(_log_env(settings_env, API_KEYS=f"acme:{hash_key(key)}"), log_file=log_file)
    h = {"X-API-Key": key}
    base, ws_base = server.url + V2, server.url.replace("http://", "ws://") + V2

    body = start_body(sid, cv=start_body()["cv_text"] + f"\nAlso: {cv_marker}", user_id=uid)
    assert requests.post(f"{base}/start", json=body, headers=h, timeout=60).status_code == 200
    r = requests.post(f"{base}/answer", data={"session_id": sid, "answer_text": f"{STRONG_ANSWER} {answer_marker}"},
                      headers=h, timeout=120)
    assert r.status_code == 200, r.text
    r = requests.get(f"{base}/state/{sid}?token={planted['token']}&api_key={planted['api_key']}", headers=h,
                     timeout=30)
    assert r.status_code == 200
    assert requests.get(f"{base}/users/{uid}/sessions?key={planted['key']}", headers=h, timeout=30).status_code == 200
    # A key in the query string is refused (only the header counts) ...
    assert _ws(f"{ws_base}/live/{sid}?api_key={planted['api_key']}") == 403
    assert _ws(f"{ws_base}/live/{sid}?key={planted['key']}") == 403
    # ... and an accepted handshake (key in the header) with planted query parameters: refused in the protocol.
    messages = _ws(f"{ws_base}/live/{sid}?sample_rate=fast&key={planted['key']}&token={planted['token']}", h)
    assert messages and messages[-1]["type"] == "error", messages
    text = _read_log(server)
    records = _json_lines(text)
    msgs = [r["msg"] for r in records]

    s = short_id(sid)
    assert s == _cli_short(capsys, sid) and s.startswith("s:") and len(s) == 12
    u = _cli_short(capsys, "--kind", "user", uid)
    # Not vacuous: the lines that used to carry the secrets are there, in their clean form.
    assert f'"WebSocket {V2}/live/{s}" 403' in text.replace('\\"', '"')
    assert sum(m.endswith(f'"WebSocket {V2}/live/{s}" 403') for m in msgs) == 2, msgs
    assert sum(m.endswith(f'"WebSocket {V2}/live/{s}" [accepted]') for m in msgs) == 1, msgs
    assert msgs.count("connection rejected (403 Forbidden)") == 2 and "connection open" in msgs  # websockets'
    assert f"< GET {V2}/live/{s} HTTP/1.1" in msgs  # websockets' DEBUG request line, without its query
    assert "< x-api-key: [redacted]" in [m.lower() for m in msgs]  # and the header, without the key
    slow = {r["path"] for r in records if r["msg"] == "SLOW REQUEST"}
    assert {f"{V2}/start", f"{V2}/answer", f"{V2}/state/{s}", f"{V2}/users/{u}/sessions"} <= slow, slow
    assert any(r["msg"] == "session started" and r.get("session_id") == s for r in records)
    assert {r["logger"] for r in records} >= {"uvicorn.error", "interview.metrics", "interview.service"}

    for secret in (key, hash_key(key), *planted.values(), cv_marker, answer_marker, sid, uid):
        assert secret not in text, secret
    assert not re.search(r"\?(api_key|key|token|sample_rate)=", text)
    assert "PLANTED" not in text


@SQLITE_ONLY
def test_a_keyless_server_logs_session_ids_only_in_short_form(server_factory, settings_env, tmp_path, capsys):
    """Keys off: a session id that is itself a marker (with `:` and `.`, which uvicorn's lines
    show percent-encoded) never appears whole; its short form is the same in every line that names it."""
    sid = f"SIDMARK.{uuid.uuid4().hex[:16]}:x"
    token = "PLANTEDTOK" + uuid.uuid4().hex
    log_file = tmp_path / "server.log"
    server = server_factory(_log_env(settings_env), log_file=log_file)
    base, ws_base = server.url + V2, server.url.replace("http://", "ws://") + V2

    assert requests.post(f"{base}/start", json=start_body(sid), timeout=60).status_code == 200
    assert requests.get(f"{base}/performance/{sid}?token={token}", timeout=30).status_code == 200
    messages = _ws(f"{ws_base}/live/{sid}?sample_rate=fast&api_key={token}")
    assert messages and messages[-1]["type"] == "error", messages
    assert requests.delete(f"{base}/sessions/{sid}?token={token}", timeout=30).status_code == 200
    text = _read_log(server)
    records = _json_lines(text)
    msgs = [r["msg"] for r in records]

    s = _cli_short(capsys, sid)
    assert sum(m.endswith(f'"WebSocket {V2}/live/{s}" [accepted]') for m in msgs) == 1, msgs
    assert any(r["msg"] == "session started" and r.get("session_id") == s for r in records)
    assert any(r["msg"] == "session erased" and r.get("session_id") == s for r in records)
    slow = {r["path"] for r in records if r["msg"] == "SLOW REQUEST"}
    assert {f"{V2}/performance/{s}", f"{V2}/sessions/{s}"} <= slow, slow

    assert "SIDMARK" not in text and token not in text and "PLANTED" not in text
    assert not re.search(r"\?(api_key|token|sample_rate)=", text)


def test_records_other_handlers_see_are_clean_too():
    """The filter rewrites a record in place, once; the formatter redacts a copy of one that passed no filter."""
    import logging

    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, '%s - "WebSocket %s" [accepted]',
                               ("127.0.0.1:5", f"{V2}/live/s%3A1?api_key=SECRET"), None)
    record.session_id = "s:1"
    line = json.loads(JsonFormatter().format(record))  # not filtered: the record itself is left as it was
    assert line["msg"] == f'127.0.0.1:5 - "WebSocket {V2}/live/{short_id("s:1")}" [accepted]'
    assert line["session_id"] == short_id("s:1") and record.session_id == "s:1"
    RedactFilter().filter(record)
    RedactFilter().filter(record)  # once only: a short form is not hashed again
    assert record.getMessage() == line["msg"] and record.session_id == short_id("s:1")
    assert json.loads(JsonFormatter().format(record))["msg"] == line["msg"]
