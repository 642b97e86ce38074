"""BM25 of groups of an index's rows, each group read as one text (a section: its paragraphs).

A clause of a law answers with its article: "1. Cơ sở phải có đủ …" says little alone, its
article ("Điều 11. Điều kiện của cơ sở cách ly y tế", with its other clauses) says what it is
about. Scoring each candidate paragraph's whole section, as if the section were one row of
the index, finds the article a question is about when no single clause holds its words.
Computed from the row index's postings at query time, for the groups asked about only: no
second index to build, save or keep in step with the first.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from vectorstore.lexical_index import K1, B, LexicalIndex


class GroupedBM25:
    """BM25 over groups of the live rows of one state of a LexicalIndex.

    Args:
        index: the row index (not changed afterwards: build a new one after a change).
        keys: one group key per row number; 0 for a row in no group.
    """

    def __init__(self, index: LexicalIndex, keys: np.ndarray) -> None:
        self._index = index
        member = np.flatnonzero(index.live & (keys != 0))
        _, dense = np.unique(keys[member], return_inverse=True)
        self._group = np.full(len(index.ids), -1, dtype=np.int64)
        self._group[member] = dense
        self._count = int(dense.max()) + 1 if len(dense) else 0
        # Each group's rows, group by group (CSR): a question reads the rows of ~80 groups.
        order = np.argsort(dense, kind="stable")
        self._members = member[order]
        self._starts = np.zeros(self._count + 1, dtype=np.int64)
        np.cumsum(np.bincount(dense, minlength=self._count), out=self._starts[1:])
        lengths = np.bincount(dense, weights=index.lengths[member], minlength=self._count)
        average = float(lengths.mean()) if self._count else 1.0
        self._norm = K1 * (1 - B + B * lengths / average)
        self._df: dict[str, int] = {}  # groups per token, counted on first use

    def scores(self, tokens: Iterable[str], rows: np.ndarray) -> np.ndarray:
        """BM25 of each given row's group for the tokens (each counted once); 0 outside one.

        Args:
            tokens: the query's tokens.
            rows: row numbers of the index.
        """
        groups = np.full(len(rows), -1, dtype=np.int64)
        known = rows < len(self._group)  # a row added since this state was built: in none
        groups[known] = self._group[rows[known]]
        wanted = np.unique(groups[groups >= 0])
        if not len(wanted):
            return np.zeros(len(rows))
        spans = [(self._starts[g], self._starts[g + 1]) for g in wanted]
        members = np.concatenate([self._members[a:b] for a, b in spans])
        slots = np.repeat(np.arange(len(wanted)), [b - a for a, b in spans])
        total = np.zeros(len(wanted))
        for token in set(tokens):
            df = self._groups_with(token)
            if not df:
                continue
            tf = self._index.frequencies(token, members)
            counts = np.bincount(slots, weights=tf, minlength=len(wanted))
            idf = np.log(1 + (self._count - df + 0.5) / (df + 0.5))
            total += idf * counts / (self._norm[wanted] + counts)
        out = np.zeros(len(rows))
        inside = groups >= 0
        out[inside] = total[np.searchsorted(wanted, groups[inside])]
        return out

    def _groups_with(self, token: str) -> int:
        """How many groups hold the token (counted once per token for this state)."""
        df = self._df.get(token)
        if df is None:
            posted, _ = self._index.live_postings(token)
            of = self._group[posted]
            df = self._df[token] = len(np.unique(of[of >= 0]))
        return df
