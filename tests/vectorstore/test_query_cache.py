"""A question asked again is answered without running the embedding model again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import Library, Searcher
from tests.helpers.documents import NOTICE_TEXT
from tests.helpers.embedders import HashingEmbedder
from vectorstore import EmbeddingError, ParagraphStore
from vectorstore.query_cache import QueryVectorCache


def test_a_repeated_question_is_embedded_once_and_finds_the_same_passages(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    store = ParagraphStore.persistent(str(tmp_path / "index"), embedder=embedder)
    (tmp_path / "tb.txt").write_text(NOTICE_TEXT, encoding="utf-8")
    library = Library(store, lexical_dir=None)
    library.ingest([tmp_path / "tb.txt"])
    searcher = Searcher(library)
    question = "Người nhập cảnh cách ly tập trung mấy ngày?"
    first = searcher.search(question, k=3)
    before = embedder.queries
    again = searcher.search(question, k=3)
    assert embedder.queries == before
    assert again == first
    assert "7 ngày" in again[0].paragraph.text
    searcher.search("Tiêm vắc xin mũi 3 cho ai?")
    assert embedder.queries == before + 1
    store.close()


def test_a_failed_embedding_is_not_remembered(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    store = ParagraphStore.persistent(str(tmp_path), embedder=embedder)
    embedder.fail_queries = True
    with pytest.raises(EmbeddingError):
        store.embed_query("cách ly")
    embedder.fail_queries = False
    assert store.embed_query("cách ly").any()
    assert embedder.queries == 1
    store.close()


def test_the_least_recently_used_vectors_are_dropped_first() -> None:
    cache = QueryVectorCache(size=2)
    for text in ("a", "b"):
        cache.put(text, np.ones(3, dtype=np.float32))
    assert cache.get("a") is not None  # "b" is now the least recently used
    cache.put("c", np.zeros(3, dtype=np.float32))
    assert cache.get("b") is None
    assert cache.get("a") is not None
    shared = cache.get("c")
    assert shared is not None
    with pytest.raises(ValueError, match="read-only"):
        shared[0] = 1.0
