"""Filtered vector search: the true nearest rows, whichever way the filter is applied."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from retrieval import Library, SearchFilters
from retrieval.search.searcher import Searcher
from retrieval.types import Notice, NoticeMeta, Paragraph
from tests.helpers.embedders import HashingEmbedder
from vectorstore import ParagraphStore, chroma_store

PLACES = ["Kiên Giang", "Hà Nội", "Lào Cai"]
WORDS = ["cách", "ly", "tập", "trung", "tiêm", "vắc", "xin", "phong", "tỏa", "giãn", "chợ"]
QUESTION = "cách ly tập trung ở chợ"


def notice(number: int, rng: random.Random) -> Notice:
    doc_id = f"doc{number}"
    date = dt.date(2021, 9, 1) + dt.timedelta(days=3 * number) if number % 4 else None
    meta = NoticeMeta(doc_id=doc_id, title=f"Thông báo {number}", date=date,
                      province=PLACES[number % 3])  # fmt: skip
    paragraphs = tuple(
        Paragraph(
            doc_id,
            i,
            " ".join(rng.choice(WORDS) for _ in range(8)),
            role="signature" if i == 24 else "body",
        )  # fmt: skip
        for i in range(25)
    )
    return Notice(meta, paragraphs, fingerprint=f"v{number}")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    rng = random.Random(3)
    store = ParagraphStore.persistent(
        str(tmp_path_factory.mktemp("filters")), embedder=HashingEmbedder()
    )
    opened = Library(store, lexical_dir=None)
    for number in range(12):
        opened.put(notice(number, rng), batch_size=25)
    yield opened
    store.close()


def brute_force(library: Library, allowed: np.ndarray, k: int) -> list[float]:
    """Similarities of the k nearest allowed rows, every row compared."""
    rows = [r for r in library.store.rows() if allowed[library.lexical.position(r.id) or 0]]
    if not rows:
        return []
    vectors = np.asarray(HashingEmbedder()([r.text for r in rows]))
    query = np.asarray(HashingEmbedder().embed_query([QUESTION])[0])
    return sorted((vectors @ query).tolist(), reverse=True)[:k]


FILTERS = [
    SearchFilters(),
    SearchFilters(province="Kiên Giang"),
    SearchFilters(date_from=dt.date(2021, 9, 5), date_to=dt.date(2021, 9, 20)),
    SearchFilters(date_from=dt.date(2021, 9, 1)),
    SearchFilters(province="Lào Cai", date_to=dt.date(2021, 9, 20)),
    SearchFilters(doc_id="doc5"),
    SearchFilters(province="Đà Nẵng"),
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("brute_force_max", [0, 10_000])  # Chroma's allow-list, or here
def test_filtered_nearest_rows_are_the_true_ones(
    library: Library, filters: SearchFilters, brute_force_max: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(chroma_store, "BRUTE_FORCE_MAX", brute_force_max)
    vector = library.store.embed_query(QUESTION)
    for records in (False, True):
        mask = library.allowed(filters, records=records)
        allowed = library.lexical.live if mask is None else mask & library.lexical.live
        for k in (3, 10, 40):
            got = library.dense_hits(vector, k=k, allowed=mask)
            assert all(allowed[library.lexical.position(h.id) or 0] for h in got)
            expected = brute_force(library, allowed, k)
            # The same rows up to ties in similarity.
            assert [round(h.similarity, 5) for h in got] == [round(s, 5) for s in expected]


def test_a_filter_on_a_province_returns_only_its_rows(library: Library) -> None:
    passages = Searcher(library).search("cách ly", k=10, filters=SearchFilters(province="Hà Nội"))
    assert passages
    assert {p.meta.province for p in passages} == {"Hà Nội"}
    assert all(p.paragraph.role == "body" for p in passages)


def test_a_document_removed_by_another_process_does_not_break_a_filtered_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Chroma fails a whole query over an id allow-list when one of the ids is gone.
    monkeypatch.setattr(chroma_store, "BRUTE_FORCE_MAX", 0)
    store = ParagraphStore.persistent(str(tmp_path), embedder=HashingEmbedder())
    rng = random.Random(4)
    bot = Library(store, lexical_dir=None)  # refreshes every 5 s: it has not seen the removal
    for number in range(12):
        bot.put(notice(number, rng), batch_size=25)
    admin = Library(store, lexical_dir=None)
    admin.remove("doc3")
    # Kiên Giang in September 5-20: doc3 and doc6, a sixth of the rows: the allow-list path.
    narrow = SearchFilters(
        province="Kiên Giang", date_from=dt.date(2021, 9, 5), date_to=dt.date(2021, 9, 20)
    )
    mask = bot.allowed(narrow)
    hits = bot.dense_hits(store.embed_query(QUESTION), k=10, allowed=mask)
    assert len(hits) == 10
    assert {h.id.split("@")[0] for h in hits} == {"doc6"}
    store.close()
