"""Builds the FastAPI application: routers, error shapes, request metrics, and (later) the UI."""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from interview_engine import InterviewService, Settings, get_settings
from interview_engine.logs import configure_logging

from .errors import install_error_handlers
from .middleware import RequestMetricsMiddleware
from .routes import documents, health, interview, live, privacy
from .security import SecurityMiddleware

log = logging.getLogger("interview.api")


def create_app(settings: Optional[Settings] = None, service: Optional[InterviewService] = None,
               ui: Optional[bool] = None) -> FastAPI:
    """The API, and the Gradio UI mounted at `/` unless `ui` (or UI_ENABLED) is false, or API keys are on."""
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

    app = FastAPI(title="AI Interview Service", version="2.0.0", lifespan=lifespan,
                  description="Interview API V2: grounded questions, evaluated answers, a final report.")
    if service is not None:
        app.state.service = service
    install_error_handlers(app)
    app.add_middleware(RequestMetricsMiddleware)
    app.add_middleware(SecurityMiddleware, settings=settings)  # added last: runs first
    app.include_router(interview.router)
    app.include_router(live.router)
    app.include_router(documents.router)
    app.include_router(privacy.router)
    app.include_router(health.router)

    serve_ui = settings.ui_enabled if ui is None else ui
    if serve_ui and settings.api_keys.strip():
        # The UI calls the service in process, as one shared, keyless user: with keys on it would be a way
        # around them, so it is not served at all (its /gradio_api routes do not exist either).
        log.info("UI not served: API keys are on")
        serve_ui = False
    if serve_ui:
        from ui.app import mount_ui  # Gradio is imported only when the UI is served

        # Mounted last, so /interview/v2/*, /healthz and /docs keep their own routes.
        app = mount_ui(app, lambda: app.state.service, settings, path="/")
    else:
        @app.get("/", include_in_schema=False)
        def root():
            return RedirectResponse("/docs")

    return app
