"""Access control, ownership, unguessable ids, rate limits, erasure and file permissions, on both backends."""
from __future__ import annotations

import json
import logging
import os
import re
import stat
import uuid

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from app import build_app
from conftest import STRONG_ANSWER, start_body, stored_bytes
from interview_engine import InterviewService, Settings
from interview_engine.security import hash_key, new_key

V2 = "/interview/v2"
KEYS = {"acme": new_key(), "globex": new_key(), "ops": new_key()}
API_KEYS = ",".join(f"{owner}:{hash_key(key)}" for owner, key in KEYS.items())


def h(owner):
    return {"X-API-Key": KEYS[owner]}


@pytest.fixture
def keyed(make_settings, clock):
    svc = InterviewService(make_settings(API_KEYS=API_KEYS, API_ADMIN_OWNERS="ops"), clock=clock)
    with TestClient(create_app(service=svc)) as c:
        yield c
    svc.close()


def make_client(make_settings, clock, **env):
    svc = InterviewService(make_settings(**env), clock=clock)
    return svc, TestClient(create_app(service=svc))


ROUTES = [("POST", "/start"), ("POST", "/start-with-ids"), ("POST", "/answer"), ("GET", "/stream/s1"),
          ("GET", "/state/s1"), ("GET", "/performance/s1"), ("POST", "/complete/s1"), ("GET", "/metrics/global"),
          ("POST", "/metrics/reset"), ("POST", "/documents"), ("GET", "/documents/abc"), ("PUT", "/documents/abc"),
          ("DELETE", "/documents/abc"), ("DELETE", "/sessions/s1"), ("DELETE", "/users/u1"),
          ("GET", "/users/u1/sessions")]


# API keys -----------------------------------------------------------------------------------
@pytest.mark.parametrize("method,path", ROUTES)
def test_every_route_needs_a_key_when_keys_are_set(keyed, method, path):
    r = keyed.request(method, V2 + path)
    assert r.status_code == 401
    assert r.json() == {"detail": "Missing API key: send it in the X-API-Key header"}
    r = keyed.request(method, V2 + path, headers={"X-API-Key": KEYS["acme"] + "x"})
    assert r.status_code == 401 and r.json() == {"detail": "Invalid API key"}


def test_health_and_docs_stay_open_with_keys(keyed, backend):
    assert keyed.get("/healthz").json()["storage"] == backend
    assert keyed.get("/docs").status_code == 200
    schemes = keyed.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes["APIKeyHeader"] == {**schemes["APIKeyHeader"], "type": "apiKey", "in": "header", "name": "X-API-Key"}


def test_a_rejected_request_changes_nothing(keyed):
    assert keyed.post(f"{V2}/start", json=start_body("s1")).status_code == 401
    assert keyed.post(f"{V2}/start", json=start_body("s1"), headers=h("acme")).json()["status"] == "active"
    metrics = keyed.get(f"{V2}/metrics/global", headers=h("acme")).json()["metrics"]
    # Only the accepted start is counted (a request is counted once it has finished, so not this GET):
    # the 401 never reached a route, nor the metrics.
    assert metrics["api_requests"]["total"] == 1


def test_a_users_history_holds_only_the_callers_sessions(keyed):
    body = start_body("s1")
    keyed.post(f"{V2}/start", json=body, headers=h("acme"))
    keyed.post(f"{V2}/start", json={**body, "session_id": "s2"}, headers=h("acme"))
    keyed.post(f"{V2}/start", json={**body, "session_id": "s9"}, headers=h("globex"))
    mine = keyed.get(f"{V2}/users/{body['user_id']}/sessions", headers=h("acme")).json()
    theirs = keyed.get(f"{V2}/users/{body['user_id']}/sessions", headers=h("globex")).json()
    assert [s["session_id"] for s in mine["sessions"]] == ["s1", "s2"]
    assert [s["session_id"] for s in theirs["sessions"]] == ["s9"]
    assert keyed.get(f"{V2}/users/{body['user_id']}/sessions", headers=h("ops")).json()["sessions"] == []


def test_sessions_are_invisible_to_other_owners(keyed):
    first = keyed.post(f"{V2}/start", json=start_body("s1"), headers=h("acme")).json()
    not_found = {"detail": "Session not found"}
    for method, path in [("GET", "/state/s1"), ("GET", "/performance/s1"), ("POST", "/complete/s1?force=true"),
                         ("DELETE", "/sessions/s1")]:
        r = keyed.request(method, V2 + path, headers=h("globex"))
        assert (r.status_code, r.json()) == (404, not_found), path
    r = keyed.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": STRONG_ANSWER}, headers=h("globex"))
    assert (r.status_code, r.json()) == (404, not_found)
    with keyed.stream("GET", f"{V2}/stream/s1", headers=h("globex")) as r:
        assert "".join(r.iter_text()).strip() == 'data: {"error": "Session not found"}'
    # The same session_id under another owner is another session, not a restore and not a 409.
    other = keyed.post(f"{V2}/start", json=start_body("s1", cv="Jane Roe\nNurse, 8 years in intensive care",
                                                      jd="ICU nurse wanted"), headers=h("globex")).json()
    assert other["status"] == "active"
    assert keyed.get(f"{V2}/state/s1", headers=h("globex")).json()["role"] == "Senior Backend Engineer"
    mine = keyed.get(f"{V2}/state/s1", headers=h("acme")).json()
    assert mine["messages"][0]["content"] == first["question"] and mine["question_count"] == 1
    # Nothing globex did touched acme's interview.
    r = keyed.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": STRONG_ANSWER}, headers=h("acme"))
    assert r.status_code == 200 and r.json()["question_number"] == 2


def test_documents_are_invisible_to_other_owners(keyed, cv_text, jd_text):
    doc = keyed.post(f"{V2}/documents", data={"kind": "cv", "text": cv_text}, headers=h("acme")).json()
    path = f"{V2}/documents/{doc['id']}"
    expected = {"detail": f"Document {doc['id']} not found"}
    for method in ("GET", "PUT", "DELETE"):
        r = keyed.request(method, path, headers=h("globex"), data={"text": "replaced"} if method == "PUT" else None)
        assert (r.status_code, r.json()) == (404, expected), method
    r = keyed.post(f"{V2}/start-with-ids", headers=h("globex"),
                   data={"user_id": "u", "session_id": "s9", "role": "r", "company": "c", "cv_id": doc["id"],
                         "jd_text": jd_text})
    assert (r.status_code, r.json()) == (404, {"detail": f"Resume {doc['id']} not found"})
    got = keyed.get(path, headers=h("acme")).json()
    assert got["text"].startswith("John Doe")  # untouched by the PUT and DELETE above


def test_metrics_reset_needs_an_admin_key(keyed):
    assert keyed.post(f"{V2}/metrics/reset").status_code == 401
    r = keyed.post(f"{V2}/metrics/reset", headers=h("acme"))
    assert (r.status_code, r.json()) == (403, {"detail": "An admin API key is required"})
    # ADMIN_TOKEN-style headers do not make an ordinary key an admin.
    assert keyed.post(f"{V2}/metrics/reset", headers={**h("acme"), "X-Admin-Token": "x"}).status_code == 403
    r = keyed.post(f"{V2}/metrics/reset", headers=h("ops"))
    assert r.status_code == 200 and r.json()["status"] == "success"


def test_bad_key_configuration_stops_start_up_clearly():
    with pytest.raises(ValueError, match="not owner:sha256hex"):
        Settings(API_KEYS="acme:not-a-hash")
    with pytest.raises(ValueError, match="API_ADMIN_OWNERS names owners with no key"):
        Settings(API_KEYS=API_KEYS, API_ADMIN_OWNERS="root")
    with pytest.raises(ValueError, match="RATE_LIMIT_START"):
        Settings(RATE_LIMIT_START="lots")


def test_keys_are_never_logged_nor_cv_text(make_settings, clock, caplog, cv_text):
    marker = "ZQX" + uuid.uuid4().hex[:10]
    svc, client = make_client(make_settings, clock, API_KEYS=API_KEYS, API_ADMIN_OWNERS="ops",
                              LOG_LEVEL="DEBUG", SLOW_REQUEST_SECONDS=0, SLOW_LLM_CALL_SECONDS=0)
    from interview_engine.logs import JsonFormatter

    with client, caplog.at_level(logging.DEBUG):
        client.post(f"{V2}/documents", data={"kind": "cv", "text": cv_text + f"\n{marker}"}, headers=h("acme"))
        client.post(f"{V2}/start", json=start_body("s1", cv=cv_text + f"\n{marker}"), headers=h("acme"))
        client.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": f"{STRONG_ANSWER} {marker}"},
                    headers=h("acme"))
        client.get(f"{V2}/state/s1", headers={"X-API-Key": KEYS["globex"]})
        client.get(f"{V2}/state/s1", headers={"X-API-Key": "wrong-" + KEYS["acme"]})
        client.delete(f"{V2}/users/user_1", headers=h("acme"))
    svc.close()
    text = "\n".join(JsonFormatter().format(r) for r in caplog.records)
    assert "SLOW REQUEST" in text and "session started" in text  # the logs did record these requests
    for secret in (*KEYS.values(), marker, hash_key(KEYS["acme"])):
        assert secret not in text


# The UI ----------------------------------------------------------------------------------------
def test_the_ui_is_not_served_when_keys_are_set(tmp_path, clock):
    """(The mount does not depend on the storage backend: run once, on SQLite.)"""
    def make_settings(**env):
        return Settings(INTERVIEW_DATA_DIR=str(tmp_path / "data"), **env)

    svc = InterviewService(make_settings(API_KEYS=API_KEYS), clock=clock)
    with TestClient(build_app(service=svc, ui=True), follow_redirects=False) as c:
        r = c.get("/")
        assert r.status_code == 307 and r.headers["location"] == "/docs"
        for path in ("/gradio_api/info", "/config", "/gradio_api/queue/status"):
            assert c.get(path).status_code == 404, path
        assert c.post("/gradio_api/queue/join", json={"fn_index": 0, "data": []}).status_code in (404, 405)
        assert c.post("/gradio_api/upload", files={"files": ("a.txt", b"x")}).status_code in (404, 405)
    svc.close()
    # Without keys the same call serves the UI: the test above is not passing by accident. Its posts
    # (uploads, events) are rate limited per client address like the API's.
    svc = InterviewService(make_settings(RATE_LIMIT_UI="2/minute"), clock=clock)
    with TestClient(build_app(service=svc, ui=True), follow_redirects=False) as c:
        assert c.get("/").status_code == 200 and "gradio" in c.get("/").text.lower()
        assert c.get("/gradio_api/info").status_code == 200
        codes = [c.post("/gradio_api/upload", files={"files": ("cv.txt", b"Python engineer")}).status_code
                 for _ in range(3)]
        assert codes[:2] == [200, 200] and codes[2] == 429
    svc.close()


# Sessions belong to their user_id --------------------------------------------------------------
def test_start_with_another_user_id_is_409_never_a_restore(client, cv_text, jd_text):
    first = client.post(f"{V2}/start", json=start_body("s1")).json()
    before = client.get(f"{V2}/state/s1").json()
    r = client.post(f"{V2}/start", json={**start_body("s1"), "user_id": "someone_else"})
    assert (r.status_code, r.json()) == (409, {"detail": "session_id already in use"})
    r = client.post(f"{V2}/start-with-ids", data={"user_id": "someone_else", "session_id": "s1", "role": "r",
                                                 "company": "c", "cv_text": cv_text, "jd_text": jd_text})
    assert (r.status_code, r.json()) == (409, {"detail": "session_id already in use"})
    assert client.get(f"{V2}/state/s1").json() == before
    again = client.post(f"{V2}/start", json=start_body("s1")).json()  # the same user still restores
    assert again["status"] == "restored" and again["question"] == first["question"]


# Unguessable document ids -------------------------------------------------------------------------
def test_document_ids_are_random_not_sequential(client):
    ids = [client.post(f"{V2}/documents", data={"kind": "jd", "text": f"Python engineer {i}"}).json()["id"]
           for i in range(12)]
    assert all(re.fullmatch(r"[0-9a-f]{24}", i) for i in ids) and len(set(ids)) == 12
    # An ObjectId starts with its creation second and ends with a counter: made in the same second they
    # share their first 8 hex digits and differ by one at the end. These share neither.
    assert len({i[:8] for i in ids}) == 12
    assert all(abs(int(a[-6:], 16) - int(b[-6:], 16)) > 1 for a, b in zip(ids, ids[1:]))
    assert client.get(f"{V2}/documents/{ids[0]}").json()["text"] == "Python engineer 0"


# Rate limits -----------------------------------------------------------------------------------
def test_start_is_rate_limited_with_retry_after(make_settings, clock):
    svc, client = make_client(make_settings, clock, RATE_LIMIT_START="3/minute")
    with client:
        codes = [client.post(f"{V2}/start", json=start_body(f"r{i}")).status_code for i in range(3)]
        assert codes == [200, 200, 200]
        r = client.post(f"{V2}/start-with-ids", data={"user_id": "u", "session_id": "r9", "role": "r",
                                                      "company": "c", "cv_text": "x", "jd_text": "y"})
        assert r.status_code == 429
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        assert r.json() == {"detail": f"Too many requests: the start limit is 3 per 1 minute; "
                                      f"retry in {r.headers['Retry-After']} s"}
        assert client.get(f"{V2}/state/r9").status_code == 404  # nothing was created
        assert client.get(f"{V2}/state/r0").status_code == 200  # reads are not limited
        assert client.post(f"{V2}/answer", data={"session_id": "r0", "answer_text": STRONG_ANSWER}).status_code == 200
    svc.close()


@pytest.mark.parametrize("bucket,setting", [("answer", "RATE_LIMIT_ANSWER"), ("documents", "RATE_LIMIT_DOCUMENTS")])
def test_answer_and_documents_are_rate_limited(make_settings, clock, bucket, setting):
    svc, client = make_client(make_settings, clock, **{setting: "2/minute"})
    with client:
        client.post(f"{V2}/start", json=start_body("s1", max_questions=5))

        def send():
            if bucket == "answer":
                return client.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": STRONG_ANSWER})
            return client.post(f"{V2}/documents", data={"kind": "cv", "text": "Python engineer"})

        assert [send().status_code for _ in range(3)] == [200, 200, 429]
        if bucket == "answer":
            assert client.get(f"{V2}/state/s1").json()["question_count"] == 3  # the refused answer changed nothing
        else:
            assert client.get(f"{V2}/documents/nope").status_code == 429  # every method counts
    svc.close()


def test_rate_limits_are_per_key_when_keys_are_set(make_settings, clock):
    svc, client = make_client(make_settings, clock, API_KEYS=API_KEYS, RATE_LIMIT_START="2/minute")
    with client:
        assert [client.post(f"{V2}/start", json=start_body(f"a{i}"), headers=h("acme")).status_code
                for i in range(3)] == [200, 200, 429]
        # Same address, another key: its own budget.
        assert client.post(f"{V2}/start", json=start_body("g1"), headers=h("globex")).status_code == 200
        # A request without a key is refused before it can spend anyone's budget.
        assert client.post(f"{V2}/start", json=start_body("x")).status_code == 401
    svc.close()


def test_rate_limits_can_be_switched_off(make_settings, clock):
    svc, client = make_client(make_settings, clock, RATE_LIMIT_START="1/minute", RATE_LIMITS="false")
    with client:
        assert [client.post(f"{V2}/start", json=start_body(f"o{i}")).status_code for i in range(3)] == [200] * 3
    svc.close()


# Erasure -----------------------------------------------------------------------------------------
def residue(service, marker: str) -> list:
    """Where `marker` is still stored: SQLite files byte by byte, or every MongoDB collection."""
    store = service.store
    needle = marker.encode()
    if store.backend == "sqlite":
        files = [store.path, store.path.with_name(store.path.name + "-wal"),
                 store.path.with_name(store.path.name + "-shm")]
        return [f.name for f in files if f.exists() and needle in f.read_bytes()]
    import bson

    return [name for name in store.db.list_collection_names()
            if any(needle in bson.encode(doc) for doc in store.db[name].find({}))]


def cv_with(marker: str, cv_text: str) -> str:
    # On an achievement line, so the cached analysis quotes it too.
    return cv_text + f"\n- Led the {marker} rollout in Python, cutting costs by 30%\n"


def where_cached(service, marker: str) -> bool:
    store = service.store
    if store.backend == "sqlite":
        return any(marker in r[0] for r in store._conn().execute("SELECT value FROM analysis_cache"))
    return any(marker in json.dumps(d["value"]) for d in store.cache.find({}))


def test_deleting_a_session_leaves_no_byte_of_it(service, client, cv_text):
    cv_marker, answer_marker = "ZQXCV" + uuid.uuid4().hex[:8], "ZQXANS" + uuid.uuid4().hex[:8]
    client.post(f"{V2}/start", json=start_body("s1", cv=cv_with(cv_marker, cv_text), max_questions=3))
    for _ in range(3):
        client.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": f"{STRONG_ANSWER} {answer_marker}"})
    assert client.post(f"{V2}/complete/s1").status_code == 200
    client.post(f"{V2}/start", json=start_body("other"))  # someone else's session stays
    assert where_cached(service, cv_marker)
    assert residue(service, cv_marker) and residue(service, answer_marker)  # the scan can see them

    r = client.delete(f"{V2}/sessions/s1")
    assert (r.status_code, r.json()) == (200, {"status": "deleted", "session_id": "s1"})
    assert residue(service, cv_marker) == [] and residue(service, answer_marker) == []
    assert client.get(f"{V2}/state/s1").status_code == 404
    assert client.delete(f"{V2}/sessions/s1").status_code == 404
    assert client.get(f"{V2}/state/other").status_code == 200


def test_deleting_a_document_lists_or_cascades_to_sessions_that_copied_it(service, client, cv_text, jd_text):
    kept_marker, gone_marker = "ZQXKEEP" + uuid.uuid4().hex[:8], "ZQXGONE" + uuid.uuid4().hex[:8]
    ids = {}
    for marker in (kept_marker, gone_marker):
        ids[marker] = client.post(f"{V2}/documents", data={"kind": "cv", "text": cv_with(marker, cv_text)}).json()["id"]
        r = client.post(f"{V2}/start-with-ids", data={"user_id": "u1", "session_id": f"from_{marker}", "role": "r",
                                                      "company": "c", "cv_id": ids[marker], "jd_text": jd_text})
        assert r.status_code == 200
    assert where_cached(service, kept_marker)

    # Without cascade: the document and its analyses go; the session that copied it is named.
    r = client.delete(f"{V2}/documents/{ids[kept_marker]}").json()
    assert r == {"status": "deleted", "id": ids[kept_marker], "sessions_deleted": [],
                 "sessions_with_copies": [f"from_{kept_marker}"]}
    assert client.get(f"{V2}/documents/{ids[kept_marker]}").status_code == 404
    assert not where_cached(service, kept_marker)
    assert client.get(f"{V2}/state/from_{kept_marker}").status_code == 200
    assert residue(service, kept_marker)  # only inside that session, as the response said

    # With cascade: the session goes too, and no byte of the CV is left anywhere.
    r = client.delete(f"{V2}/documents/{ids[gone_marker]}?cascade=true").json()
    assert r["sessions_deleted"] == [f"from_{gone_marker}"] and r["sessions_with_copies"] == []
    assert client.get(f"{V2}/state/from_{gone_marker}").status_code == 404
    assert residue(service, gone_marker) == []


def test_replacing_a_document_erases_the_old_text(service, client, cv_text):
    marker = "ZQXOLD" + uuid.uuid4().hex[:8]
    doc = client.post(f"{V2}/documents", data={"kind": "cv", "text": cv_with(marker, cv_text)}).json()
    assert residue(service, marker)
    assert client.put(f"{V2}/documents/{doc['id']}", data={"text": cv_text}).status_code == 200
    assert residue(service, marker) == []


def test_deleting_a_user_erases_their_sessions_and_documents(service, client, cv_text, jd_text):
    cv_marker, text_marker, jd_marker = ("ZQX" + p + uuid.uuid4().hex[:8] for p in ("CVU", "TXT", "JD"))
    cv = client.post(f"{V2}/documents", data={"kind": "cv", "user_id": "u1",
                                             "text": cv_with(cv_marker, cv_text)}).json()["id"]
    jd = client.post(f"{V2}/documents", data={"kind": "jd", "text": jd_text + f"\n{jd_marker}"}).json()["id"]
    form = {"role": "r", "company": "c"}
    assert client.post(f"{V2}/start-with-ids", data={**form, "user_id": "u1", "session_id": "a",
                                                     "cv_id": cv, "jd_id": jd}).status_code == 200
    assert client.post(f"{V2}/start", json={**start_body("b", cv=cv_with(text_marker, cv_text)),
                                            "user_id": "u1"}).status_code == 200
    assert client.post(f"{V2}/start-with-ids", data={**form, "user_id": "u2", "session_id": "c",
                                                     "cv_text": cv_text, "jd_id": jd}).status_code == 200

    r = client.delete(f"{V2}/users/u1")
    assert r.status_code == 200
    assert r.json() == {"status": "deleted", "user_id": "u1", "sessions_deleted": ["a", "b"],
                        "documents_deleted": [cv], "documents_kept": [jd]}
    assert residue(service, cv_marker) == [] and residue(service, text_marker) == []
    for sid in ("a", "b"):
        assert client.get(f"{V2}/state/{sid}").status_code == 404
    assert client.get(f"{V2}/documents/{cv}").status_code == 404
    assert client.get(f"{V2}/documents/{jd}").status_code == 200  # shared: kept, and listed
    assert client.get(f"{V2}/state/c").status_code == 200         # another user's session
    assert client.delete(f"{V2}/users/u1").json()["sessions_deleted"] == []  # nothing left to erase


def test_erasure_is_scoped_to_the_owner(keyed):
    keyed.post(f"{V2}/start", json=start_body("s1"), headers=h("acme"))
    keyed.post(f"{V2}/start", json=start_body("s1"), headers=h("globex"))
    r = keyed.delete(f"{V2}/users/user_1", headers=h("globex")).json()
    assert r["sessions_deleted"] == ["s1"]
    assert keyed.get(f"{V2}/state/s1", headers=h("acme")).status_code == 200
    assert keyed.get(f"{V2}/state/s1", headers=h("globex")).status_code == 404


def test_expired_sessions_leave_no_byte_either(service, client, clock, cv_text):
    marker = "ZQXTTL" + uuid.uuid4().hex[:8]
    client.post(f"{V2}/start", json=start_body("s1", cv=cv_with(marker, cv_text)))
    client.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": f"{STRONG_ANSWER} {marker}"})
    clock.advance(8 * 86400)  # past the session TTL and the analysis cache TTL
    assert service.store.purge_expired() == ["s1"]
    assert residue(service, marker) == []


# Storage footprint, no checkpoints ------------------------------------------------------------------
TYPED_LIMIT_KB = 24
SPOKEN_LIMIT_KB = 40


def _interview_kb(service, client, answer) -> float:
    """Bytes one finished 5-question interview adds, after a first session made the tables and pages."""
    client.post(f"{V2}/start", json=start_body("warm_up"))
    before = stored_bytes(service)
    client.post(f"{V2}/start", json=start_body("s1"))
    for _ in range(5):
        r = answer("s1")
        assert r.status_code == 200, r.text
    assert client.post(f"{V2}/complete/s1").json()["total_questions"] == 5
    return (stored_bytes(service) - before) / 1024


def test_a_finished_typed_interview_takes_at_most_24_kb_and_has_no_checkpoints(service, client):
    kb = _interview_kb(service, client, lambda sid: client.post(
        f"{V2}/answer", data={"session_id": sid, "answer_text": STRONG_ANSWER}))
    assert kb <= TYPED_LIMIT_KB, f"{kb:.1f} KB"
    store = service.store
    if store.backend == "sqlite":
        tables = {r[0] for r in store._conn().execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert not tables & {"checkpoints", "writes"}
    else:
        assert not set(store.db.list_collection_names()) & {"checkpoints", "checkpoint_writes"}


class RememberingTranscriber:
    """The real Whisper transcriber, asked once per distinct audio: the five answers (and both backends) are the
    same minute of speech, so its transcript is made once, not ten times (about 90 s of CI)."""

    def __init__(self):
        from interview_engine.speech import WhisperTranscriber

        self.whisper = WhisperTranscriber()
        self.name = self.whisper.name
        self.heard = {}

    def transcribe(self, samples, hotwords=None):
        import copy
        import hashlib

        key = (hashlib.sha256(samples.tobytes()).hexdigest(), tuple(hotwords or ()))
        if key not in self.heard:
            self.heard[key] = self.whisper.transcribe(samples, hotwords)
        return copy.deepcopy(self.heard[key])  # the pipeline edits a transcript in place


@pytest.fixture(scope="module")
def remembering_transcriber():
    return RememberingTranscriber()


def test_a_finished_spoken_interview_takes_at_most_40_kb_and_reads_back_whole(make_settings, clock,
                                                                              remembering_transcriber):
    """Five answers of a minute each. Stored compactly, read back as answered: the evidence /state shows is
    what /answer returned, and the word timings are there to mark pauses (to 10 ms)."""
    from conftest import FIXTURES

    service = InterviewService(make_settings(), clock=clock, transcriber=remembering_transcriber)
    client = TestClient(create_app(service=service)).__enter__()
    audio = (FIXTURES / "speech" / "long_answer.ogg").read_bytes()
    answered = []

    def answer(sid):
        r = client.post(f"{V2}/answer", data={"session_id": sid},
                        files={"audio_file": ("answer.ogg", audio, "audio/ogg")})
        answered.append(r.json())
        return r

    kb = _interview_kb(service, client, answer)
    assert kb <= SPOKEN_LIMIT_KB, f"{kb:.1f} KB"
    state = client.get(f"{V2}/state/s1").json()
    answers = [m for m in state["messages"] if m["role"] == "candidate"]
    assert [a["metadata"]["evidence"] for a in answers] == [r["evaluation"]["evidence"] for r in answered]
    assert [a["metadata"]["voice_metrics"] for a in answers] == [r["voice_analysis"] for r in answered]
    words = answers[0]["metadata"]["transcription"]["words"]
    assert " ".join(w[0] for w in words) == answers[0]["content"] and len(words) > 100
    assert all(0 <= a <= b for _, a, b, _ in words) and words[-1][2] > 50  # a minute of speech, in order
    report = client.post(f"{V2}/complete/s1").json()
    assert [c["answer"] for c in report["conversation"]] == [a["content"] for a in answers]
    client.__exit__(None, None, None)
    service.close()


def test_legacy_copies_are_dropped_on_start_up(make_settings, backend, tmp_path):
    """A database from an earlier version: its LangGraph checkpoints, and cache entries that do not say
    what they were derived from (so erasure could not find them), are dropped when the service starts."""
    from interview_engine.storage import make_storage

    settings = make_settings()
    marker = "ZQXLEGACY" + uuid.uuid4().hex[:8]
    if backend == "sqlite":
        import sqlite3

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(settings.sqlite_path)
        conn.execute("CREATE TABLE checkpoints (thread_id TEXT, checkpoint BLOB)")
        conn.execute("CREATE TABLE writes (thread_id TEXT, value BLOB)")
        conn.execute("INSERT INTO checkpoints VALUES ('s1', ?)", (f"cv text {marker}".encode(),))
        conn.execute("INSERT INTO writes VALUES ('s1', ?)", (f"cv text {marker}".encode(),))
        conn.execute("CREATE TABLE analysis_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at REAL NOT NULL)")
        conn.execute("INSERT INTO analysis_cache VALUES ('k', ?, 9e12)", (json.dumps({"achievements": [marker]}),))
        conn.commit()
        conn.close()
        assert marker.encode() in settings.sqlite_path.read_bytes()
    else:
        from pymongo import MongoClient

        db = MongoClient(settings.mongodb_uri)[settings.mongodb_db]
        db["checkpoints"].insert_one({"thread_id": "s1", "checkpoint": f"cv text {marker}"})
        db["checkpoint_writes"].insert_one({"thread_id": "s1", "value": f"cv text {marker}"})
        db["analysis_cache"].insert_one({"_id": "k", "value": {"achievements": [marker]}})
    store = make_storage(settings)
    try:
        svc = InterviewService(settings, store=store)
        assert residue(svc, marker) == []
        if backend == "mongodb":
            assert not set(store.db.list_collection_names()) & {"checkpoints", "checkpoint_writes"}
    finally:
        store.close()


# File permissions --------------------------------------------------------------------------------
def test_data_folder_and_database_files_are_private(clock, tmp_path):
    """SQLite only: with MongoDB the service keeps no files."""
    folder = tmp_path / "shared-data"
    folder.mkdir(mode=0o755)
    svc = InterviewService(Settings(INTERVIEW_DATA_DIR=str(folder), UI_ENABLED="false"), clock=clock)
    client = TestClient(create_app(service=svc))
    with client:
        client.post(f"{V2}/start", json=start_body("s1"))
        files = [p for p in folder.iterdir()]
        assert {p.name for p in files} >= {"interview.sqlite3", "interview.sqlite3-wal", "interview.sqlite3-shm"}
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
        for p in files:
            assert stat.S_IMODE(os.stat(p).st_mode) == 0o600, p.name
    svc.close()


# Real server processes ---------------------------------------------------------------------------
def test_rate_limits_hold_across_two_workers(server_factory, settings_env):
    """Two `python app.py` processes on one store: the limit is one budget, not one per worker."""
    import requests

    env = {**settings_env, "RATE_LIMIT_START": "4/minute"}
    a, b = server_factory(env), server_factory(env)
    codes = []
    for i in range(6):
        url = (a if i % 2 else b).url
        r = requests.post(f"{url}{V2}/start", json=start_body(f"w{i}"), timeout=30)
        codes.append(r.status_code)
        if r.status_code == 429:
            assert 1 <= int(r.headers["Retry-After"]) <= 60
            assert r.json()["detail"].startswith("Too many requests: the start limit is 4 per 1 minute")
    assert codes == [200, 200, 200, 200, 429, 429]
    assert requests.get(f"{a.url}{V2}/state/w5", timeout=30).status_code == 404


def test_a_served_app_with_keys_has_no_open_door(server_factory, settings_env):
    """`python app.py` with API_KEYS and the UI left at its default: the UI is not there to go around them."""
    import requests

    s = server_factory({**settings_env, "UI_ENABLED": "true", "API_KEYS": API_KEYS})
    r = requests.get(f"{s.url}/", allow_redirects=False, timeout=30)
    assert r.status_code == 307 and r.headers["location"] == "/docs"
    assert requests.get(f"{s.url}/gradio_api/info", timeout=30).status_code == 404
    assert requests.post(f"{s.url}{V2}/start", json=start_body("p1"), timeout=30).status_code == 401
    r = requests.post(f"{s.url}{V2}/start", json=start_body("p1"), headers=h("acme"), timeout=30)
    assert r.status_code == 200
    assert requests.get(f"{s.url}{V2}/state/p1", headers=h("globex"), timeout=30).status_code == 404
    assert requests.get(f"{s.url}/healthz", timeout=30).status_code == 200


# Exposure ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("host,keys,warned", [("0.0.0.0", "", True), ("192.168.1.20", "", True), ("::", "", True),
                                              ("127.0.0.1", "", False), ("localhost", "", False), ("::1", "", False),
                                              ("0.0.0.0", "acme:" + "0" * 64, False)])
def test_the_server_warns_when_it_listens_beyond_loopback_with_keys_off(host, keys, warned):
    from api.server import exposure_warning

    message = exposure_warning(Settings(HOST=host, API_KEYS=keys))
    assert bool(message) == warned
    if warned:
        assert host in message and "API_KEYS" in message
