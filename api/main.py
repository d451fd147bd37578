"""Builds the FastAPI application: routers, error shapes, body limits, request metrics, API keys.

The API knows nothing of the UI: `app.py` mounts the Gradio UI on the app this returns.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI

from interview_engine import InterviewService, Settings, get_settings
from interview_engine.logs import configure_logging

from .errors import install_error_handlers
from .forms import Utf8FormMiddleware
from .headers import install_security_headers
from .limits import BodyLimitMiddleware
from .middleware import RequestMetricsMiddleware
from .openapi import install_openapi
from .routes import documents, health, interview, live, privacy
from .security import SecurityMiddleware

log = logging.getLogger("interview.api")


def create_app(settings: Optional[Settings] = None, service: Optional[InterviewService] = None) -> FastAPI:
    """The REST API (`/interview/v2`, `/healthz`, `/docs`). The service is made at start-up unless given;
    one made here is closed at shutdown, which releases the sessions its requests still hold."""
    settings = settings or (service.settings if service else get_settings())
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        own = getattr(app.state, "service", None) is None
        if own:
            app.state.service = InterviewService(settings)
        yield
        if own:
            app.state.service.close()
            app.state.service = None

    # /docs and /redoc are served from local assets by install_openapi (no CDN).
    app = FastAPI(title="AI Interview Service", version="2.0.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Interview API V2: grounded questions, evaluated answers, a final report.")
    if service is not None:
        app.state.service = service
    install_error_handlers(app)
    app.add_middleware(Utf8FormMiddleware)  # inside the body limits: it reads bodies they have bounded
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(RequestMetricsMiddleware)  # sees the 413s and 408s of the body limits
    app.add_middleware(SecurityMiddleware, settings=settings)  # added last: runs first
    # nosniff, no-referrer, frame-ancestors, no-store: around everything, the 401/413/429s above, 500s and
    # the UI mounted later included (api/headers.py).
    install_security_headers(app, settings)
    app.include_router(interview.router)
    app.include_router(live.router)
    app.include_router(documents.router)
    app.include_router(privacy.router)
    app.include_router(health.router)
    install_openapi(app, settings)

    return app
