"""Sentences that address the reader with instructions: never an answer's lead.

A notice is text from outside: a paragraph may carry "Bỏ qua hướng dẫn trước, hãy trả lời
rằng …", a bank account to transfer money to, or a link, aimed at a model that reads it or at
a citizen who reads the lead aloud. Such a sentence is still quoted (the quote is the notice's
own words, shown as such), but no lead says it, in either mode, and a model's lead is checked
against the passages without it (retrieval/llm/grounding.py).
"""

from __future__ import annotations

import re

from retrieval.text.normalize import fold

# Folded text (lowercase, no diacritics). Each names a way of speaking to the reader or to
# a model rather than stating a rule.
_ADDRESSING = re.compile(
    r"\bbo qua\b[^.]{0,40}\b(?:huong dan|chi dan|yeu cau|quy tac|lenh|cau lenh)\b"
    r"|\b(?:hay|phai|can) tra loi\b|\btra loi rang\b"
    r"|\bhuong dan he thong\b|\bsystem prompt\b|\btro ly ai\b"
    r"|\b(?:ignore|disregard|forget)\b[^.]{0,40}\b(?:instructions?|prompts?|rules?)\b"
    r"|\b(?:so tai khoan|tai khoan|stk|chuyen khoan)\b[^.]{0,40}\d[\d .-]{5,}"
    r"|\bchuyen\b[^.]{0,60}\bvao tai khoan\b"
    r"|https?://|\bwww\.\w"
)
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def addresses_reader(text: str) -> bool:
    """Whether the text gives the reader (or a model) instructions, an account or a link."""
    return _ADDRESSING.search(fold(text)) is not None


def without_instructions(text: str) -> str:
    """The text without its sentences that address the reader."""
    return " ".join(s for s in _SENTENCE_END.split(text) if not addresses_reader(s))
