"""Filtered vector search: the same nearest rows however the filter is applied."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.helpers.embedders import HashingEmbedder
from vectorstore import ParagraphStore

PLACES = ["Kiên Giang", "Hà Nội", "Lào Cai"]
WORDS = ["cách", "ly", "tập", "trung", "tiêm", "vắc", "xin", "phong", "tỏa", "giãn", "chợ"]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ParagraphStore]:
    rng = random.Random(3)
    opened = ParagraphStore.persistent(
        str(tmp_path_factory.mktemp("filters")), embedder=HashingEmbedder()
    )
    for d in range(12):
        texts = [" ".join(rng.choice(WORDS) for _ in range(8)) for _ in range(25)]
        province, date = PLACES[d % 3], 20210901 + d * 3 if d % 4 else 0
        metas = [{"role": "signature" if i == 24 else "body", "province": province, "date": date,
                  "position": i} for i in range(25)]  # fmt: skip
        opened.put_document(f"doc{d}", "v1", {"title": f"d{d}"}, texts, metas, batch_size=25)
    yield opened
    opened.close()


def brute_force(store: ParagraphStore, vector: np.ndarray, where: list[Any], k: int) -> list[str]:
    from vectorstore.chroma_store import _matches

    rows = [r for r in store.rows() if all(_matches(r.metadata, c) for c in where)]
    vectors = np.asarray(store._embedder([r.text for r in rows]))
    order = np.argsort(-(vectors @ vector), kind="stable")
    return [rows[i].id for i in order[:k]]


WHERES: list[list[dict[str, Any]]] = [
    [{"role": "body"}],
    [{"role": "body"}, {"province": "Kiên Giang"}],
    [
        {"role": "body"},
        {"date": {"$gte": 20210905}},
        {"date": {"$lte": 20210920}},
        {"date": {"$gt": 0}},
    ],  # fmt: skip
    [{"date": {"$gte": 20210901}}],
    [{"province": "Lào Cai"}, {"date": {"$lt": 20210920}}],
    [{"doc_id": "doc5"}],
]


@pytest.mark.parametrize("clauses", WHERES)
def test_filtered_nearest_rows_are_the_true_ones(
    store: ParagraphStore, clauses: list[dict[str, Any]]
) -> None:
    active = {f"doc{d}": "v1" for d in range(12)}
    vector = store.embed_query("cách ly tập trung ở chợ")
    where = clauses[0] if len(clauses) == 1 else {"$and": clauses}
    for k in (3, 10, 40):
        got = store.dense_query(vector, k=k, where=where, active=active)
        expected = brute_force(store, vector, clauses, k)
        similarity = {h.row.id: h.similarity for h in got}
        assert len(got) == len(expected)
        # Same rows up to ties in similarity.
        assert sorted(round(similarity[i], 5) for i in similarity) == sorted(
            round(float(s), 5) for s in _similarities(store, vector, expected)
        )


def _similarities(store: ParagraphStore, vector: np.ndarray, ids: list[str]) -> list[float]:
    rows = store.get(ids)
    return [float(v @ vector) for v in np.asarray(store._embedder([r.text for r in rows]))]


def test_ranges_become_sets_only_when_small() -> None:
    from vectorstore.chroma_store import _ranges_as_sets

    small = _ranges_as_sets({"$and": [{"date": {"$gte": 20210901}}, {"date": {"$lte": 20210930}},
                                      {"date": {"$gt": 0}}, {"province": "X"}]})  # fmt: skip
    assert small == {
        "$and": [{"province": "X"}, {"date": {"$in": list(range(20210901, 20210931))}}]
    }
    wide = _ranges_as_sets({"date": {"$gte": 20200101}})
    assert wide == {"date": {"$gte": 20200101}}
    assert _ranges_as_sets({"province": "X"}) == {"province": "X"}


def test_unknown_operators_are_left_to_chroma(tmp_path: Path) -> None:
    from vectorstore.chroma_store import _checkable

    assert _checkable({"$and": [{"date": {"$gte": 1}}, {"province": "X"}]})
    assert not _checkable({"$or": [{"date": {"$gte": 1}}, {"province": "X"}]})
    assert not _checkable({"text": {"$contains": "x"}})
