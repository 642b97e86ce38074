"""Build the chat prompt for a generated lead: the rules, the numbered passages, the question."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import TYPE_CHECKING

from prompts import chat_template, read, template
from retrieval.answer import phrasing
from retrieval.types import Passage

if TYPE_CHECKING:
    from langchain_core.prompts import ChatPromptTemplate

MAX_PASSAGE_CHARS = 1200
MAX_QUESTION_CHARS = 500
# The prompt fences passages and the question with <<< and >>>; text inside must not close them.
_FENCE = re.compile(r"<{3,}|>{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def chat_prompt() -> ChatPromptTemplate:
    """The rules (prompts/system.txt), then the passages and the question (prompts/answer.txt).

    Its variables are the keys of prompt_variables(); a missing one raises KeyError.
    """
    return chat_template("system", "answer")


def condense_prompt() -> ChatPromptTemplate:
    """How a follow-up is rewritten as a standalone question (prompts/condense*.txt).

    Its variables: "previous" (the question as understood before) and "question".
    """
    return chat_template("condense_system", "condense")


def condense_variables(question: str, previous: str) -> dict[str, str]:
    """The previous question and the follow-up, cleaned and cut, for condense_prompt()."""
    return {
        "previous": _clean(previous, MAX_QUESTION_CHARS),
        "question": _clean(question, MAX_QUESTION_CHARS),
    }


def system_prompt() -> str:
    """The rules, the same for every question."""
    return read("system")


def instructions() -> list[str]:
    """The prompts' own wording, without passages or question (for the echo check)."""
    return [str(m.content) for m in chat_prompt().format_messages(passages="", question="")]


def prompt_variables(
    question: str, passages: Sequence[Passage], *, max_passage_chars: int = MAX_PASSAGE_CHARS
) -> dict[str, str]:
    """The passages numbered [1], [2], ... in order, and the question, for chat_prompt().

    Args:
        question: the user's question (cut to MAX_QUESTION_CHARS).
        passages: the passages the answer may cite; [n] is passages[n - 1].
        max_passage_chars: each passage's text is cut to this length.

    Returns:
        {"passages": the numbered passages, each from prompts/passage.txt, "question": ...}.
    """
    passage = template("passage")
    blocks = [
        passage.format(
            number=str(n), source=source_label(p), text=_clean(p.paragraph.text, max_passage_chars)
        )
        for n, p in enumerate(passages, start=1)
    ]
    return {"passages": "\n\n".join(blocks), "question": _clean(question, MAX_QUESTION_CHARS)}


def source_label(passage: Passage) -> str:
    """What the passage is, as its citation shows it."""
    meta = passage.meta
    paragraph = passage.paragraph
    return phrasing.source_label(
        meta.title, meta.province, meta.date, paragraph.section, origin=paragraph.origin
    )


def _clean(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _FENCE.sub("…", _CONTROL.sub(" ", text)).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text
