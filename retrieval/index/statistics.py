"""Corpus statistics: how many rows and documents hold a word, for the index as it is now.

They belong to the index and change when it changes (a document added, replaced or removed):
the answerability decision reads them instead of numbers fitted on one corpus.
"""

from __future__ import annotations

import math

import numpy as np

from retrieval.index.rows import RowInfo
from vectorstore import LexicalIndex


class CorpusStatistics:
    """Row and document frequencies of the lexical tokens, over the committed rows.

    Args:
        index: the lexical index (row frequencies, rows holding a token).
        rows: the row table aligned with it (each row's document).
    """

    def __init__(self, index: LexicalIndex, rows: RowInfo) -> None:
        self._index = index
        names, codes = np.unique(rows.doc_ids, return_inverse=True)
        self._codes = codes.astype(np.int64)
        self.documents = len(names)
        self._doc_counts: dict[str, int] = {}

    @property
    def rows(self) -> int:
        """Live rows."""
        return len(self._index)

    def row_frequency(self, token: str) -> int:
        """How many live rows hold the token."""
        return self._index.row_frequency(token)

    def document_frequency(self, token: str) -> int:
        """How many documents hold the token in at least one row."""
        count = self._doc_counts.get(token)
        if count is None:
            rows = self._index.rows_with(token)
            count = int(np.unique(self._codes[rows]).size) if rows.size else 0
            self._doc_counts[token] = count
        return count

    def row_idf(self, token: str) -> float:
        """BM25's idf of the token over the rows, scaled to 0-1 (1 for a token in no row)."""
        rows = self.row_frequency(token)
        live = max(1, self.rows)
        return math.log(1 + (live - rows + 0.5) / (rows + 0.5)) / math.log(1 + (live + 0.5) / 0.5)

    def document_weight(self, token: str) -> float:
        """1 for a token in no document, near 0 for a token in every document."""
        n = self.documents
        return math.log((n + 1) / (self.document_frequency(token) + 0.5)) / math.log((n + 1) / 0.5)
