"""Ingest on several threads: the same index as on one, and still all or nothing per notice."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings as ChromaSettings

from retrieval import Library, Searcher, load_notice
from tests.conftest import NOTICES, TEST_DATA
from tests.helpers.documents import NOTICE_TEXT, hashing_library
from tests.helpers.embedders import HashingEmbedder
from vectorstore import E5EmbeddingFunction, EmbeddingError, ParagraphStore

SMALL_CORPUS = [TEST_DATA / "tphcm-quan-an.txt", TEST_DATA / "validity"]
LONGER = NOTICES / "002_0549bf549650297a.txt"  # 14 records: several steps of every size
POOL = "embed-passages"  # the names of the threads that embed passages
QUESTIONS = ["Quán ăn ở TP.HCM được bán tại chỗ không?", "Lâm Đồng cách ly bao nhiêu ngày?"]


class Ticks:
    """A progress factory that records what a progress bar is told."""

    def __init__(self) -> None:
        self.told: list[tuple[str, int, list[int]]] = []

    def __call__(self, total: int, label: str) -> Callable[[int], None]:
        steps: list[int] = []
        self.told.append((label, total, steps))
        return steps.append


@pytest.fixture(scope="module")
def e5() -> E5EmbeddingFunction:
    """The bundled model (one OpenMP thread, as the settings' default), shared by the stores."""
    return E5EmbeddingFunction()


def e5_library(folder: Path, embedder: E5EmbeddingFunction) -> Library:
    store = ParagraphStore.persistent(str(folder / "chroma"), embedder=embedder)
    return Library(store, lexical_dir=folder / "lexical")


def stored(folder: Path, library: Library) -> dict[str, Any]:
    """Every row as Chroma holds it: id -> (text, metadata, vector)."""
    client = chromadb.PersistentClient(
        path=str(folder / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    got = client.get_collection(library.store.collection_name).get(
        include=["documents", "metadatas", "embeddings"]
    )
    texts, metas, vectors = got["documents"], got["metadatas"], got["embeddings"]
    assert texts is not None
    assert metas is not None
    assert vectors is not None
    return {
        i: (text, meta, np.asarray(vector, dtype=np.float32))
        for i, text, meta, vector in zip(got["ids"], texts, metas, vectors, strict=True)
    }


def test_several_threads_give_the_index_one_thread_gives(
    tmp_path: Path, e5: E5EmbeddingFunction
) -> None:
    indexes = {}
    for workers in (1, 2):
        folder = tmp_path / f"workers-{workers}"
        library = e5_library(folder, e5)
        ticks = Ticks()
        results = library.ingest(SMALL_CORPUS, progress=ticks, workers=workers)
        assert [r.error for r in results] == [None] * 3
        # A notice put in code: written 6 rows a step, embedded 3 a call (longest first).
        library.put(load_notice(LONGER), progress=ticks, batch_size=6, workers=workers)
        hits = [
            [(p.paragraph.id, p.score) for p in Searcher(library).search(q, k=5)] for q in QUESTIONS
        ]
        indexes[workers] = (library, stored(folder, library), ticks.told, hits)

    (serial, serial_rows, serial_ticks, serial_hits) = indexes[1]
    (parallel, parallel_rows, parallel_ticks, parallel_hits) = indexes[2]
    assert parallel.catalog == serial.catalog
    assert parallel.versions == serial.versions
    assert sorted(parallel.lexical.ids) == sorted(serial.lexical.ids)
    assert parallel_rows.keys() == serial_rows.keys()
    assert len(serial_rows) == 18 + 14
    for row_id, (text, meta, vector) in serial_rows.items():
        other_text, other_meta, other_vector = parallel_rows[row_id]
        assert (other_text, other_meta) == (text, meta)
        # The engine computes each text's vector from that text alone, on one thread:
        # grouping the paragraphs differently changes no bit.
        assert np.array_equal(other_vector, vector), row_id
    assert parallel_hits == serial_hits
    # The progress bars are told the same totals and steps.
    assert parallel_ticks == serial_ticks
    assert [sum(steps) for _, total, steps in serial_ticks] == [t for _, t, _ in serial_ticks]
    assert not [t for t in threading.enumerate() if t.name.startswith(POOL)]


def folder_with_changed_notice(tmp_path: Path) -> tuple[Path, Path]:
    """Two notices to ingest; the first one changed so that one paragraph cannot be embedded."""
    folder = tmp_path / "in"
    folder.mkdir()
    changed = folder / "a-kien-giang.txt"
    changed.write_text(NOTICE_TEXT, encoding="utf-8")
    shutil.copy(NOTICES / "001_5c18a4811e1b304d.txt", folder / "b-phu-quoc.txt")
    return folder, changed


def test_a_failure_in_a_worker_commits_nothing_for_that_notice(tmp_path: Path) -> None:
    folder, changed = folder_with_changed_notice(tmp_path)
    setup = hashing_library(tmp_path)
    [old, _] = setup.ingest([folder])
    doc_id = "a-kien-giang"
    assert old.doc_id == doc_id
    docs_before = setup.documents()
    paragraphs_before = setup.paragraphs(doc_id)
    question = "Cách ly tập trung người nhập cảnh bao nhiêu ngày?"
    before = [p.paragraph.text for p in Searcher(setup).search(question, k=3)]
    text = NOTICE_TEXT.replace("mũi 3", "mũi 3 (MARKER)").replace("7 ngày", "14 ngày")
    changed.write_text(text, encoding="utf-8")

    errors = {}
    for workers in (1, 2):
        embedder = HashingEmbedder(fail_on="MARKER")
        store = ParagraphStore.persistent(str(tmp_path / "chroma"), embedder=embedder)
        library = Library(store, lexical_dir=tmp_path / "lexical")
        results = library.ingest([folder], workers=workers)
        assert [r.doc_id for r in results] == [doc_id, "b-phu-quoc"]
        errors[workers] = results[0].error
        assert results[1].error is None
        assert not results[1].changed
        in_pool = any(name.startswith(POOL) for name in embedder.threads)
        assert in_pool == (workers == 2)
        # The changed notice is served as it was: its new rows are not committed.
        assert library.versions[doc_id] == setup.versions[doc_id]
        assert library.paragraphs(doc_id) == paragraphs_before
        assert [p.paragraph.text for p in Searcher(library).search(question, k=3)] == before
        assert not [t for t in threading.enumerate() if t.name.startswith(POOL)]

    # The same failure is reported in the same words, whichever thread met it.
    assert errors[2] == errors[1]
    assert errors[2] == f"{changed}: embedding failed: RuntimeError: embedding model crashed"
    # Written 2 rows a step, the steps before the failing one are in the store, not committed.
    rows = library.store.count()
    with pytest.raises(EmbeddingError, match="embedding model crashed"):
        library.put(load_notice(changed), batch_size=2, workers=2)
    assert library.store.count() > rows
    assert library.paragraphs(doc_id) == paragraphs_before
    reopened = hashing_library(tmp_path)
    assert [d for d in reopened.documents() if d.meta.doc_id == doc_id] == [
        d for d in docs_before if d.meta.doc_id == doc_id
    ]
    # The next good ingest of that notice clears the rows the failed one left behind.
    changed.write_text(text.replace(" (MARKER)", ""), encoding="utf-8")
    [again] = reopened.ingest([changed], workers=2)
    assert again.changed
    assert again.error is None
    assert reopened.store.count() == sum(reopened.counts.values())


def test_an_embedder_giving_too_few_vectors_is_an_embedding_error(tmp_path: Path) -> None:
    class Short(HashingEmbedder):
        def __call__(self, input: Any) -> Any:
            return super().__call__(input)[:-1]

    store = ParagraphStore.persistent(str(tmp_path / "chroma"), embedder=Short())
    texts = [f"Đoạn {n} về tiêm vắc xin." for n in range(10)]
    for workers in (1, 2):
        with pytest.raises(EmbeddingError, match=r"gave \d+ vectors for \d+ texts"):
            store.put_document(
                "doc", "v1", {"title": "x"}, texts, [{"position": i} for i in range(10)],
                batch_size=4, workers=workers,
            )  # fmt: skip
        assert store.catalog() == {}
