"""The indexed notices: ingest, replace, remove, list; keeps the lexical index in step."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.errors import DocumentNotFoundError, ParseError
from retrieval.index.records import (
    catalog_metadata,
    date_int,
    meta_from_catalog,
    paragraph_from_row,
    paragraph_metadata,
)
from retrieval.parse import SUPPORTED_SUFFIXES, load_notice
from retrieval.text import AccentRestorer, document_tokens, find_provinces
from retrieval.types import DocumentInfo, Notice, NoticeMeta, Paragraph
from vectorstore import (
    EmbeddingError,
    LexicalIndex,
    ParagraphStore,
    Row,
    StoreUnavailableError,
    document_of,
    row_id,
)

logger = logging.getLogger(__name__)

ProgressFactory = Callable[[int, str], Callable[[int], None]]


@dataclass(frozen=True)
class IngestResult:
    """What happened to one file."""

    path: str
    doc_id: str | None = None
    title: str | None = None
    meta: NoticeMeta | None = None
    paragraphs: int = 0
    changed: bool = False
    error: str | None = None


@dataclass(frozen=True)
class RowInfo:
    """Per-row facts kept in memory for lexical filtering."""

    ids: list[str]
    doc_ids: np.ndarray
    provinces: np.ndarray
    dates: np.ndarray
    bodies: np.ndarray


class Library:
    """Notices in a ParagraphStore plus a BM25 index that follows it (see refresh).

    Args:
        store: the paragraph store (embedded folder or Chroma server).
        lexical_dir: where the BM25 files live; None keeps them in memory only.
        refresh_seconds: how often to check whether another process changed the store.
    """

    def __init__(
        self, store: ParagraphStore, *, lexical_dir: Path | None, refresh_seconds: float = 5.0
    ) -> None:
        self.store = store
        self._lexical_dir = lexical_dir
        self._refresh_seconds = refresh_seconds
        self._lock = threading.RLock()
        self._checked_at = 0.0
        self._token = ""
        self.catalog: dict[str, NoticeMeta] = {}
        self.versions: dict[str, str] = {}
        self.counts: dict[str, int] = {}
        self.body_counts: dict[str, int] = {}
        self.provinces: frozenset[str] = frozenset()
        self.documents_by_province: dict[str, list[str]] = {}
        self.lexical = LexicalIndex.build([], token="")
        self.restorer = AccentRestorer.build([])
        self._bodies = np.empty(0, dtype=bool)
        empty = np.array([], dtype=object)
        self.rows = RowInfo(
            [], empty, empty, np.array([], dtype=np.int64), np.array([], dtype=bool)
        )
        self.refresh(force=True)

    # -- keeping in step -----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> None:
        """Bring the catalog and lexical index in step with the store, if it changed.

        Checks at most every ``refresh_seconds`` (one small read, the store's state token);
        only when the token moved is the catalog read, and then only the documents that were
        added, replaced or removed are applied to the lexical index (see ``_sync_lexical``).
        This is how several processes sharing one Chroma server stay consistent: each keeps
        its own lexical index and follows the shared store.
        """
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self._refresh_seconds:
                return
            self._checked_at = now
            token = self.store.state_token()
            if token == self._token and not force:
                return
            raw = self.store.catalog()
            self.catalog = {d: meta_from_catalog(d, m) for d, m in raw.items()}
            self.versions = {d: str(m.get("version")) for d, m in raw.items()}
            self.counts = {d: int(m.get("paragraphs", 0) or 0) for d, m in raw.items()}
            self.body_counts = {d: int(m.get("body_paragraphs", 0) or 0) for d, m in raw.items()}
            # Asked on every question; derived once per change, not per question.
            by_province: dict[str, list[str]] = {}
            for doc_id, meta in self.catalog.items():
                if meta.province:
                    by_province.setdefault(meta.province, []).append(doc_id)
            self.documents_by_province = by_province
            self.provinces = frozenset(by_province)
            self._sync_lexical(token)
            self._token = token

    def _sync_lexical(self, token: str) -> None:
        started = time.perf_counter()
        first_load = not self._token
        if first_load and not self._load_saved():  # else the saved files, brought up to date
            self._rebuild(token)
            return
        index = self.lexical
        indexed = _indexed_versions(index)
        stale = [d for d, v in indexed.items() if self.versions.get(d) != v]
        fresh = [d for d, v in self.versions.items() if indexed.get(d) != v]
        if not stale and not fresh and index.token == token:
            return
        if len(stale) + len(fresh) > max(50, len(self.versions) // 4):
            self._rebuild(token)  # cheaper than many small steps; also compacts the index
            return
        gone = set(stale)
        index.remove(i for i in index.ids if document_of(i) in gone)
        wanted = [row_id(d, self.versions[d], i) for d in fresh for i in range(self.counts[d])]
        rows = [r for start in range(0, len(wanted), 5000)
                for r in self.store.get(wanted[start : start + 5000])]  # fmt: skip
        index.add((r.id, document_tokens(r.text)) for r in rows)
        index.token = token
        self._append_rows(rows)
        self.restorer = _with_texts(self.restorer, [r.text for r in rows])
        self._save()
        logger.info(
            "Lexical index updated: -%d +%d documents (%d rows) in %.2fs",
            len(stale), len(fresh), len(rows), time.perf_counter() - started,
        )  # fmt: skip

    def _rebuild(self, token: str) -> None:
        # Streamed page by page: at 300,000 rows, holding every row and its tokens at once
        # took the process to 5 GB.
        started = time.perf_counter()
        index = LexicalIndex(token)
        accents = _AccentCounts()
        bodies: list[bool] = []
        page: list[Row] = []
        for row in self.store.rows():
            page.append(row)
            if len(page) == _REBUILD_PAGE:
                _index_page(page, index, accents, bodies)
                page = []
        _index_page(page, index, accents, bodies)
        self.lexical, self.restorer = index, accents.restorer()
        self._bodies = np.asarray(bodies, dtype=bool)
        self._set_rows()
        self._save()
        logger.info(
            "Lexical index rebuilt: %d rows in %.2fs", len(bodies), time.perf_counter() - started
        )

    def _load_saved(self) -> bool:
        if not self._lexical_dir:
            return False
        index = LexicalIndex.load(self._lexical_dir)
        restorer = AccentRestorer.load(self._side_file(".accents.json"))
        try:
            bodies = np.load(self._side_file(f".bodies-{len(index.ids)}.npy")) if index else None
        except (OSError, ValueError):
            bodies = None
        if index is None or restorer is None or bodies is None:
            return False
        self.lexical, self.restorer, self._bodies = index, restorer, bodies
        self._set_rows()
        return True

    def _save(self) -> None:
        if not self._lexical_dir:
            return
        self.lexical.save(self._lexical_dir)
        self.restorer.save(self._side_file(".accents.json"))
        bodies = self._side_file(f".bodies-{len(self.lexical.ids)}.npy")
        for old in bodies.parent.glob(f"{self._lexical_dir.name}.bodies-*.npy"):
            old.unlink(missing_ok=True)
        np.save(bodies, self._bodies)

    def _side_file(self, suffix: str) -> Path:
        assert self._lexical_dir is not None
        return self._lexical_dir.with_name(self._lexical_dir.name + suffix)

    def _append_rows(self, rows: list[Row]) -> None:
        """Record which new rows are bodies (not signatures), aligned with the lexical ids."""
        role = {r.id: r.metadata.get("role", "body") == "body" for r in rows}
        extra = self.lexical.ids[len(self._bodies) :]
        self._bodies = np.concatenate(
            [self._bodies, np.array([role.get(i, True) for i in extra], dtype=bool)]
        )
        self._set_rows()

    def _set_rows(self) -> None:
        # Province and date are the document's (paragraph rows carry the same values).
        # Fixed-width strings, not objects: a filter compares 300,000 of them in 3 ms, not 10.
        ids = self.lexical.ids
        doc_list = [document_of(i) for i in ids]
        province = {d: m.province or "" for d, m in self.catalog.items()}
        date = {d: date_int(m.date) for d, m in self.catalog.items()}
        self.rows = RowInfo(
            ids=ids,
            doc_ids=np.array(doc_list, dtype=str),
            provinces=np.array([province.get(d, "") for d in doc_list], dtype=str),
            dates=np.array([date.get(d, 0) for d in doc_list], dtype=np.int64),
            bodies=self._bodies & self.lexical.live,
        )

    # -- changing ------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[Path], *, progress: ProgressFactory | None = None
    ) -> list[IngestResult]:
        """Ingest files and folders; a broken file is reported and the others still go in."""
        results = []
        for path in _expand(paths):
            results.append(self.ingest_file(path, progress=progress))
        try:
            self.refresh(force=True)
        except StoreUnavailableError:
            # The store went away during the run: the files it affected say so in their
            # results; the next use of the library catches up with what was committed.
            if not any(r.error for r in results):
                raise
            logger.warning("Index unavailable after ingest; it will be re-read on next use")
        return results

    def ingest_file(
        self, path: Path, *, doc_id: str | None = None, progress: ProgressFactory | None = None
    ) -> IngestResult:
        """Parse and index one file; all or nothing."""
        try:
            notice = load_notice(path, doc_id=doc_id)
        except ParseError as exc:
            logger.warning("Skipped %s: %s", path.name, exc.reason)
            return IngestResult(path=str(path), error=str(exc))
        try:
            changed = self.put(notice, progress=progress)
        except (EmbeddingError, StoreUnavailableError) as exc:
            # Nothing was committed for this file (see ParagraphStore.put_document).
            logger.warning("Could not index %s: %s", path.name, type(exc).__name__)
            return IngestResult(path=str(path), doc_id=notice.meta.doc_id, error=f"{path}: {exc}")
        return IngestResult(
            path=str(path),
            doc_id=notice.meta.doc_id,
            title=notice.meta.title,
            meta=notice.meta,
            paragraphs=len(notice.body),
            changed=changed,
        )

    def put(
        self, notice: Notice, *, progress: ProgressFactory | None = None, batch_size: int = 32
    ) -> bool:
        """Index a parsed notice (replacing an older version); False if unchanged."""
        texts = [p.text for p in notice.paragraphs]
        metas = [paragraph_metadata(notice, p) for p in notice.paragraphs]
        tick = progress(len(texts), notice.meta.doc_id) if progress else None
        with self._lock:
            changed = self.store.put_document(
                notice.meta.doc_id, notice.fingerprint, catalog_metadata(notice), texts, metas,
                progress=tick, batch_size=batch_size,
            )  # fmt: skip
            if changed:
                logger.info("Indexed %s: %d paragraphs", notice.meta.doc_id, len(texts))
                self.refresh(force=True)
        return changed

    def remove(self, doc_id: str) -> NoticeMeta:
        """Remove a document; raises DocumentNotFoundError if it is not indexed."""
        with self._lock:
            self.refresh(force=True)
            meta = self.catalog.get(doc_id)
            if meta is None or not self.store.delete_document(doc_id):
                raise DocumentNotFoundError(f"no document with id {doc_id!r}; see `chithi docs`")
            self.refresh(force=True)
            return meta

    # -- reading -------------------------------------------------------------------------

    def documents(self, province: str | None = None) -> list[DocumentInfo]:
        """Indexed documents (of one province, if given), newest first (undated last)."""
        self.refresh()
        docs = [
            DocumentInfo(
                meta=m, paragraph_count=self.body_counts.get(d, 0), fingerprint=self.versions[d]
            )
            for d, m in self.catalog.items()
            if province is None or m.province == province
        ]
        return sorted(docs, key=lambda d: (d.meta.date is not None, d.meta.date, d.meta.doc_id),
                      reverse=True)  # fmt: skip

    def named_province(self, question: str) -> str | None:
        """The province a question names, if it names exactly one that has notices."""
        named = [p for p in find_provinces(question) if p in self.provinces]
        return named[0] if len(named) == 1 else None

    def is_empty(self) -> bool:
        """True when no document is indexed."""
        return not self.catalog

    def paragraph(self, paragraph_id: str) -> Paragraph | None:
        """The stored paragraph with this id ("DOC_ID:POSITION"), or None if it is not indexed.

        Args:
            paragraph_id: a Paragraph.id, as in Citation.paragraph_id.

        Returns:
            The paragraph of the document's current version, or None for an unknown document,
            a position past its end or a malformed id.
        """
        doc_id, _, position = paragraph_id.rpartition(":")
        if not doc_id or not position.isdigit():
            return None
        self.refresh()
        version = self.versions.get(doc_id)
        if version is None:
            return None
        rows = self.store.get([row_id(doc_id, version, int(position))])
        return paragraph_from_row(rows[0].text, rows[0].metadata) if rows else None

    def paragraphs(self, doc_id: str) -> list[Paragraph]:
        """All stored records of a document (body, title, recipients, signature), in order."""
        self.refresh()
        version = self.versions.get(doc_id)
        if version is None:
            return []
        ids = [row_id(doc_id, version, i) for i in range(self.counts.get(doc_id, 0))]
        return [paragraph_from_row(r.text, r.metadata) for r in self.store.get(ids)]


_REBUILD_PAGE = 10_000


def _index_page(
    page: list[Row], index: LexicalIndex, accents: _AccentCounts, bodies: list[bool]
) -> None:
    if not page:
        return
    index.add(((r.id, document_tokens(r.text)) for r in page), chunk=len(page))
    accents.add([r.text for r in page])
    bodies += [r.metadata.get("role", "body") == "body" for r in page]


class _AccentCounts:
    """The accent model's counts, summed over pages of texts."""

    def __init__(self) -> None:
        self.unigrams: dict[str, int] = {}
        self.bigrams: dict[str, int] = {}
        seeds = AccentRestorer.build([])
        self._seeds = (seeds.unigrams, seeds.bigrams)

    def add(self, texts: list[str]) -> None:
        more = AccentRestorer.build(texts)
        for total, counts, seed in ((self.unigrams, more.unigrams, self._seeds[0]),
                                    (self.bigrams, more.bigrams, self._seeds[1])):  # fmt: skip
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count - seed.get(key, 0)

    def restorer(self) -> AccentRestorer:
        unigrams, bigrams = dict(self._seeds[0]), dict(self._seeds[1])
        for total, counts in ((unigrams, self.unigrams), (bigrams, self.bigrams)):
            for key, count in counts.items():
                total[key] = total.get(key, 0) + count
        return AccentRestorer({k: v for k, v in unigrams.items() if v > 0},
                              {k: v for k, v in bigrams.items() if v > 0})  # fmt: skip


def _with_texts(restorer: AccentRestorer, texts: list[str]) -> AccentRestorer:
    """The accent model with the counts of more texts added.

    Removed texts are not taken out: their words stay possible spellings until the next
    rebuild, which is harmless.
    """
    if not texts:
        return restorer
    added, seeds = AccentRestorer.build(texts), AccentRestorer.build([])
    unigrams, bigrams = dict(restorer.unigrams), dict(restorer.bigrams)
    for total, more, seed in ((unigrams, added.unigrams, seeds.unigrams),
                              (bigrams, added.bigrams, seeds.bigrams)):  # fmt: skip
        for key, count in more.items():
            total[key] = total.get(key, 0) + count - seed.get(key, 0)
    return AccentRestorer(unigrams, bigrams)


def _indexed_versions(index: LexicalIndex) -> dict[str, str]:
    """Document -> version of the live rows of a lexical index (row ids say both)."""
    found: dict[str, str] = {}
    for i in np.flatnonzero(index.live):
        doc_id, _, rest = index.ids[i].rpartition("@")
        found.setdefault(doc_id, rest.rsplit("#", 1)[0])
    return found


def _expand(paths: Iterable[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(
                p for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )  # fmt: skip
        else:
            out.append(path)
    return out
