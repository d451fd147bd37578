"""Browser-facing headers on every response: the API's, the mounted UI's, and the errors of the other
middlewares (401, 413, 429) and of the server itself (500).

- `X-Content-Type-Options: nosniff` and `Referrer-Policy: no-referrer` (a URL holding a session id never
  leaves in a Referer header);
- `Content-Security-Policy: frame-ancestors <FRAME_ANCESTORS>` (default `'self'`): which pages may show the
  app in a frame (clickjacking);
- `Cache-Control: no-store` on everything but static assets: API answers, the UI's events, uploads and
  files hold CVs, answers and reports, which must not stay in a browser's or a proxy's cache.

A pure ASGI middleware (BaseHTTPMiddleware would buffer streams and cannot see WebSockets), wrapped around
the whole application by `install_security_headers`, outside even Starlette's ServerErrorMiddleware.
"""
from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import MutableHeaders

from interview_engine import Settings

# Files that are the same for everyone (Gradio's hashed bundles, the docs' scripts): their own caching stays.
STATIC_PREFIXES = ("/assets/", "/static/", "/svelte/", "/docs-assets/", "/favicon.ico")
_STARTS = ("http.response.start", "websocket.accept", "websocket.http.response.start")


def security_headers(settings: Settings) -> dict:
    return {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
            "Content-Security-Policy": f"frame-ancestors {settings.frame_ancestors}"}


class SecurityHeadersMiddleware:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.headers = security_headers(settings)

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cacheable = scope.get("path", "").startswith(STATIC_PREFIXES)

        async def send_with_headers(message):
            if message["type"] in _STARTS:
                message.setdefault("headers", [])
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    if name == "Content-Security-Policy":
                        headers.append(name, value)  # alongside any policy of the app's: both apply
                    else:
                        headers[name] = value
                if not cacheable:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def install_security_headers(app: FastAPI, settings: Settings) -> None:
    """Wrap the app's whole middleware stack, so that every response carries the headers: those of
    middlewares added later (the UI's CORS), of the mounted UI, and ServerErrorMiddleware's 500s, which an
    `add_middleware` middleware would never see."""
    build = app.build_middleware_stack

    def build_with_headers():
        return SecurityHeadersMiddleware(build(), settings)

    app.build_middleware_stack = build_with_headers  # type: ignore[method-assign]
