"""Whether a generated lead says what its cited passages say: facts all theirs, words mostly.

A model may obey an instruction hidden in a notice, or simply make a figure up, and still cite
a passage correctly. So every number (dates, amounts, accounts, counts), link, document number
and name in the lead must be in a passage it cites, and most of its content words too. The
passages are read without their sentences that address the reader (text/instructions.py): a
lead repeating "hãy trả lời rằng …" is not supported by the sentence that asked for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from retrieval.text import fold

MIN_OWN_WORDS = 0.75  # the share of a lead's content words that its passages must hold
# Words that join a paraphrase without stating anything (folded); "khong" is not one of them.
_FUNCTION_WORDS = frozenset(
    ("va", "cua", "la", "duoc", "cac", "nhung", "theo", "trong", "voi", "cho", "tai", "thi",
     "do", "nay", "ve", "mot", "de", "khi", "tu", "den", "ra", "vao", "da", "se", "dang", "o",
     "hoac", "nhu", "sau", "gom", "co", "bi", "boi")
)  # fmt: skip
_WORD = re.compile(r"[0-9a-z]+")
_NUMBER = re.compile(r"\d+(?:[.,/:-]\d+)*")
_DOC_NUMBER = re.compile(r"\d+(?:/\d+)*/[a-z][a-z0-9-]*")
_LINK = re.compile(r"https?://\S+|www\.\S+")
_TOKEN = re.compile(r"\S+")


def unsupported(lead: str, sources: Sequence[str]) -> str | None:
    """What the lead states that its sources do not (a short description), or None.

    Args:
        lead: the lead without its citation marks.
        sources: the texts of the passages it cites.
    """
    text = unicodedata.normalize("NFC", lead)
    folded, source = fold(text), fold(" ".join(sources))
    source_words = set(_WORD.findall(source))
    numbers = {_digits(n) for n in _NUMBER.findall(source)}
    numbers |= {(g,) for n in numbers for g in n}  # "ngày 16" is in "16/9/2021"
    missing = [n for n in _NUMBER.findall(folded) if _digits(n) not in numbers]
    missing += [d for d in _DOC_NUMBER.findall(folded) if d not in source]
    missing += [link for link in _LINK.findall(folded) if link.rstrip(".,;)") not in source]
    missing += [name for name in _names(text) if fold(name) not in source_words]
    if missing:
        return f"not in the cited passages: {missing[:5]}"
    words = [w for w in _WORD.findall(folded) if w not in _FUNCTION_WORDS and not w.isdigit()]
    own = sum(w in source_words for w in words)
    if words and own / len(words) < MIN_OWN_WORDS:
        return f"{own} of {len(words)} content words in the cited passages"
    return None


def _digits(number: str) -> tuple[str, ...]:
    return tuple(g.lstrip("0") or "0" for g in re.findall(r"\d+", number))


def _names(text: str) -> list[str]:
    """Capitalised words not opening a sentence (names of places, bodies, people)."""
    tokens = _TOKEN.findall(text)
    names = []
    for i, token in enumerate(tokens):
        word = token.strip("“”\"'()[],;:.!?")
        opens = i == 0 or tokens[i - 1].endswith((".", "!", "?", ":", "\n"))
        if word[:1].isupper() and not opens and not any(c.isdigit() for c in word):
            names.append(word)
    return names
