"""Read the prompt files ({name} placeholders) as langchain templates; a missing name: KeyError."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate, PromptTemplate

_DIR = Path(__file__).parent


def read(name: str) -> str:
    """prompts/NAME.txt as written, without the blank space around it."""
    return (_DIR / f"{name}.txt").read_text(encoding="utf-8").strip()


def template(name: str) -> PromptTemplate:
    """prompts/NAME.txt as a template (langchain is imported here, not at start-up)."""
    from langchain_core.prompts import PromptTemplate

    return PromptTemplate.from_template(read(name))


def chat_template(system: str, human: str) -> ChatPromptTemplate:
    """A system message from prompts/SYSTEM.txt and a user message from prompts/HUMAN.txt."""
    from langchain_core.prompts import ChatPromptTemplate

    return ChatPromptTemplate.from_messages([("system", read(system)), ("human", read(human))])
