"""Units scored as one text: a group of rows scores as one row made of their tokens would."""

from __future__ import annotations

import random

import numpy as np
import pytest

from vectorstore import GroupedBM25, LexicalIndex

WORDS = ["cach", "ly", "tap", "trung", "f0", "tiem", "vac", "xin", "khu", "dieu", "kien", "5k"]


def rows_and_groups(seed: int = 3) -> tuple[list[tuple[str, list[str]]], list[int]]:
    """Rows of random words, each in one of 25 groups (0: in none, as a title record is)."""
    rng = random.Random(seed)
    rows = [(f"d{i % 5}@v1#{i}", [rng.choice(WORDS) for _ in range(rng.randint(1, 20))])
            for i in range(200)]  # fmt: skip
    groups = [rng.randint(0, 25) for _ in rows]
    return rows, groups


def merged(rows: list[tuple[str, list[str]]], groups: list[int]) -> LexicalIndex:
    """An index with one row per group: its rows' tokens together."""
    tokens: dict[int, list[str]] = {}
    for (_, words), group in zip(rows, groups, strict=True):
        if group:
            tokens.setdefault(group, []).extend(words)
    return LexicalIndex.build([(f"g@v1#{g}", t) for g, t in tokens.items()], token="m")


@pytest.mark.parametrize("query", [["cach", "ly"], ["dieu", "kien", "khu"], ["5k"], ["khong"]])
def test_a_group_scores_as_one_row_of_its_tokens(query: list[str]) -> None:
    rows, groups = rows_and_groups()
    index = LexicalIndex.build(rows, token="t")
    grouped = GroupedBM25(index, np.asarray(groups, dtype=np.int64))
    expected = dict(merged(rows, groups).search(query, k=1_000))
    got = grouped.scores(query, np.arange(len(rows)))
    for n, group in enumerate(groups):
        want = expected.get(f"g@v1#{group}", 0.0) if group else 0.0
        assert got[n] == pytest.approx(want, rel=1e-5, abs=1e-6)


def test_removed_rows_leave_their_group() -> None:
    rows, groups = rows_and_groups(seed=5)
    index = LexicalIndex.build(rows, token="t")
    gone = {row_id for (row_id, _), g in zip(rows, groups, strict=True) if g in (3, 4)}
    index.remove(gone)
    grouped = GroupedBM25(index, np.asarray(groups, dtype=np.int64))
    kept = [(r, g) for r, g in zip(rows, groups, strict=True) if r[0] not in gone]
    expected = dict(merged([r for r, _ in kept], [g for _, g in kept]).search(["tiem"], k=1_000))
    got = grouped.scores(["tiem"], np.arange(len(rows)))
    for n, group in enumerate(groups):
        if rows[n][0] in gone or not group:
            assert got[n] == 0.0
        else:
            assert got[n] == pytest.approx(expected.get(f"g@v1#{group}", 0.0), rel=1e-5)
