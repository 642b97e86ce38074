"""Prompt templates as text files with $name placeholders."""

from prompts.loader import MissingVariablesError, render

__all__ = ["MissingVariablesError", "render"]
