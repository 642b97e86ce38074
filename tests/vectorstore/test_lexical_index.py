"""The in-place BM25 index: bm25s's scores, kept right through adds and removes, and its files."""

from __future__ import annotations

import random
from pathlib import Path

import bm25s
import numpy as np
import pytest

from vectorstore import LexicalIndex

WORDS = [
    "cach",
    "ly",
    "tap",
    "trung",
    "f0",
    "f1",
    "tiem",
    "vac",
    "xin",
    "mui",
    "ba",
    "khu",
    "pho",
    "phong",
    "toa",
    "gian",
    "xa",
    "hoi",
    "5k",
]


def corpus(n: int, seed: int = 1) -> list[tuple[str, list[str]]]:
    rng = random.Random(seed)
    return [(f"d{i % 7}@v1#{i}", [rng.choice(WORDS) for _ in range(rng.randint(0, 30))])
            for i in range(n)]  # fmt: skip


def scores(index: LexicalIndex, query: list[str]) -> dict[str, float]:
    return dict(index.search(query, k=10_000))


def test_scores_are_bm25s_lucene_scores() -> None:
    rows = corpus(300)
    ours = LexicalIndex.build(rows, token="t")
    reference = bm25s.BM25(k1=1.2, b=0.75)
    reference.index([tokens or ["∅"] for _, tokens in rows], show_progress=False)
    for query in (["cach", "ly"], ["f0", "f0", "tiem"], ["5k"], ["khong", "co"]):
        known = [reference.vocab_dict[t] for t in query if t in reference.vocab_dict]
        expected = reference.get_scores_from_ids(known) if known else np.zeros(len(rows))
        got = scores(ours, query)
        for (row_id, _), value in zip(rows, expected, strict=True):
            assert got.get(row_id, 0.0) == pytest.approx(float(value), rel=1e-5, abs=1e-6)


def test_adds_and_removes_give_the_scores_of_a_fresh_index() -> None:
    rows = corpus(400)
    index = LexicalIndex.build(rows[:250], token="a")
    index.add(rows[250:320])
    index.remove(r for r, _ in rows[100:180])
    index.add(rows[320:])
    index.add(rows[100:120])  # back again
    live = rows[:100] + rows[180:] + rows[100:120]
    fresh = LexicalIndex.build(live, token="b")
    assert len(index) == len(live)
    for query in (["cach", "ly", "tap"], ["mui", "ba"], ["xa", "hoi", "xa"]):
        assert scores(index, query) == pytest.approx(scores(fresh, query), rel=1e-5)


def test_a_mask_filters_and_removed_rows_never_come_back() -> None:
    rows = corpus(50)
    index = LexicalIndex.build(rows, token="t")
    index.remove([rows[0][0]])
    mask = np.zeros(len(index.ids), dtype=bool)
    mask[:10] = True
    found = [r for r, _ in index.search(["cach", "ly", "tiem", "f0"], k=50, mask=mask)]
    assert rows[0][0] not in found
    assert index.position(rows[0][0]) is None
    assert index.position(rows[7][0]) == index.ids.index(rows[7][0]) == 7
    assert set(found) <= {r for r, _ in rows[1:10]}


def test_the_top_k_is_the_exhaustive_top_k_with_common_and_rare_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Word frequencies like a real language's (a few words everywhere, most words rare), so
    # that the search stops scoring common words for rows that cannot reach the top k.
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(400)]
    weights = [1 / (rank + 1) for rank in range(len(vocabulary))]
    rows = [(f"d{i % 9}@v1#{i}", rng.choices(vocabulary, weights, k=rng.randint(3, 40)))
            for i in range(3000)]  # fmt: skip
    index = LexicalIndex.build(rows[:2000], token="t")
    index.add(rows[2000:])
    index.remove([r for r, _ in rows[::7]])
    mask = np.array([i % 3 != 0 for i in range(len(index.ids))])
    pruned = []  # terms scored only for the rows still in the running
    score = LexicalIndex._score

    def spy(self: LexicalIndex, scores: np.ndarray, term: object, among: object = None) -> None:
        pruned.append(among is not None)
        score(self, scores, term, among)  # type: ignore[arg-type]

    monkeypatch.setattr(LexicalIndex, "_score", spy)
    for _ in range(60):
        query = rng.choices(vocabulary, weights, k=rng.randint(2, 30)) + [rng.choice(vocabulary)]
        for chosen in (None, mask):
            everything = index.search(query, k=len(index.ids), mask=chosen)
            for k in (1, 5, 40):
                top = index.search(query, k=k, mask=chosen)
                assert [round(s, 4) for _, s in top] == [round(s, 4) for _, s in everything[:k]]
                assert {r for r, _ in top} <= {r for r, _ in everything}
    assert sum(pruned) > len(pruned) / 10  # the shortcut was taken, and often


def test_many_small_changes_are_merged(tmp_path: Path) -> None:
    rows = corpus(200)
    index = LexicalIndex.build(rows[:100], token="t")
    for start in range(100, 200, 5):
        index.add(rows[start : start + 5])
    assert len(index._segments) <= 9
    assert scores(index, ["tap", "trung"]) == pytest.approx(
        scores(LexicalIndex.build(rows, token="u"), ["tap", "trung"]), rel=1e-5
    )


def test_save_and_load_keep_changes_and_write_only_new_segments(tmp_path: Path) -> None:
    rows = corpus(300)
    index = LexicalIndex.build(rows[:200], token="one")
    index.save(tmp_path)
    first = (tmp_path / "segment-0.npz").stat().st_mtime_ns
    index.add(rows[200:])
    index.remove([rows[5][0]])
    index.token = "two"
    index.save(tmp_path)
    assert (tmp_path / "segment-0.npz").stat().st_mtime_ns == first
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None
    assert loaded.token == "two"
    assert loaded.ids == index.ids
    assert len(loaded) == len(index) == 299
    assert scores(loaded, ["vac", "xin"]) == scores(index, ["vac", "xin"])
    loaded.add(rows[5:6])
    assert rows[5][0] in scores(loaded, [t for t in rows[5][1][:3]]) or not rows[5][1]


def test_files_saved_with_float_term_frequencies_still_load(tmp_path: Path) -> None:
    # Indexes saved before term frequencies were stored as uint16 held float32.
    rows = corpus(200)
    index = LexicalIndex.build(rows, token="t")
    index.remove([rows[3][0]])
    index.save(tmp_path)
    segment = tmp_path / "segment-0.npz"
    with np.load(segment) as data:
        old = {"starts": data["starts"], "rows": data["rows"], "tf": data["tf"].astype(np.float32)}
    np.savez(segment, **old)
    loaded = LexicalIndex.load(tmp_path)
    assert loaded is not None
    for query in (["cach", "ly"], ["f0", "f0", "tiem"], ["mui", "ba"]):
        assert scores(loaded, query) == scores(index, query)
    assert rows[3][0] not in scores(loaded, rows[3][1])


def test_missing_or_foreign_files_mean_rebuild(tmp_path: Path) -> None:
    assert LexicalIndex.load(tmp_path / "nothing") is None
    (tmp_path / "manifest.json").write_text('{"format": 1}')
    assert LexicalIndex.load(tmp_path) is None
