"""Search: read the question once, then find its passages (BM25 and e5, fused, filtered)."""

from retrieval.search.intent import Classified, Intent, classify
from retrieval.search.query import Asks, Query, as_query
from retrieval.search.searcher import SearchConfig, Searcher

__all__ = [
    "Asks",
    "Classified",
    "Intent",
    "Query",
    "SearchConfig",
    "Searcher",
    "as_query",
    "classify",
]
