"""How much of a text a reader got back: the share of its words found, in order, in the result.

Words are compared lowercased, NFC, with their diacritics: "trực" read as "trục" is a miss.
Used by tests/retrieval/test_readers_scanned.py and bench/ocr.py.
"""

from __future__ import annotations

import re
import unicodedata
from difflib import SequenceMatcher


def words(text: str) -> list[str]:
    """The words (letters and digits) of a text, lowercased and NFC."""
    return re.findall(r"\w+", unicodedata.normalize("NFC", text).lower())


def word_match(original: str, read: str) -> float:
    """The share of `original`'s words that `read` has, in the same order (0 to 1)."""
    expected = words(original)
    matcher = SequenceMatcher(None, expected, words(read), autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    return found / len(expected) if expected else 1.0
