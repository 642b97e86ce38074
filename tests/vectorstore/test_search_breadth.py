"""Vector search breadth: an index made with Chroma's default is widened when it is opened."""

from __future__ import annotations

from pathlib import Path

import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings

from tests.helpers.embedders import HashingEmbedder
from vectorstore import ParagraphStore
from vectorstore.chroma_store import SEARCH_EF

TEXTS = ["Cách ly tập trung 21 ngày.", "Tiêm mũi 3 cho người từ 18 tuổi."]


def _ef_search(store: ParagraphStore) -> int:
    return int(store._paragraphs.configuration["hnsw"]["ef_search"])


def _made_with_chromas_default(folder: str, embedder: HashingEmbedder) -> None:
    """A collection as chithi made it before the breadth was set: Chroma's default (100)."""
    client = chromadb.PersistentClient(folder, settings=ChromaSettings(anonymized_telemetry=False))
    old = client.get_or_create_collection(
        f"chithi_{embedder.slug}",
        embedding_function=embedder,
        configuration={"hnsw": {"space": "cosine"}},
    )
    old.add(ids=["a@1#0", "a@1#1"], documents=TEXTS, metadatas=[{"role": "body"}] * 2)
    assert old.configuration["hnsw"]["ef_search"] != SEARCH_EF
    client.clear_system_cache()  # let go of the folder, as a process that ended would


def test_an_index_made_with_chromas_default_breadth_is_widened(tmp_path: Path) -> None:
    folder = str(tmp_path / "chroma")
    embedder = HashingEmbedder()
    _made_with_chromas_default(folder, embedder)

    store = ParagraphStore.persistent(folder, embedder=embedder)
    try:
        assert _ef_search(store) == SEARCH_EF
        vector = np.asarray(embedder.embed_query([TEXTS[0]])[0])
        hits, _ = store.nearest(vector, 2)
        assert hits[0].id == "a@1#0"  # the rows are still there and found
    finally:
        store.close()
    reopened = ParagraphStore.persistent(folder, embedder=embedder)
    try:
        assert _ef_search(reopened) == SEARCH_EF  # kept in the folder
    finally:
        reopened.close()


def test_a_new_index_searches_with_the_breadth(tmp_path: Path) -> None:
    store = ParagraphStore.persistent(str(tmp_path / "chroma"), embedder=HashingEmbedder())
    try:
        assert _ef_search(store) == SEARCH_EF
    finally:
        store.close()
