"""API keys and rate limits, checked before a route (or the multipart parser) reads the body.

A pure ASGI middleware, outermost: a request without a valid key, or over its limit, costs one header
lookup (and one shared-counter update), never an upload spooled to disk or a metrics write.
"""
from __future__ import annotations

import logging
from typing import Optional

import anyio
from starlette.responses import JSONResponse

from interview_engine import Settings
from interview_engine.security import ANONYMOUS, ApiKeys, RateLimited, RateLimits, bucket_for

log = logging.getLogger("interview.security")
API_PREFIX = "/interview/v2"


class SecurityMiddleware:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.settings = settings
        self.keys = ApiKeys.parse(settings.api_keys, settings.api_admin_owners)
        self._limits: Optional[RateLimits] = None
        self._limits_store = None

    def _rate_limits(self, scope) -> Optional[RateLimits]:
        if not self.settings.rate_limits_enabled:
            return None
        service = getattr(scope["app"].state, "service", None)
        if service is None:
            return None
        if self._limits is None or self._limits_store is not service.store:
            if self.settings.rate_limit_storage:
                from limits.storage import storage_from_string

                storage = storage_from_string(self.settings.rate_limit_storage)
            else:
                storage = service.store.rate_limit_storage()
            self._limits = RateLimits(self.settings.rate_limit_specs(), storage)
            self._limits_store = service.store
        return self._limits

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        principal = ANONYMOUS
        if self.keys.enabled and (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            key = _header(scope, b"x-api-key")
            principal = self.keys.verify(key)
            if principal is None:
                detail = "Invalid API key" if key else "Missing API key: send it in the X-API-Key header"
                await JSONResponse({"detail": detail}, status_code=401,
                                   headers={"WWW-Authenticate": "ApiKey header=X-API-Key"})(scope, receive, send)
                return
        state = scope.setdefault("state", {})
        state["principal"] = principal
        service = getattr(scope["app"].state, "service", None)
        if service is not None:
            # The arrival time `answer` compares with when its question was asked: taken before the
            # rate-limit round trip below, which must not make a racing answer look later than it was.
            state.setdefault("received_at", service.clock())

        bucket = bucket_for(scope.get("method", "GET"), path)
        limits = self._rate_limits(scope) if bucket else None
        if limits is not None:
            client = scope.get("client") or ("unknown", 0)
            # Per key owner when keys are on, else per client address (uvicorn rewrites it from
            # X-Forwarded-For only for trusted proxies: FORWARDED_ALLOW_IPS).
            identity = f"owner:{principal.owner}" if principal.owner else f"addr:{client[0]}"
            try:
                await anyio.to_thread.run_sync(limits.hit, bucket, identity)
            except RateLimited as exc:
                await JSONResponse(
                    {"detail": f"Too many requests: the {exc.bucket} limit is {exc.limit}; "
                               f"retry in {exc.retry_after} s"},
                    status_code=429, headers={"Retry-After": str(exc.retry_after)})(scope, receive, send)
                return
            except Exception as exc:  # the limit store is unreachable: serve rather than fail everyone
                log.warning("rate limit check failed", extra={"error": type(exc).__name__})
        await self.app(scope, receive, send)


    async def _websocket(self, scope, receive, send):
        """Live answers (/interview/v2/live/...): the same key and the `answer` limit, checked before the
        handshake is accepted. A refusal closes the handshake (HTTP 403) with the reason as close reason."""
        path = scope.get("path", "")
        state = scope.setdefault("state", {})
        principal = ANONYMOUS
        if path.startswith(API_PREFIX + "/"):
            if self.keys.enabled:
                key = _header(scope, b"x-api-key")
                principal = self.keys.verify(key)
                if principal is None:
                    await send({"type": "websocket.close", "code": 1008,
                                "reason": "Invalid API key" if key else "Missing API key: send it in the X-API-Key header"})
                    return
            limits = self._rate_limits(scope)
            if limits is not None:
                client = scope.get("client") or ("unknown", 0)
                identity = f"owner:{principal.owner}" if principal.owner else f"addr:{client[0]}"
                try:
                    await anyio.to_thread.run_sync(limits.hit, "answer", identity)
                except RateLimited as exc:
                    await send({"type": "websocket.close", "code": 1013,
                                "reason": f"Too many requests: retry in {exc.retry_after} s"})
                    return
                except Exception as exc:
                    log.warning("rate limit check failed", extra={"error": type(exc).__name__})
        state["principal"] = principal
        await self.app(scope, receive, send)


def _header(scope, name: bytes) -> Optional[str]:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None
