"""Parsing, normalisation, hybrid search and answer composition."""

from retrieval.answer import (
    Answerer,
    LeadDraft,
    LeadWriter,
    Stats,
    document_status,
    main_sections,
    phrasing,
    section_label,
)
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
from retrieval.evaluation import evaluate, load_items
from retrieval.index import IngestResult, Library
from retrieval.llm import OpenAILeadWriter
from retrieval.parse import load_notice
from retrieval.search import SearchConfig, Searcher
from retrieval.text import format_date
from retrieval.types import (
    AdminFacts,
    Answer,
    Citation,
    DocumentInfo,
    Notice,
    NoticeMeta,
    Origin,
    Paragraph,
    Passage,
    SearchFilters,
)

__all__ = [
    "phrasing",
    "AdminFacts",
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
    "Origin",
    "OpenAILeadWriter",
    "Paragraph",
    "ParseError",
    "Passage",
    "SearchConfig",
    "SearchFilters",
    "Searcher",
    "Stats",
    "UnsupportedFormatError",
    "document_status",
    "evaluate",
    "format_date",
    "load_items",
    "load_notice",
    "main_sections",
    "section_label",
]
