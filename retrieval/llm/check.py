"""Check a generated lead before anyone sees it: citations, length, no echo, its sources."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from retrieval.errors import LLMNoAnswerError, LLMRejectedError, LLMResponseError
from retrieval.llm.grounding import unsupported
from retrieval.text import addresses_reader, fold, without_instructions

MIN_LEAD_CHARS = 8
MAX_LEAD_CHARS = 1200
# The marker prompts/system.txt asks for when the passages do not hold the answer (folded).
NO_ANSWER_MARKER = "khong co trong van ban"
# Six words in a row taken from the instructions count as an echo of them.
ECHO_WORDS = 6

_CITATION = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;–-]\s*\d{1,3})*)\s*\]")
_LABEL = re.compile(r"^\s*(?:trả lời|câu trả lời|answer)\s*:\s*", re.IGNORECASE)
_WORD = re.compile(r"[0-9a-z]+")


def cited_numbers(text: str) -> list[int]:
    """Every passage number the text cites: [1], [1, 2], [1][3], [1-3] (a range counts whole)."""
    numbers: list[int] = []
    for match in _CITATION.finditer(text):
        for part in re.split(r"\s*[,;]\s*", match.group(1)):
            bounds = [int(b) for b in re.split(r"\s*[–-]\s*", part) if b]
            if len(bounds) == 2 and 0 < bounds[1] - bounds[0] <= 50:
                numbers.extend(range(bounds[0], bounds[1] + 1))
            else:
                numbers.extend(bounds)
    return numbers


class EchoGuard:
    """Recognises text that repeats the instructions (any ECHO_WORDS-word run of them)."""

    def __init__(self, instructions: Iterable[str], *, words: int = ECHO_WORDS) -> None:
        self.words = words
        self._runs: set[tuple[str, ...]] = set()
        for text in instructions:
            self._runs |= _runs(text, words)

    def echoes(self, text: str) -> bool:
        """True if the text contains a run of words taken from the instructions."""
        return not self._runs.isdisjoint(_runs(text, self.words))


def _runs(text: str, words: int) -> set[tuple[str, ...]]:
    tokens = _WORD.findall(fold(text))
    return {tuple(tokens[i : i + words]) for i in range(len(tokens) - words + 1)}


def check_lead(
    text: str,
    *,
    passages: int,
    echo: EchoGuard,
    finish_reason: str | None = None,
    sources: Sequence[str] | None = None,
    min_chars: int = MIN_LEAD_CHARS,
    max_chars: int = MAX_LEAD_CHARS,
) -> str:
    """Return the lead, tidied, if it may be shown; raise why not otherwise.

    Args:
        text: the model's answer.
        passages: how many passages were given (valid citations are [1] to [passages]).
        echo: recognises a repetition of the system prompt.
        finish_reason: the server's finish reason; "length" means the answer was cut off.
        sources: the passages' texts, [n] is sources[n - 1]; when given, what the lead states
            must be in the passages it cites (grounding.py), read without their sentences
            that address the reader.
        min_chars: the shortest acceptable answer, citations not counted.
        max_chars: the longest acceptable answer.

    Returns:
        The lead with surrounding space and a leading "Trả lời:" label removed.

    Raises:
        LLMResponseError: the answer is empty.
        LLMNoAnswerError: the model said the passages do not contain the answer.
        LLMRejectedError: a check failed; str() is the short reason.
    """
    lead = _LABEL.sub("", unicodedata.normalize("NFC", text)).strip()
    lead = re.sub(r"\n{3,}", "\n\n", lead)
    if not lead:
        raise LLMResponseError("empty answer")
    if echo.echoes(lead):
        raise LLMRejectedError("echoed the instructions")
    if NO_ANSWER_MARKER in fold(lead):
        raise LLMNoAnswerError("model found no answer in passages")
    if finish_reason == "length":
        raise LLMRejectedError("answer cut off", f"{len(lead)} chars")
    numbers = cited_numbers(lead)
    if not numbers:
        raise LLMRejectedError("no citation")
    wrong = sorted({n for n in numbers if not 1 <= n <= passages})
    if wrong:
        raise LLMRejectedError("citation out of range", f"cited {wrong}, given {passages}")
    bare = _CITATION.sub("", lead).strip()
    if len(bare) < min_chars:
        raise LLMRejectedError("answer too short", f"{len(bare)} chars")
    if len(lead) > max_chars:
        raise LLMRejectedError("answer too long", f"{len(lead)} chars")
    if addresses_reader(bare):  # an account, a link, "hãy trả lời …": never a lead
        raise LLMRejectedError("lead addresses the reader")
    if sources is not None:
        cited = [without_instructions(sources[n - 1]) for n in sorted(set(numbers))]
        missing = unsupported(bare, cited)
        if missing is not None:
            raise LLMRejectedError("lead not in its sources", missing)
    return lead


MAX_REWRITE_CHARS = 300
_REWRITE_LABEL = re.compile(r"^\s*câu hỏi(?: đầy đủ)?\s*:\s*", re.IGNORECASE)


def check_rewrite(rewrite: str, *, question: str, previous: str) -> str:
    """A model's standalone form of a follow-up, if it adds nothing; raises LLMRejectedError.

    Every word of the rewrite (folded, so spelling with or without diacritics agrees), and so
    every number, date, name and document number, must be in the follow-up or the previous
    question: a rewrite may only move words, never bring a fact of its own.
    """
    text = unicodedata.normalize("NFC", rewrite).strip().strip("<>").strip()
    text = _REWRITE_LABEL.sub("", _LABEL.sub("", text)).strip().strip("\"“”'").strip()
    if not text or "\n" in text or len(text) > MAX_REWRITE_CHARS:
        raise LLMRejectedError("rewrite not one line")
    known = set(_WORD.findall(fold(f"{question} {previous}")))
    added = [w for w in _WORD.findall(fold(text)) if w not in known]
    if added:
        raise LLMRejectedError("rewrite adds words", f"not in the conversation: {added[:5]}")
    return text
