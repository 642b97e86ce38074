"""Search: read the question once, then find its passages (BM25 and e5, fused, filtered)."""

from retrieval.search.intent import Classified, Intent, classify
from retrieval.search.searcher import SearchConfig, Searcher

__all__ = ["Classified", "Intent", "SearchConfig", "Searcher", "classify"]
