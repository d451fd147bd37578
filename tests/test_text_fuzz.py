"""Any text JSON (or a form) can carry is accepted or refused with a 4xx, on every route that takes text and
on both backends: lone surrogates ("\\ud800" is legal JSON, and Python keeps it in a str that nothing can
encode), control characters (NUL included), bidirectional marks and byte-order marks. A refused request
changes nothing in the session.

The generated cases use a new seed each run, printed so a failure can be replayed: TEXT_FUZZ_SEED=<seed>."""
from __future__ import annotations

import json
import os
import random
import uuid

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, seed, settings, strategies as st

from api.main import create_app
from conftest import FIXTURES, start_body

V2 = "/interview/v2"
SEED = int(os.environ.get("TEXT_FUZZ_SEED") or random.randrange(2 ** 31))
print(f"text fuzz seed {SEED} (replay: TEXT_FUZZ_SEED={SEED})")

SURROGATE = "\ud800"
ODD = ["\ud800", "\udfff", "\udbff\ud800x", "\x00", "\x1b[31m", "\x7f", "\u202e", "\u200f", "\u2066", "\ufeff",
       "\u2028", "\ufffe", "\U0010ffff"]
# Letters and digits mixed with what usually breaks text handling: surrogates (Cs), controls (Cc), format
# characters such as the right-to-left marks (Cf), line and paragraph separators.
odd_text = st.one_of(
    st.sampled_from(ODD),
    st.text(alphabet=st.characters(codec=None, categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Zs", "L", "N", "P")),
            min_size=1, max_size=30))
FUZZ = settings(max_examples=int(os.environ.get("TEXT_FUZZ_EXAMPLES", "25")), deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def api(service):
    with TestClient(create_app(service=service), raise_server_exceptions=False) as c:
        yield c


def _form(fields: dict) -> tuple:
    """A URL-encoded body whose values are sent as their UTF-8 bytes, a lone surrogate's bytes included (as a
    client that does not check its text would send them)."""
    from urllib.parse import quote_from_bytes

    body = "&".join(f"{k}={quote_from_bytes(str(v).encode('utf-8', 'surrogatepass'))}" for k, v in fields.items())
    return body.encode(), {"content-type": "application/x-www-form-urlencoded"}


def _multipart(fields: dict) -> tuple:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'.encode()
             + str(v).encode("utf-8", "surrogatepass") + b"\r\n" for k, v in fields.items()]
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), {"content-type": f"multipart/form-data; boundary={boundary}"}


def _start_json(api, body: dict):
    return api.post(f"{V2}/start", content=json.dumps(body).encode(), headers={"content-type": "application/json"})


def _fresh_session(api) -> tuple:
    sid = "s" + uuid.uuid4().hex[:12]
    assert _start_json(api, start_body(sid)).status_code == 200
    return sid, api.get(f"{V2}/state/{sid}").json()


# The named case: a lone surrogate in every text field ------------------------------------------------------
@pytest.mark.parametrize("field", ["user_id", "session_id", "role", "company", "cv_text", "jd_text"])
def test_a_lone_surrogate_in_any_start_field_is_a_400_and_starts_nothing(api, field):
    body = start_body("surrogate_" + field)
    body[field] = body[field] + SURROGATE
    r = _start_json(api, body)
    assert r.status_code == 400, r.text
    assert r.json()["detail"][0]["loc"] == ["body", field]
    assert api.get(f"{V2}/state/surrogate_{field}").status_code == 404


@pytest.mark.parametrize("encode", [_form, _multipart], ids=["urlencoded", "multipart"])
@pytest.mark.parametrize("field", ["role", "company", "cv_text", "jd_text"])
def test_a_lone_surrogate_in_any_start_with_ids_field_is_a_400(api, encode, field):
    fields = {k: v for k, v in start_body("ids_" + field).items()}
    fields[field] += SURROGATE
    content, headers = encode(fields)
    r = api.post(f"{V2}/start-with-ids", content=content, headers=headers)
    assert r.status_code == 400 and field in r.json()["detail"], r.text
    assert api.get(f"{V2}/state/ids_{field}").status_code == 404


@pytest.mark.parametrize("encode", [_form, _multipart], ids=["urlencoded", "multipart"])
def test_a_lone_surrogate_in_an_answer_is_a_400_and_the_session_is_untouched(api, encode):
    sid, before = _fresh_session(api)
    content, headers = encode({"session_id": sid, "answer_text": "I led the migration to Kafka " + SURROGATE})
    r = api.post(f"{V2}/answer", content=content, headers=headers)
    assert r.status_code == 400 and "answer_text" in r.json()["detail"], r.text
    assert api.get(f"{V2}/state/{sid}").json() == before


@pytest.mark.parametrize("encode", [_form, _multipart], ids=["urlencoded", "multipart"])
def test_a_lone_surrogate_in_a_document_is_a_400_and_nothing_is_stored(api, encode):
    text = (FIXTURES / "cv_backend.txt").read_text() + SURROGATE
    content, headers = encode({"kind": "cv", "text": text, "user_id": "u_doc"})
    r = api.post(f"{V2}/documents", content=content, headers=headers)
    assert r.status_code == 400 and "text" in r.json()["detail"], r.text
    assert api.delete(f"{V2}/users/u_doc").json()["documents_deleted"] == []


def test_the_service_itself_refuses_a_lone_surrogate(service):
    """The UI and other in-process callers reach the service without the API's checks."""
    from interview_engine.errors import BadRequest
    from interview_engine.inputs import StartInput

    with pytest.raises(BadRequest, match="cv_text is not valid Unicode text"):
        StartInput(user_id="u", session_id="s", role="r", company="c", cv_text="CV " + SURROGATE)


# Generated cases ------------------------------------------------------------------------------------------
@seed(SEED)
@FUZZ
@given(field=st.sampled_from(["role", "company", "cv_text", "jd_text"]), text=odd_text, at=st.floats(0, 1))
def test_odd_text_in_start_is_accepted_or_a_4xx(api, field, text, at):
    body = start_body("f" + uuid.uuid4().hex[:12])
    where = int(len(body[field]) * at)
    body[field] = body[field][:where] + text + body[field][where:]
    r = _start_json(api, body)
    assert r.status_code < 500, (f"TEXT_FUZZ_SEED={SEED}", field, text, r.text)
    if r.status_code == 200:  # what was accepted can be read back and streamed
        assert api.get(f"{V2}/state/{body['session_id']}").status_code == 200
    else:
        assert api.get(f"{V2}/state/{body['session_id']}").status_code == 404


@seed(SEED)
@FUZZ
@given(text=odd_text, multipart=st.booleans())
def test_odd_text_in_an_answer_is_accepted_or_a_4xx_that_changes_nothing(api, text, multipart):
    sid, before = _fresh_session(api)
    content, headers = (_multipart if multipart else _form)(
        {"session_id": sid, "answer_text": "I designed the Kafka consumer with idempotent writes " + text})
    r = api.post(f"{V2}/answer", content=content, headers=headers)
    assert r.status_code < 500, (f"TEXT_FUZZ_SEED={SEED}", text, r.text)
    after = api.get(f"{V2}/state/{sid}").json()
    if r.status_code == 200:
        assert after["question_count"] >= before["question_count"]
        assert api.post(f"{V2}/complete/{sid}?force=true").status_code == 200  # the report builds from it
    else:
        assert after == before


@seed(SEED)
@FUZZ
@given(text=odd_text)
def test_odd_text_in_a_document_is_accepted_or_a_4xx(api, text):
    content, headers = _form({"kind": "jd", "text": "Backend engineer: Python, Kafka, PostgreSQL. " + text})
    r = api.post(f"{V2}/documents", content=content, headers=headers)
    assert r.status_code < 500, (f"TEXT_FUZZ_SEED={SEED}", text, r.text)
    if r.status_code == 200:
        doc = r.json()["id"]
        assert api.get(f"{V2}/documents/{doc}").status_code == 200
