"""Serve the interview service: `python app.py` (HOST, PORT and WORKERS from the settings)."""
from __future__ import annotations

import uvicorn

from api.main import create_app
from interview_engine import get_settings

app = create_app()

if __name__ == "__main__":
    settings = get_settings()
    uvicorn.run("app:app", host=settings.host, port=settings.port, workers=settings.workers,
                log_level=settings.log_level.lower(), access_log=False, log_config=None)
