"""Builds the FastAPI application: routers, error shapes, request metrics, and (later) the UI."""
from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Optional

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from interview_engine import InterviewService, Settings, get_settings
from interview_engine.logs import configure_logging

from .errors import install_error_handlers
from .middleware import RequestMetricsMiddleware
from .routes import documents, health, interview


def create_app(settings: Optional[Settings] = None, service: Optional[InterviewService] = None,
               ui: Optional[bool] = None) -> FastAPI:
    """The API, and the Gradio UI mounted at `/` unless `ui` (or UI_ENABLED) is false."""
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
    app.include_router(interview.router)
    app.include_router(documents.router)
    app.include_router(health.router)

    if settings.ui_enabled if ui is None else ui:
        from ui.app import mount_ui  # Gradio is imported only when the UI is served

        # Mounted last, so /interview/v2/*, /healthz and /docs keep their own routes.
        app = mount_ui(app, lambda: app.state.service, settings, path="/")
    else:
        @app.get("/", include_in_schema=False)
        def root():
            return RedirectResponse("/docs")

    return app
