"""Serve the interview service: `python app.py` (HOST, PORT and WORKERS from the settings).

The REST API comes from `api`; the practice UI (Gradio) is mounted here, at `/`, unless UI_ENABLED is
false or API keys are on. The API package never imports the UI.
"""
from __future__ import annotations

import logging
from typing import Optional

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from api.main import create_app
from interview_engine import InterviewService, Settings, get_settings

log = logging.getLogger("interview.api")


def build_app(settings: Optional[Settings] = None, service: Optional[InterviewService] = None,
              ui: Optional[bool] = None) -> FastAPI:
    """The API, with the UI at `/` unless `ui` (or UI_ENABLED) is false or API keys are on."""
    settings = settings or (service.settings if service else get_settings())
    app = create_app(settings, service)
    serve_ui = settings.ui_enabled if ui is None else ui
    if serve_ui and settings.api_keys.strip():
        # The UI calls the service in process, as one shared, keyless user: with keys on it would be a way
        # around them, so it is not served at all (its /gradio_api routes do not exist either).
        log.info("UI not served: API keys are on")
        serve_ui = False
    if serve_ui:
        from ui.app import mount_ui  # Gradio is imported only when the UI is served

        # Mounted last, so /interview/v2/*, /healthz and /docs keep their own routes.
        return mount_ui(app, lambda: app.state.service, settings, path="/")

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/docs")

    return app


app = build_app()

if __name__ == "__main__":
    from api.server import serve

    serve("app:app", get_settings())
