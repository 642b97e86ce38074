"""Ingest of several files: each committed on its own; the lexical side followed and saved once."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from retrieval import Library, Searcher, load_notice
from tests.conftest import NOTICES
from tests.helpers.documents import hashing_library

FIRST, SECOND = "000_95f2b98f29028119", "001_5c18a4811e1b304d"


class Crash(Exception):
    """The process dies in the middle of a batch."""


def saves(caplog: pytest.LogCaptureFixture) -> int:
    return sum(r.getMessage().startswith("Lexical files saved") for r in caplog.records)


def lexical_changes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [m for r in caplog.records if (m := r.getMessage()).startswith("Lexical index")]


def assert_in_step(library: Library) -> None:
    """The lexical side holds exactly the committed rows of the catalog's documents."""
    assert sorted(library.lexical.ids) == sorted(r.id for r in library.store.rows())
    rows = library.rows(list(library.lexical.ids))
    assert {p.doc_id for p in rows.values()} == set(library.catalog)
    assert library.lexical.token == library.store.state_token()


def test_a_batch_saves_the_lexical_files_once_at_the_end(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    library = hashing_library(tmp_path)
    with caplog.at_level(logging.DEBUG, logger="retrieval.index"):
        results = library.ingest([NOTICES])
    assert [r.changed for r in results] == [True] * 5
    assert saves(caplog) == 1
    [change] = lexical_changes(caplog)
    assert "+5 documents" in change
    assert len(library.documents()) == 5
    assert_in_step(library)

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="retrieval.index"):
        reopened = hashing_library(tmp_path)
    assert lexical_changes(caplog) == []  # the saved files are current: read, not rebuilt
    assert reopened.lexical.ids == library.lexical.ids


@pytest.mark.parametrize("how", ["put", "ingest"])
def test_one_file_outside_a_batch_leaves_the_library_in_step_and_saved(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, how: str
) -> None:
    library = hashing_library(tmp_path)
    library.ingest([NOTICES / f"{FIRST}.txt"])
    path = NOTICES / "002_0549bf549650297a.txt"
    with caplog.at_level(logging.DEBUG, logger="retrieval.index"):
        if how == "put":
            assert library.put(load_notice(path))
        else:
            [result] = library.ingest([path])
            assert result.changed
    assert saves(caplog) == 1
    assert_in_step(library)
    hits = Searcher(library).search("chống dịch như chống giặc", k=1)
    assert hits[0].paragraph.doc_id == "002_0549bf549650297a"

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="retrieval.index"):
        reopened = hashing_library(tmp_path)
    assert lexical_changes(caplog) == []
    assert set(reopened.catalog) == {FIRST, "002_0549bf549650297a"}


def test_a_crash_mid_batch_keeps_the_files_committed_before_it(tmp_path: Path) -> None:
    library = hashing_library(tmp_path)
    started: list[str] = []

    def crash_on_the_third_file(total: int, doc_id: str) -> Callable[[int], None]:
        started.append(doc_id)
        if len(started) == 3:
            raise Crash
        return lambda n: None

    with pytest.raises(Crash):
        library.ingest([NOTICES], progress=crash_on_the_third_file)

    # A new process: its lexical files were saved before the batch; the store has two more.
    reopened = hashing_library(tmp_path)
    assert set(reopened.catalog) == {FIRST, SECOND}
    assert_in_step(reopened)
    question = "Phú Quốc giãn cách theo chỉ thị nào?"
    assert Searcher(reopened).search(question, k=1)[0].paragraph.doc_id == SECOND

    # The process that crashed, had it gone on, catches up on its next read.
    assert {d.meta.doc_id for d in library.documents()} == {FIRST, SECOND}
    assert_in_step(library)

    # Ingesting again adds the other three; the two committed ones are unchanged.
    results = reopened.ingest([NOTICES])
    assert [r.changed for r in results] == [False, False, True, True, True]
    assert_in_step(reopened)
