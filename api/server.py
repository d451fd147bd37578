"""Running the app under uvicorn with the connection limits uvicorn lacks.

uvicorn's keep-alive timeout starts only after a response; a connection that never sends a complete
request head (idle from the start, or trickling header bytes) would otherwise stay open for ever. Here a
request head must be complete within HEADER_TIMEOUT_SECONDS of the connection opening, or of the previous
response; the keep-alive timeout, the body timeout (api/limits.py) and graceful shutdown (which lets
requests in flight finish, then releases the sessions still held) cover the rest.
"""
from __future__ import annotations

import ipaddress
import logging
from typing import Optional

import uvicorn

from interview_engine import Settings, get_settings

try:  # uvicorn[standard] brings httptools; plain uvicorn has h11 only
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover
    from uvicorn.protocols.http.h11_impl import H11Protocol as _Base


class HeadTimeoutProtocol(_Base):
    """Closes a connection whose next request head has not fully arrived in time."""

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_head_timer()

    def connection_lost(self, exc) -> None:
        timer = getattr(self, "_head_timer", None)
        if timer is not None:
            timer.cancel()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        timer = getattr(self, "_head_timer", None)
        if timer is not None:
            timer.cancel()
        self._head_timer = self.loop.call_later(
            get_settings().header_timeout_seconds, self._head_timeout)  # read in each worker process

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self.transport.get_protocol() is not self:
            return  # upgraded to a WebSocket: that protocol owns the connection now
        waiting_for_head = self.cycle is None or self.cycle.response_complete
        if waiting_for_head and not self.transport.is_closing():
            self.transport.close()


def exposure_warning(settings: Settings) -> Optional[str]:
    """Without API keys a session id or user_id is all that guards a candidate's data: say so when the server
    listens beyond this machine."""
    if settings.api_keys.strip():
        return None
    host = settings.host.strip("[]")
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    return (f"listening on {settings.host} with API keys off: anyone who can reach this port and knows a user_id "
            "or session id can read and erase that candidate's interviews; set API_KEYS (see docs/privacy.md)")


def serve(app: str, settings: Settings) -> None:
    warning = exposure_warning(settings)
    if warning:
        logging.getLogger("interview.api").warning(warning)
    uvicorn.run(app, host=settings.host, port=settings.port, workers=settings.workers,
                # A worker importing the app (models, Gradio) on a busy 2-core machine can take over uvicorn's
                # default 5 s health check, and would be killed and restarted before it ever served.
                timeout_worker_healthcheck=60,
                http=HeadTimeoutProtocol, timeout_keep_alive=settings.keep_alive_seconds,
                timeout_graceful_shutdown=settings.graceful_shutdown_seconds,
                log_level=settings.log_level.lower(), access_log=False, log_config=None)
