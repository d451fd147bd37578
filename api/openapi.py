"""/openapi.json that says what the server enforces, so generated clients and fuzzers get past the 400s.

FastAPI's schema is refined where the routes cannot say it through their signatures:

- API keys: the security requirement (and 401) only when API_KEYS is set; otherwise no key is needed;
- form fields other than files: never `null` (a form cannot carry null: a field is left out); ids with their
  pattern; role, company, CV, JD and answer text with at least one visible character; which of the
  alternative fields one of must be sent (a CV as file, id or text; an answer as text, audio or video);
- file fields: the kinds of file each accepts (in the field's description: a schema cannot say "a readable
  PDF", and OpenAPI's per-part `encoding` trips today's fuzzers);
- the statuses every route may answer beyond its own: 408 and 413 for bodies, 429 for rate limits.

`/docs` (Swagger UI) and `/redoc` load their scripts and styles from the app itself (`/docs-assets`, the
files shipped in the `fastapi-offline` package), never from a CDN: they work offline and name no other host.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from interview_engine import Settings
from interview_engine.inputs import DOC_ID_PATTERN, ID_PATTERN, MAX_TEXT_CHARS

VISIBLE = r"\S"                # at least one character that is not whitespace (what .strip() keeps)
TEXT = r"[^\s\u00ad]"          # the same after cleaning (which also drops soft hyphens)
DOCUMENTS = ("application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, "
             "text/plain, text/markdown")
AUDIO = "audio/wav, audio/mpeg, audio/mp4, audio/ogg, audio/webm, audio/flac, video/mp4, video/webm"
VIDEO = "video/mp4, video/webm, video/quicktime, video/x-msvideo"
FILES = {"cv_file": DOCUMENTS, "jd_file": DOCUMENTS, "file": DOCUMENTS, "audio_file": AUDIO, "video_file": VIDEO}
FIELDS: Dict[str, Dict[str, Any]] = {
    "session_id": {"pattern": ID_PATTERN, "minLength": 1, "maxLength": 128},
    "user_id": {"pattern": ID_PATTERN, "minLength": 1, "maxLength": 128},
    "cv_id": {"pattern": DOC_ID_PATTERN}, "jd_id": {"pattern": DOC_ID_PATTERN},
    "role": {"pattern": VISIBLE, "maxLength": 200}, "company": {"pattern": VISIBLE, "maxLength": 200},
    "cv_text": {"pattern": TEXT, "maxLength": MAX_TEXT_CHARS}, "jd_text": {"pattern": TEXT, "maxLength": MAX_TEXT_CHARS},
    "text": {"pattern": TEXT, "maxLength": MAX_TEXT_CHARS},
    "answer_text": {"pattern": VISIBLE, "maxLength": MAX_TEXT_CHARS},
    "max_questions": {"minimum": 3, "maximum": 15},
    "question_number": {"minimum": 1},
}
# One of these must be sent (per body schema, by the route's form fields).
ONE_OF_EACH = {
    "start-with-ids": [("cv_file", "cv_id", "cv_text"), ("jd_file", "jd_id", "jd_text")],
    "answer": [("answer_text", "audio_file", "video_file")],
    "document": [("file", "text")],
}
ERROR = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
RATE_LIMITED = ("/start", "/start-with-ids", "/answer", "/documents")
# Swagger UI 5 and Redoc 2 bundles, with a favicon (the package's own FastAPIOffline app is not used).
DOCS_ASSETS_DIR = Path(fastapi_offline.__file__).parent / "static"
DOCS_ASSETS = "/docs-assets"


def install_openapi(app: FastAPI, settings: Settings) -> None:
    keys_on = bool(settings.api_keys.strip())

    def openapi() -> Dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            refine(schema, keys_on)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    install_docs(app)


def install_docs(app: FastAPI) -> None:
    """/docs and /redoc from local assets. The app is made with `docs_url=None, redoc_url=None`; /docs keeps
    FastAPI's behaviour otherwise (the Authorize button for X-API-Key comes from the schema)."""
    app.mount(DOCS_ASSETS, StaticFiles(directory=DOCS_ASSETS_DIR), name="docs-assets")
    redirect = "/docs/oauth2-redirect"

    def assets(request: Request) -> str:
        return request.scope.get("root_path", "").rstrip("/") + DOCS_ASSETS

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root, local = request.scope.get("root_path", "").rstrip("/"), assets(request)
        return get_swagger_ui_html(
            openapi_url=root + app.openapi_url, title=f"{app.title} - Swagger UI", oauth2_redirect_url=root + redirect,
            swagger_js_url=f"{local}/swagger-ui-bundle.js", swagger_css_url=f"{local}/swagger-ui.css",
            swagger_favicon_url=f"{local}/favicon.png",
            # No badge that sends the schema to validator.swagger.io.
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), "validatorUrl": None})

    @app.get(redirect, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root, local = request.scope.get("root_path", "").rstrip("/"), assets(request)
        return get_redoc_html(openapi_url=root + app.openapi_url, title=f"{app.title} - ReDoc",
                              redoc_js_url=f"{local}/redoc.standalone.js", redoc_favicon_url=f"{local}/favicon.png",
                              with_google_fonts=False)


def refine(schema: Dict[str, Any], keys_on: bool) -> None:
    components = schema.setdefault("components", {})
    if not keys_on:
        components.pop("securitySchemes", None)
    for path, item in schema.get("paths", {}).items():
        for method, op in item.items():
            if not isinstance(op, dict):
                continue
            responses = op.setdefault("responses", {})
            if keys_on and path.startswith("/interview/"):
                responses.setdefault("401", {"description": "Missing or invalid API key", **ERROR})
            else:
                op.pop("security", None)
            body = op.get("requestBody")
            if body:
                responses.setdefault("408", {"description": "The body stopped arriving", **ERROR})
                responses.setdefault("413", {"description": "The body is larger than the route's limit", **ERROR})
                _refine_body(body, components.get("schemas", {}), path)
            if path.startswith("/interview/v2") and any(path.endswith(r) or f"{r}/" in path for r in RATE_LIMITED):
                responses.setdefault("429", {"description": "Over the rate limit (see Retry-After)", **ERROR,
                                             "headers": {"Retry-After": {"schema": {"type": "integer"}}}})


def _refine_body(body: Dict[str, Any], schemas: Dict[str, Any], path: str) -> None:
    for media, content in body.get("content", {}).items():
        ref = (content.get("schema") or {}).get("$ref", "")
        target = schemas.get(ref.rsplit("/", 1)[-1]) if ref else content.get("schema")
        if not isinstance(target, dict):
            continue
        props = target.get("properties", {})
        for name, prop in list(props.items()):
            if media != "application/json" and name not in FILES:
                # A file field keeps `null`: a fuzzer's "null" arrives as a file holding those four bytes.
                props[name] = prop = _not_null(prop)
            if name in FIELDS:
                prop.update(FIELDS[name])
            if name in FILES and media == "multipart/form-data":
                prop["description"] = f"a file: {FILES[name]} (the format is read from the bytes)"
        if media == "multipart/form-data":
            groups = ONE_OF_EACH.get("document" if "/documents" in path else path.rsplit("/", 1)[-1], [])
            if groups:
                target["allOf"] = [{"anyOf": [{"required": [f]} for f in group]} for group in groups]
            if path.endswith("/answer"):  # retry needs the number of the question tried again
                target.setdefault("allOf", []).append(
                    {"anyOf": [{"properties": {"retry": {"const": False}}}, {"required": ["question_number"]}]})


def _not_null(prop: Dict[str, Any]) -> Dict[str, Any]:
    options = prop.get("anyOf")
    if not options:
        return prop
    kept = [o for o in options if o.get("type") != "null"]
    if len(kept) == len(options):
        return prop
    rest = {k: v for k, v in prop.items() if k != "anyOf"}
    return {**kept[0], **rest} if len(kept) == 1 else {**rest, "anyOf": kept}
