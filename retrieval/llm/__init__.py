"""LLM: an OpenAI-compatible chat model writes the lead; its citations are checked."""

from retrieval.llm.writer import OpenAILeadWriter

__all__ = ["OpenAILeadWriter"]
