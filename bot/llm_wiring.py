"""Build the LLM lead writer from Settings (imported only when CHITHI_ANSWER_MODE=llm)."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from bot.errors import ConfigError
from bot.settings import Settings
from retrieval import OpenAILeadWriter

logger = logging.getLogger(__name__)


def build_lead_writer(settings: Settings) -> OpenAILeadWriter:
    """An OpenAI-compatible lead writer for the configured endpoint and model.

    Raises:
        ConfigError: llm mode against OpenAI itself (no OPENAI_BASE_URL) without OPENAI_API_KEY.
    """
    if settings.openai_base_url is None and not settings.openai_api_key:
        raise ConfigError(
            "CHITHI_ANSWER_MODE=llm needs OPENAI_API_KEY for OpenAI, or OPENAI_BASE_URL for "
            "another OpenAI-compatible server (vLLM, llama.cpp, Ollama; see docs/llm.md)"
        )
    writer = OpenAILeadWriter(
        settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        timeout=settings.llm_timeout,
    )
    endpoint = urlsplit(writer.base_url)
    logger.info(
        "LLM answers: model %s at %s://%s, %.0f s budget per answer",
        settings.llm_model, endpoint.scheme, endpoint.hostname, settings.llm_timeout,
    )  # fmt: skip
    return writer
