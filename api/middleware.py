"""Request timing for `metrics/global`: every API request, measured until its last byte is sent."""
from __future__ import annotations

import time

import anyio
_SKIP = {"/interview/v2/metrics/reset"}  # a reset should leave the figures at zero


class RequestMetricsMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/interview/") or path in _SKIP:
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = {"code": 500}
        service = getattr(scope["app"].state, "service", None)
        if service is not None:
            # Arrival time on the service clock: lets `answer` tell which question a request was for.
            # SecurityMiddleware, which runs first, may have stamped it already (before its rate-limit check).
            scope.setdefault("state", {}).setdefault("received_at", service.clock())

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            if service is not None:
                seconds = time.perf_counter() - t0
                await anyio.to_thread.run_sync(service.metrics.api_request, scope["method"], path,
                                               status["code"], seconds)

