"""Parsing, normalisation, hybrid search and answer composition."""

from retrieval.answerer import (
    Answerer,
    LeadDraft,
    LeadWriter,
    Stats,
    StreamingLeadWriter,
    Thresholds,
)
from retrieval.dates import format_date
from retrieval.errors import (
    ChithiError,
    DecodeError,
    DocumentNotFoundError,
    EmptyDocumentError,
    IndexUnavailableError,
    LLMError,
    LLMNoAnswerError,
    LLMRejectedError,
    LLMResponseError,
    LLMUnavailableError,
    ParseError,
    UnsupportedFormatError,
)
from retrieval.library import IngestResult, Library
from retrieval.llm import OpenAILeadWriter
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
    "LLMNoAnswerError",
    "LLMRejectedError",
    "LLMResponseError",
    "LLMUnavailableError",
    "LeadDraft",
    "LeadWriter",
    "Library",
    "Notice",
    "NoticeMeta",
    "OpenAILeadWriter",
    "Paragraph",
    "ParseError",
    "Passage",
    "SearchConfig",
    "SearchFilters",
    "Searcher",
    "Stats",
    "StreamingLeadWriter",
    "Thresholds",
    "UnsupportedFormatError",
    "format_date",
    "load_notice",
]
