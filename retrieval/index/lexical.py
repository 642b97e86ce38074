"""The lexical side of the library: BM25 index, accent model and row table, following the store."""

from __future__ import annotations

import json
import logging
import time

import numpy as np

from retrieval.index.accent_counts import AccentCounts
from retrieval.index.catalog import CatalogView
from retrieval.index.lexical_files import LexicalFiles, LexicalState
from retrieval.index.rows import RowInfo
from retrieval.index.units import unit_key
from retrieval.text import AccentRestorer, document_tokens
from vectorstore import LexicalIndex, ParagraphStore, Row, document_of, row_id

logger = logging.getLogger(__name__)

_REBUILD_PAGE = 10_000
_GET_PAGE = 5_000


class LexicalMirror:
    """A BM25 index, accent model and row table over the committed rows of a store.

    Args:
        files: where the lexical files are saved after every change; None keeps them in
            memory only.
    """

    def __init__(self, files: LexicalFiles | None) -> None:
        self._files = files
        self._followed = False
        self.index = LexicalIndex.build([], token="")
        self.restorer = AccentRestorer.build([])
        self.rows = RowInfo.empty()
        self._bodies = np.empty(0, dtype=bool)
        self.units = np.empty(0, dtype=np.int64)  # each row's unit (units.unit_key)

    def follow(self, store: ParagraphStore, catalog: CatalogView, token: str) -> None:
        """Apply what changed in the store since the last call, and save if anything did.

        The first call starts from the saved files (or rebuilds from the store without them);
        then only the documents added, replaced or removed are applied, unless so many changed
        that a rebuild is cheaper.

        Args:
            store: the store the catalog was read from.
            catalog: the store's catalog, just read.
            token: the store's state token when the catalog was read.
        """
        if not self._followed:
            saved = self._files.load() if self._files else None
            if saved is None:
                self._rebuild(store, catalog, token)
                self._followed = True
                return
            self._set(saved, catalog)
        self._sync(store, catalog, token)
        self._followed = True

    def _sync(self, store: ParagraphStore, catalog: CatalogView, token: str) -> None:
        started = time.perf_counter()
        index, versions = self.index, catalog.versions
        indexed = _indexed_versions(index)
        stale = [d for d, v in indexed.items() if versions.get(d) != v]
        fresh = [d for d, v in versions.items() if indexed.get(d) != v]
        if not stale and not fresh and index.token == token:
            return
        if len(stale) + len(fresh) > max(50, len(versions) // 4):
            self._rebuild(store, catalog, token)  # cheaper than many small steps; also compacts
            return
        gone = set(stale)
        index.remove(i for i in index.ids if document_of(i) in gone)
        wanted = [row_id(d, versions[d], i) for d in fresh for i in range(catalog.counts[d])]
        rows = [r for start in range(0, len(wanted), _GET_PAGE)
                for r in store.get(wanted[start : start + _GET_PAGE])]  # fmt: skip
        index.add((r.id, document_tokens(searchable_text(r))) for r in rows)
        index.token = token
        # Removed texts are not taken out of the accent model: their words stay possible
        # spellings until the next rebuild, which is harmless.
        restorer = self.restorer
        if rows:
            accents = AccentCounts(restorer)
            accents.add([r.text for r in rows])
            restorer = accents.restorer()
        bodies, units = self._flags_with(rows)
        self._set(LexicalState(index, restorer, bodies, units), catalog)
        self._save()
        logger.info(
            "Lexical index updated: -%d +%d documents (%d rows) in %.2fs",
            len(stale), len(fresh), len(rows), time.perf_counter() - started,
        )  # fmt: skip

    def _rebuild(self, store: ParagraphStore, catalog: CatalogView, token: str) -> None:
        # Streamed page by page: at 300,000 rows, holding every row and its tokens at once
        # took the process to 5 GB.
        started = time.perf_counter()
        index = LexicalIndex(token)
        accents = AccentCounts()
        bodies: list[bool] = []
        units: list[int] = []
        page: list[Row] = []
        for row in store.rows():
            page.append(row)
            if len(page) == _REBUILD_PAGE:
                _index_page(page, index, accents, bodies, units)
                page = []
        _index_page(page, index, accents, bodies, units)
        state = LexicalState(index, accents.restorer(), np.asarray(bodies, dtype=bool),
                             np.asarray(units, dtype=np.int64))  # fmt: skip
        self._set(state, catalog)
        self._save()
        logger.info(
            "Lexical index rebuilt: %d rows in %.2fs", len(bodies), time.perf_counter() - started
        )

    def _flags_with(self, rows: list[Row]) -> tuple[np.ndarray, np.ndarray]:
        """The body flags and units with the rows appended since, aligned with the lexical ids."""
        by_id = {r.id: r for r in rows}
        extra = [by_id.get(i) for i in self.index.ids[len(self._bodies) :]]
        bodies = np.array([r is None or _is_body(r) for r in extra], dtype=bool)
        units = np.array([0 if r is None else unit_key(r.metadata) for r in extra], np.int64)
        return np.concatenate([self._bodies, bodies]), np.concatenate([self.units, units])

    def _set(self, state: LexicalState, catalog: CatalogView) -> None:
        self.index, self.restorer, self._bodies = state.index, state.restorer, state.bodies
        self.units = state.units
        self.rows = RowInfo.build(state.index.ids, state.bodies & state.index.live, catalog.metas)

    def _save(self) -> None:
        if self._files:
            self._files.save(LexicalState(self.index, self.restorer, self._bodies, self.units))


def _index_page(
    page: list[Row],
    index: LexicalIndex,
    accents: AccentCounts,
    bodies: list[bool],
    units: list[int],
) -> None:
    if not page:
        return
    index.add(((r.id, document_tokens(searchable_text(r))) for r in page), chunk=len(page))
    accents.add([r.text for r in page])
    bodies += [_is_body(r) for r in page]
    units += [unit_key(r.metadata) for r in page]


def searchable_text(row: Row) -> str:
    """What BM25 reads of a row: its nearest heading, then its text.

    A clause of a law rarely repeats its article's subject ("1. Cơ sở phải có đủ …" under
    "Điều 11. Điều kiện của cơ sở cách ly y tế"); a notice's bullet relies on its section's
    heading the same way. The heading is read once per paragraph, as a reader of the
    section would.
    """
    headings = json.loads(str(row.metadata.get("headings") or "[]"))
    return f"{headings[-1]}\n{row.text}" if headings else row.text


def _is_body(row: Row) -> bool:
    return row.metadata.get("role", "body") == "body"


def _indexed_versions(index: LexicalIndex) -> dict[str, str]:
    """Document -> version of the live rows of a lexical index (row ids say both)."""
    found: dict[str, str] = {}
    for i in np.flatnonzero(index.live):
        doc_id, _, rest = index.ids[i].rpartition("@")
        found.setdefault(doc_id, rest.rsplit("#", 1)[0])
    return found
