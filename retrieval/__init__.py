"""Parsing, normalisation, hybrid search and answer composition."""

from retrieval.answerer import Answerer, LeadWriter, Stats, Thresholds
from retrieval.dates import format_date
from retrieval.errors import (
    ChithiError,
    DecodeError,
    DocumentNotFoundError,
    EmptyDocumentError,
    IndexUnavailableError,
    LLMError,
    ParseError,
    UnsupportedFormatError,
)
from retrieval.library import IngestResult, Library
from retrieval.notices import load_notice
from retrieval.search import SearchConfig, Searcher
from retrieval.types import (
    Answer,
    Citation,
    DocumentInfo,
    Notice,
    NoticeMeta,
    Paragraph,
    Passage,
    SearchFilters,
)

__all__ = [
    "Answer",
    "Answerer",
    "ChithiError",
    "Citation",
    "DecodeError",
    "DocumentInfo",
    "DocumentNotFoundError",
    "EmptyDocumentError",
    "IndexUnavailableError",
    "IngestResult",
    "LLMError",
    "LeadWriter",
    "Library",
    "Notice",
    "NoticeMeta",
    "Paragraph",
    "ParseError",
    "Passage",
    "SearchConfig",
    "SearchFilters",
    "Searcher",
    "Stats",
    "Thresholds",
    "UnsupportedFormatError",
    "format_date",
    "load_notice",
]
