"""Browser-facing headers (api/headers.py), the UI's CORS, and /docs without a CDN, on both backends."""
from __future__ import annotations

import json
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.main import create_app
from app import build_app
from conftest import STRONG_ANSWER, start_body
from interview_engine import InterviewService, Settings
from interview_engine.security import hash_key, new_key

V2 = "/interview/v2"
ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer",
          "content-security-policy": "frame-ancestors 'self'"}


def assert_private(r, csp="frame-ancestors 'self'"):
    """The headers every response has, and no-store: nothing of it may stay in a browser's or proxy's cache."""
    expected = {**ALWAYS, "content-security-policy": csp, "cache-control": "no-store"}
    got = {name: r.headers.get(name) for name in expected}
    assert got == expected, f"{r.request.method} {r.request.url.path} -> {r.status_code}: {got}"


# The API: every route that carries personal data ----------------------------------------------------
def test_every_personal_data_route_is_no_store_with_the_headers(client, cv_text, jd_text):
    r = client.post(f"{V2}/documents", data={"kind": "cv", "text": cv_text, "user_id": "user_1"})
    assert r.status_code == 200
    assert_private(r)
    doc = r.json()["id"]
    for r in (client.get(f"{V2}/documents/{doc}"), client.put(f"{V2}/documents/{doc}", data={"text": cv_text})):
        assert r.status_code == 200 and "Python" in json.dumps(r.json())
        assert_private(r)

    r = client.post(f"{V2}/start", json=start_body("s1", max_questions=3))
    assert r.status_code == 200 and r.json()["question"]
    assert_private(r)
    r = client.post(f"{V2}/start-with-ids", data={"user_id": "user_1", "session_id": "s2", "role": "Backend Engineer",
                                                  "company": "Acme", "cv_id": doc, "jd_text": jd_text})
    assert r.status_code == 200
    assert_private(r)

    with client.stream("GET", f"{V2}/stream/s1") as r:  # server-sent events: headers on a streamed response
        body = "".join(r.iter_text())
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert '"done": true' in body.replace('"done":true', '"done": true')
        assert_private(r)

    for _ in range(3):  # to the end of the interview, so that `complete` has a report to give
        r = client.post(f"{V2}/answer", data={"session_id": "s1", "answer_text": STRONG_ANSWER})
        assert r.status_code == 200 and "evaluation" in r.json()
        assert_private(r)
    for r in (client.get(f"{V2}/state/s1"), client.get(f"{V2}/performance/s1"), client.post(f"{V2}/complete/s1"),
              client.get(f"{V2}/users/user_1/sessions")):
        assert r.status_code == 200, r.request.url.path
        assert_private(r)
    assert "s1" in json.dumps(client.get(f"{V2}/users/user_1/sessions").json())

    # Erasure
    for r in (client.delete(f"{V2}/sessions/s2"), client.delete(f"{V2}/documents/{doc}"),
              client.delete(f"{V2}/users/user_1")):
        assert r.status_code == 200 and r.json()["status"] == "deleted", r.request.url.path
        assert_private(r)
    # And the rest of the API: health, metrics, the schema.
    for path in ("/healthz", f"{V2}/metrics/global", "/openapi.json"):
        r = client.get(path)
        assert r.status_code == 200
        assert_private(r)


def test_the_live_answer_handshake_has_the_headers(client):
    with client.websocket_connect(f"{V2}/live/nope") as ws:
        headers = {k.decode().lower(): v.decode() for k, v in ws.extra_headers or []}
        assert ws.receive_json() == {"type": "error", "status": 404, "detail": "Session not found"}
    assert {name: headers.get(name) for name in (*ALWAYS, "cache-control")} == {**ALWAYS, "cache-control": "no-store"}


# Errors, whichever layer answers them -----------------------------------------------------------------
def test_errors_have_the_headers_404_400_413_429_500(make_settings, clock):
    svc = InterviewService(make_settings(RATE_LIMIT_START="2/minute", MAX_JSON_MB="0.01"), clock=clock)
    app = create_app(service=svc)

    @app.get("/boom", include_in_schema=False)
    def boom():
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as c:
        checks = [
            (c.get("/no-such-route"), 404),
            (c.get(f"{V2}/state/nope"), 404),
            (c.get(f"{V2}/state/bad id!"), 400),
            (c.post(f"{V2}/start", content=b"{" + b" " * 20000 + b"}",
                    headers={"Content-Type": "application/json"}), 413),  # the body limit's own answer
            (c.post(f"{V2}/start", json=start_body("s1")), 200),
            (c.post(f"{V2}/start", json=start_body("s2")), 429),  # the rate limit's (the 413 counted too)
            (c.get("/boom"), 500),  # ServerErrorMiddleware's, outside every added middleware
        ]
        for r, status in checks:
            assert r.status_code == status, (r.request.url.path, r.status_code, r.text)
            assert_private(r)
        assert checks[-1][0].json() == {"detail": "Internal error: RuntimeError"}
    svc.close()


def test_a_401_with_keys_on_has_the_headers_and_docs_stay_authorizable(make_settings, clock):
    key = new_key()
    svc = InterviewService(make_settings(API_KEYS=f"acme:{hash_key(key)}"), clock=clock)
    with TestClient(create_app(service=svc)) as c:
        r = c.get(f"{V2}/state/s1")
        assert r.status_code == 401 and r.headers["www-authenticate"] == "ApiKey header=X-API-Key"
        assert_private(r)
        r = c.get(f"{V2}/state/s1", headers={"X-API-Key": key})
        assert r.status_code == 404
        assert_private(r)
        # /docs still has its Authorize button: the page loads the schema, which declares the key.
        assert "url: '/openapi.json'" in c.get("/docs").text
        schemes = c.get("/openapi.json").json()["components"]["securitySchemes"]
        assert schemes["APIKeyHeader"]["name"] == "X-API-Key"
    svc.close()


# FRAME_ANCESTORS ---------------------------------------------------------------------------------------
def test_frame_ancestors_follows_the_setting(make_settings, clock, monkeypatch):
    hf = "'self' https://huggingface.co https://*.hf.space"
    svc = InterviewService(make_settings(FRAME_ANCESTORS=hf), clock=clock)
    with TestClient(create_app(service=svc)) as c:
        for r in (c.get("/healthz"), c.get(f"{V2}/state/nope"), c.get("/docs")):
            assert_private(r, csp=f"frame-ancestors {hf}")
    svc.close()
    assert make_settings(FRAME_ANCESTORS="'none'").frame_ancestors == "'none'"
    for bad in ("self", "'self'; script-src *", "", "'self'\r\nSet-Cookie: x=1", "'none' 'self'"):
        with pytest.raises(ValidationError, match="FRAME_ANCESTORS"):
            make_settings(FRAME_ANCESTORS=bad)
    # On a Hugging Face Space (which sets SPACE_ID) the default lets the Space's page at huggingface.co frame it.
    monkeypatch.setenv("SPACE_ID", "acme/interview")
    assert make_settings().frame_ancestors == "'self' https://huggingface.co"
    assert make_settings(FRAME_ANCESTORS="'self'").frame_ancestors == "'self'"


# /docs without a CDN ------------------------------------------------------------------------------------
class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []

    def handle_starttag(self, tag, attrs):
        self.refs += [(tag, v) for k, v in attrs if k in ("src", "href") and v]


def _refs(html: str):
    parser = _Refs()
    parser.feed(html)
    return parser.refs


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_nothing_from_another_host(client, page):
    r = client.get(page)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "http://" not in r.text and "https://" not in r.text and "//cdn" not in r.text
    refs = _refs(r.text)
    assert {tag for tag, _ in refs} >= {"script", "link"}
    kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
    for tag, url in refs:
        parts = urlsplit(url)
        assert not parts.scheme and not parts.netloc and url.startswith("/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].startswith(kinds[url[url.rfind("."):]]), (url, asset.headers)
        assert len(asset.content) > 1000
        # Static files: the security headers, but their caching is left alone.
        assert {name: asset.headers.get(name) for name in ALWAYS} == ALWAYS
        assert asset.headers.get("cache-control") != "no-store"
    # Swagger UI's validator badge would send the schema to validator.swagger.io.
    if page == "/docs":
        assert '"validatorUrl": null' in r.text
        assert client.get("/docs/oauth2-redirect").status_code == 200


# The UI ------------------------------------------------------------------------------------------------
# (The mount does not depend on the storage backend: these run once, on SQLite.)
@pytest.fixture
def ui_app(tmp_path, clock):
    services = []

    def make(**env):
        svc = InterviewService(Settings(INTERVIEW_DATA_DIR=str(tmp_path / f"data{len(services)}"), **env),
                               clock=clock)
        services.append(svc)
        return TestClient(build_app(service=svc, ui=True))

    yield make
    for svc in services:
        svc.close()


def test_the_ui_has_the_headers_and_answers_no_other_origin(ui_app):
    with ui_app() as c:
        page = c.get("/")
        assert page.status_code == 200 and "gradio" in page.text.lower()
        assert_private(page)
        upload = c.post("/gradio_api/upload", files={"files": ("cv.txt", b"Python engineer, Acme")})
        assert upload.status_code == 200
        assert_private(upload)
        stored = upload.json()[0]
        r = c.get(f"/gradio_api/file={stored}")  # a candidate's upload, served back
        assert r.status_code == 200 and r.content == b"Python engineer, Acme"
        assert_private(r)
        for r in (c.get("/config"), c.get("/gradio_api/info"), c.get("/gradio_api/nope"), c.get(f"{V2}/state/x")):
            assert_private(r)
        # The API also answers /docs beside the UI, from the same local assets.
        assert all(c.get(url).status_code == 200 for _, url in _refs(c.get("/docs").text))
        # The page's own scripts and styles are this server's (the theme uses system fonts: no Google Fonts).
        for tag, url in _refs(page.text):
            if tag in ("script", "link"):
                assert not urlsplit(url).netloc, url
                asset = c.get(url)
                assert asset.status_code == 200, url
                if "assets/" in url:  # Gradio's bundles, the same for everyone: their caching is left alone
                    assert asset.headers.get("cache-control") != "no-store", url
        assert "fonts.googleapis" not in c.get("/theme.css").text + page.text

        # CORS: another origin gets no Access-Control-Allow-Origin, whether the server is reached as
        # localhost (where Gradio allowed any localhost origin) or by a public name (where it allowed any).
        for host in ("localhost:8000", "interview.example.org"):
            for origin in ("http://localhost:9999", "https://evil.example"):
                for path in ("/config", "/gradio_api/info"):
                    r = c.get(path, headers={"Origin": origin, "Host": host})
                    assert r.status_code == 200
                    assert "access-control-allow-origin" not in r.headers, (host, origin, path)
                preflight = c.options("/gradio_api/queue/join", headers={
                    "Origin": origin, "Host": host, "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "content-type"})
                assert "access-control-allow-origin" not in preflight.headers
                assert preflight.status_code == 400


def test_the_ui_answers_origins_that_are_configured(ui_app):
    with ui_app(UI_ALLOWED_ORIGINS="http://localhost:9999, https://Partner.example.org",
                FRAME_ANCESTORS="'self' https://huggingface.co") as c:
        for origin in ("http://localhost:9999", "https://partner.example.org"):
            r = c.get("/config", headers={"Origin": origin})
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == origin
            preflight = c.options("/gradio_api/queue/join", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type"})
            assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin
        r = c.get("/config", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        assert_private(c.get("/"), csp="frame-ancestors 'self' https://huggingface.co")
    with pytest.raises(ValidationError, match="UI_ALLOWED_ORIGINS"):
        Settings(UI_ALLOWED_ORIGINS="https://example.org/app")
