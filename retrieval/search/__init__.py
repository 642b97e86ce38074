"""Search: read the question once, then find its passages (BM25 and e5, fused, filtered)."""

from typing import TYPE_CHECKING

from retrieval.search.intent import DOCUMENT_KINDS, Classified, Intent, classify
from retrieval.search.naming import names_kind
from retrieval.search.query import Asks, Query, as_query
from retrieval.search.searcher import SearchConfig, Searcher

if TYPE_CHECKING:  # imported on first use: langchain_core adds about a second to start-up
    from retrieval.search.retriever import ChithiRetriever

__all__ = [
    "DOCUMENT_KINDS",
    "Asks",
    "ChithiRetriever",
    "Classified",
    "Intent",
    "Query",
    "SearchConfig",
    "Searcher",
    "as_query",
    "classify",
    "names_kind",
]


def __getattr__(name: str) -> object:
    if name == "ChithiRetriever":
        from retrieval.search.retriever import ChithiRetriever

        return ChithiRetriever
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
