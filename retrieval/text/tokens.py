"""Tokens for the BM25 side: folded syllables, folded bigrams, and accented syllables.

Folded tokens make a question typed without diacritics match; bigrams keep Vietnamese
two-syllable words ("cách ly", "tập trung") together; accented tokens reward a question
typed with the right diacritics.
"""

from __future__ import annotations

import functools
import re

from retrieval.text.normalize import expand_abbreviations, fold, syllables

_WORD = re.compile(r"[0-9a-z]+")
# Question words and particles that say nothing about the topic (folded).
_STOPWORD_TEXT = """
la gi nao ai bao nhieu khong co the sao nhu nhe a vay oi hoi cho toi minh em anh chi
duoc phai can nhung cac thi ma hay hoac ve den tu o tai cua va voi
mn mng ad
"""
QUESTION_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def document_tokens(text: str) -> list[str]:
    """Tokens of a stored paragraph."""
    return _tokens(text, drop=frozenset())


def query_tokens(text: str, *, folded: str | None = None) -> list[str]:
    """Tokens of a question, question words dropped from the single-syllable part.

    Args:
        text: the question.
        folded: `fold(text)`, when the caller has it already (a Query folds once).
    """
    return _tokens(text, drop=QUESTION_STOPWORDS, folded=folded)


def _tokens(text: str, *, drop: frozenset[str], folded: str | None = None) -> list[str]:
    folded_text = fold(text) if folded is None else folded
    folded_syllables = _WORD.findall(expand_abbreviations(folded_text))
    unigrams = [s for s in folded_syllables if s not in drop]
    bigrams = [f"{a}_{b}" for a, b in zip(folded_syllables, folded_syllables[1:], strict=False)]
    accented = []
    for syllable in syllables(text):
        folded = _fold_syllable(syllable)
        if folded != syllable and folded not in drop:
            accented.append("~" + syllable)
    return unigrams + bigrams + accented


@functools.lru_cache(maxsize=1 << 16)
def _fold_syllable(syllable: str) -> str:
    # A language has a few thousand syllables; a rebuild folds ~50 million of them.
    return fold(syllable)
