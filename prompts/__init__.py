"""Prompt templates as text files with {name} placeholders, read as langchain templates."""

from prompts.loader import chat_template, read, template

__all__ = ["chat_template", "read", "template"]
