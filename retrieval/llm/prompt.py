"""Build the chat prompt for a generated lead: the rules, the numbered passages, the question."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from prompts import render
from retrieval.answer import phrasing
from retrieval.types import Passage

MAX_PASSAGE_CHARS = 1200
MAX_QUESTION_CHARS = 500
# The prompt fences passages and the question with <<< and >>>; text inside must not close them.
_FENCE = re.compile(r"<{3,}|>{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class Prompt:
    """The two messages sent to the model."""

    system: str
    user: str


def system_prompt() -> str:
    """The rules (prompts/system.txt), the same for every question."""
    return render("system").strip()


def build_prompt(
    question: str, passages: Sequence[Passage], *, max_passage_chars: int = MAX_PASSAGE_CHARS
) -> Prompt:
    """The system rules and a user message with passages numbered [1], [2], ... in order.

    Args:
        question: the user's question (cut to MAX_QUESTION_CHARS).
        passages: the passages the answer may cite; [n] is passages[n - 1].
        max_passage_chars: each passage's text is cut to this length.

    Returns:
        The system and user messages.
    """
    blocks = [
        render(
            "passage",
            number=str(n),
            source=source_label(p),
            text=_clean(p.paragraph.text, max_passage_chars),
        ).strip()
        for n, p in enumerate(passages, start=1)
    ]
    user = render(
        "answer",
        passages="\n\n".join(blocks),
        question=_clean(question, MAX_QUESTION_CHARS),
    )
    return Prompt(system_prompt(), user.strip())


def source_label(passage: Passage) -> str:
    """What the passage is, as its citation shows it."""
    meta = passage.meta
    return phrasing.source_label(meta.title, meta.province, meta.date, passage.paragraph.section)


def _clean(text: str, limit: int) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _FENCE.sub("…", _CONTROL.sub(" ", text)).strip()
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text
