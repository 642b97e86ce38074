"""Ingest, re-ingest, replace, remove: the index changes exactly as a user expects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retrieval import DocumentNotFoundError, Searcher
from tests.conftest import NOTICES
from tests.helpers.documents import NOTICE_TEXT, hashing_library
from vectorstore import EmbeddingError


def test_reingesting_unchanged_files_changes_nothing(tmp_path: Path) -> None:
    library = hashing_library(tmp_path)
    first = library.ingest([NOTICES])
    count = library.store.count()
    second = library.ingest([NOTICES])
    assert all(r.changed for r in first)
    assert not any(r.changed for r in second)
    assert library.store.count() == count
    assert len(library.documents()) == 5


def test_changed_file_replaces_its_paragraphs(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "kh.txt"
    path.write_text(NOTICE_TEXT, encoding="utf-8")
    library = hashing_library(tmp_path)
    library.ingest([path])
    before = library.store.count()
    path.write_text(NOTICE_TEXT.replace("trong 7 ngày", "trong 14 ngày"), encoding="utf-8")
    [result] = library.ingest([path])
    assert result.changed
    assert library.store.count() == before
    hits = Searcher(library).search("cách ly tập trung người nhập cảnh bao nhiêu ngày", k=1)
    assert "trong 14 ngày" in hits[0].paragraph.text
    texts = [row.text for row in library.store.rows()]
    assert not any("trong 7 ngày" in t for t in texts)


def test_remove_deletes_a_document_and_its_paragraphs(tmp_path: Path) -> None:
    library = hashing_library(tmp_path)
    library.ingest([NOTICES])
    meta = library.remove("002_0549bf549650297a")
    assert meta.kind == "Chỉ thị"
    assert "002_0549bf549650297a" not in {d.meta.doc_id for d in library.documents()}
    assert not any("chống dịch như chống giặc" in r.text for r in library.store.rows())
    with pytest.raises(DocumentNotFoundError, match="002_0549bf549650297a"):
        library.remove("002_0549bf549650297a")


def test_a_broken_file_is_reported_and_the_others_still_go_in(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    shutil.copytree(NOTICES, folder)
    (folder / "000_broken.txt").write_bytes(b"\xff\xfe\x00\xd8 not text")
    (folder / "001_empty.md").write_bytes(b"")
    library = hashing_library(tmp_path)
    results = library.ingest([folder])
    errors = [r for r in results if r.error]
    assert sorted(Path(r.path).name for r in errors) == ["000_broken.txt", "001_empty.md"]
    assert all(Path(r.path).name in (r.error or "") for r in errors)
    assert len(library.documents()) == 5


def test_ingest_interrupted_midway_leaves_the_index_as_it_was(tmp_path: Path) -> None:
    library = hashing_library(tmp_path)
    library.ingest([NOTICES / "001_5c18a4811e1b304d.txt"])
    question = "Phú Quốc giãn cách theo chỉ thị nào?"
    before = [p.paragraph.text for p in Searcher(library).search(question, k=3)]
    docs_before = library.documents()

    # The embedding model dies after the first batch of a larger ingest.
    crashing = hashing_library(tmp_path, fail_after=1)
    changed = NOTICES / "001_5c18a4811e1b304d.txt"
    replacement = tmp_path / "001_5c18a4811e1b304d.txt"
    # A longer version (more batches to embed): the same notice with its body repeated.
    text = changed.read_text(encoding="utf-8")
    body_end = text.index("Nơi nhận")
    longer = text[:body_end] + text[text.index("1. Trong 7 ngày") : body_end] * 2 + text[body_end:]
    replacement.write_text(longer, encoding="utf-8")
    with pytest.raises(EmbeddingError):
        crashing.put(_load(replacement), batch_size=4)

    reopened = hashing_library(tmp_path)
    assert reopened.documents() == docs_before
    assert [p.paragraph.text for p in Searcher(reopened).search(question, k=3)] == before
    # The next successful ingest of that document cleans up the abandoned rows.
    reopened.ingest([replacement])
    paragraphs = reopened.counts["001_5c18a4811e1b304d"]
    assert reopened.store.count() == paragraphs


def _load(path: Path):
    from retrieval import load_notice

    return load_notice(path)
