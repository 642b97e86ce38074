"""Text tools every stage shares: folding, tokens, accent restoration, places, dates."""

from retrieval.text.accents import AccentRestorer
from retrieval.text.dates import find_dates, first_date, format_date
from retrieval.text.instructions import addresses_reader, without_instructions
from retrieval.text.normalize import (
    expand_abbreviations,
    expand_for_dense,
    fold,
    fold_for_match,
    has_diacritics,
    nfc_lower,
    spelling_key,
    strip_diacritics,
    syllables,
)
from retrieval.text.places import PROVINCES, find_provinces, resolve_province
from retrieval.text.tokens import QUESTION_STOPWORDS, document_tokens, query_tokens
from retrieval.text.validity import find_period, find_replaced, number_key

__all__ = [
    "PROVINCES",
    "QUESTION_STOPWORDS",
    "AccentRestorer",
    "addresses_reader",
    "document_tokens",
    "expand_abbreviations",
    "expand_for_dense",
    "find_dates",
    "find_period",
    "find_replaced",
    "find_provinces",
    "first_date",
    "fold",
    "fold_for_match",
    "format_date",
    "has_diacritics",
    "nfc_lower",
    "number_key",
    "query_tokens",
    "resolve_province",
    "spelling_key",
    "strip_diacritics",
    "syllables",
    "without_instructions",
]
