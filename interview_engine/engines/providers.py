"""Chat models for the LLM providers, built from settings. Imported only when a provider is chosen."""
from __future__ import annotations

import logging
from typing import Tuple

from ..config import Settings

# google-genai logs an INFO line per call ("AFC is enabled ..."); our own logs say what matters.
logging.getLogger("google_genai").setLevel(logging.WARNING)


def chat_model(settings: Settings) -> Tuple[object, str]:
    """(LangChain chat model, engine name) for settings.provider."""
    common = dict(temperature=settings.llm_temperature, timeout=settings.llm_timeout_seconds,
                  max_retries=settings.llm_max_retries)
    if settings.provider == "gemini":
        from langchain_google_genai import ChatGoogleGenerativeAI

        if not settings.google_api_key:
            raise ValueError("LLM_PROVIDER=gemini needs GOOGLE_API_KEY")
        extra = {"base_url": settings.gemini_base_url} if settings.gemini_base_url else {}
        chat = ChatGoogleGenerativeAI(model=settings.gemini_model, google_api_key=settings.google_api_key,
                                      **extra, **common)
        return chat, f"gemini:{settings.gemini_model}"
    if settings.provider == "openai":
        from langchain_openai import ChatOpenAI

        if not settings.openai_model:
            raise ValueError("LLM_PROVIDER=openai needs OPENAI_MODEL (and OPENAI_BASE_URL for a local server)")
        extra = {"base_url": settings.openai_base_url} if settings.openai_base_url else {}
        chat = ChatOpenAI(model=settings.openai_model, api_key=settings.openai_api_key, **extra, **common)
        return chat, f"openai:{settings.openai_model}"
    raise ValueError(f"unknown LLM provider {settings.provider!r}")
