"""Nearest paragraphs by vector, kept to the rows a filter allows.

Filters are checked here, on the row table the Library keeps in memory, not by Chroma: at
300,000 rows Chroma's metadata filter cost 120-150 ms for one province and more for a month,
while the vector search itself takes 2 ms. A filter that keeps many rows is checked on the
nearest rows; one that keeps few asks Chroma for the nearest among those rows' ids.
"""

from __future__ import annotations

import math

import numpy as np

from vectorstore import DenseHit, LexicalIndex, ParagraphStore

WIDE_SHARE = 0.2  # filters keeping at least this share of the rows are checked on the nearest
MAX_NEAREST = 2000  # nearest rows asked for at most before asking among the allowed ids


def nearest_allowed(
    store: ParagraphStore,
    index: LexicalIndex,
    vector: np.ndarray,
    *,
    k: int,
    allowed: np.ndarray | None,
) -> list[DenseHit]:
    """The k rows nearest to a query vector among the allowed ones, nearest first.

    Args:
        store: the paragraph store (its vectors).
        index: the lexical index, which numbers the committed rows.
        vector: the query vector.
        k: how many rows to return.
        allowed: one bool per lexical row number, or None for every row.
    """
    allowed = index.live if allowed is None else allowed & index.live
    count = int(allowed.sum())
    if not count:
        return []
    share = count / max(1, len(index))
    if share >= WIDE_SHARE:
        n = math.ceil(1.5 * k / share) + 8
        while True:
            hits, returned = store.nearest(vector, n)
            # Rows the lexical index does not know are uncommitted versions (or committed by
            # another process since the last refresh): skipped, as the lexical side does.
            kept = [h for h in hits if _allowed(index.position(h.id), allowed)]
            if len(kept) >= k or returned < n:
                return kept[:k]
            if n >= MAX_NEAREST:
                break
            n = min(4 * n, MAX_NEAREST)
    return store.nearest_among(vector, [index.ids[i] for i in np.flatnonzero(allowed)], k)


def _allowed(position: int | None, allowed: np.ndarray) -> bool:
    return position is not None and bool(allowed[position])
