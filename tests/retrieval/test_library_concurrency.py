"""Writes never block reads: questions are searched while a long ingest is being embedded."""

from __future__ import annotations

import threading
from pathlib import Path

from retrieval import Library, Searcher
from tests.conftest import TEST_DATA
from tests.helpers.embedders import HashingEmbedder
from vectorstore import ParagraphStore

HANG_GUARD = 120.0  # seconds: only so that a regression fails instead of hanging the suite


def test_a_question_is_searched_while_an_upload_is_still_being_embedded(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    store = ParagraphStore.persistent(str(tmp_path / "chroma"), embedder=embedder)
    library = Library(store, lexical_dir=tmp_path / "lexical", refresh_seconds=0.0)
    library.ingest([TEST_DATA / "validity"])
    before = set(library.catalog)
    embedder.gate = threading.Event()  # the next ingest embeds until the test lets it go
    upload = threading.Thread(target=library.ingest, args=([TEST_DATA / "tphcm-quan-an.txt"],))
    upload.start()
    try:
        assert embedder.entered.wait(HANG_GUARD)  # the upload holds the writer's lock now
        found: list[str] = []
        asking = threading.Thread(
            target=lambda: found.extend(
                p.paragraph.doc_id
                for p in Searcher(library).search("Lâm Đồng cách ly bao nhiêu ngày?", k=3)
            )
        )
        asking.start()
        asking.join(HANG_GUARD)
        assert found, "the question waited for the upload"
        assert upload.is_alive()  # the answer came while the upload was still embedding
    finally:
        embedder.gate.set()
        upload.join(HANG_GUARD)
    assert len(set(library.catalog) - before) == 1  # and the upload went in
