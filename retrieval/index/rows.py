"""The row table: document, province, date and role of every lexical row, for filters."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from retrieval.index.records import date_int
from retrieval.types import NoticeMeta, SearchFilters
from vectorstore import document_of


@dataclass(frozen=True)
class RowInfo:
    """Per-row facts kept in memory for lexical filtering, aligned with the lexical row numbers.

    Attributes:
        ids: the row ids, as the lexical index numbers them.
        doc_ids: the document of each row.
        provinces: the document's province ("" for none).
        dates: the document's date as YYYYMMDD (0 for unknown).
        bodies: True for live body paragraphs (not title, recipients, signature, removed rows).
    """

    ids: list[str]
    doc_ids: np.ndarray
    provinces: np.ndarray
    dates: np.ndarray
    bodies: np.ndarray

    @classmethod
    def empty(cls) -> RowInfo:
        """The table of an empty index."""
        none = np.array([], dtype=object)
        return cls([], none, none, np.array([], dtype=np.int64), np.array([], dtype=bool))

    @classmethod
    def build(cls, ids: list[str], bodies: np.ndarray, metas: Mapping[str, NoticeMeta]) -> RowInfo:
        """The table of the given rows.

        Args:
            ids: the lexical index's row ids.
            bodies: one bool per row, True for live body paragraphs.
            metas: the catalog, for each document's province and date.
        """
        # Province and date are the document's (paragraph rows carry the same values).
        # Fixed-width strings, not objects: a filter compares 300,000 of them in 3 ms, not 10.
        doc_list = [document_of(i) for i in ids]
        province = {d: m.province or "" for d, m in metas.items()}
        date = {d: date_int(m.date) for d, m in metas.items()}
        return cls(
            ids=ids,
            doc_ids=np.array(doc_list, dtype=str),
            provinces=np.array([province.get(d, "") for d in doc_list], dtype=str),
            dates=np.array([date.get(d, 0) for d in doc_list], dtype=np.int64),
            bodies=bodies,
        )

    def allowed(self, filters: SearchFilters, *, records: bool = False) -> np.ndarray | None:
        """One bool per row: the rows a search with these filters may return.

        Args:
            filters: province, document and date restrictions.
            records: also allow title, recipients and signature records (not only body
                paragraphs).

        Returns:
            The mask, or None when every row is allowed.
        """
        if filters.empty and records:
            return None
        mask = np.ones(len(self.ids), dtype=bool) if records else self.bodies.copy()
        if filters.province:
            mask &= self.provinces == filters.province
        if filters.doc_id:
            mask &= self.doc_ids == filters.doc_id
        if filters.date_from:
            mask &= self.dates >= date_int(filters.date_from)
        if filters.date_to:
            mask &= (self.dates <= date_int(filters.date_to)) & (self.dates > 0)
        return mask
