"""The indexed notices: ingest, replace, remove, list; keeps the lexical index in step."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.accents import AccentRestorer
from retrieval.errors import DocumentNotFoundError, ParseError
from retrieval.lexical import document_tokens
from retrieval.notices import load_notice
from retrieval.reading import SUPPORTED_SUFFIXES
from retrieval.records import (
    catalog_metadata,
    meta_from_catalog,
    paragraph_from_row,
    paragraph_metadata,
)
from retrieval.types import DocumentInfo, Notice, NoticeMeta, Paragraph
from vectorstore import EmbeddingError, LexicalIndex, ParagraphStore, StoreUnavailableError, row_id

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
    """Notices in a ParagraphStore plus a BM25 index rebuilt from it when it changes.

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
        self.lexical = LexicalIndex.build([], token="")
        self.restorer = AccentRestorer.build([])
        empty = np.array([], dtype=object)
        self.rows = RowInfo(
            [], empty, empty, np.array([], dtype=np.int64), np.array([], dtype=bool)
        )
        self.refresh(force=True)

    # -- keeping in step -----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> None:
        """Reload the catalog and lexical index if the store changed since last time."""
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self._refresh_seconds:
                return
            self._checked_at = now
            raw = self.store.catalog()
            token = _token(raw)
            if token == self._token and not force:
                return
            self.catalog = {d: meta_from_catalog(d, m) for d, m in raw.items()}
            self.versions = {d: str(m.get("version")) for d, m in raw.items()}
            self.counts = {d: int(m.get("paragraphs", 0) or 0) for d, m in raw.items()}
            self.body_counts = {d: int(m.get("body_paragraphs", 0) or 0) for d, m in raw.items()}
            self._load_lexical(token)
            self._token = token

    def _load_lexical(self, token: str) -> None:
        saved = LexicalIndex.load(self._lexical_dir) if self._lexical_dir else None
        accents_file = (
            self._lexical_dir.with_name(self._lexical_dir.name + ".accents.json")
            if self._lexical_dir
            else None
        )
        restorer = AccentRestorer.load(accents_file) if accents_file and saved else None
        fresh = saved is not None and saved.token == token and restorer is not None
        rows = list(self.store.rows(include_text=not fresh))
        if saved is not None and restorer is not None and fresh:
            index = saved
        else:
            started = time.perf_counter()
            index = LexicalIndex.build(((r.id, document_tokens(r.text)) for r in rows), token=token)
            restorer = AccentRestorer.build(r.text for r in rows)
            if self._lexical_dir and accents_file:
                restorer.save(accents_file)
                index.save(self._lexical_dir)
            logger.info(
                "Lexical index rebuilt: %d rows in %.2fs", len(index), time.perf_counter() - started
            )
        by_id = {r.id: r.metadata for r in rows}
        metas = [by_id.get(i, {}) for i in index.ids]
        self.rows = RowInfo(
            ids=index.ids,
            doc_ids=np.array([m.get("doc_id", "") for m in metas], dtype=object),
            provinces=np.array([m.get("province", "") for m in metas], dtype=object),
            dates=np.array([int(m.get("date", 0) or 0) for m in metas], dtype=np.int64),
            bodies=np.array([m.get("role", "body") == "body" for m in metas], dtype=bool),
        )
        self.lexical = index
        self.restorer = restorer

    # -- changing ------------------------------------------------------------------------

    def ingest(
        self, paths: Iterable[Path], *, progress: ProgressFactory | None = None
    ) -> list[IngestResult]:
        """Ingest files and folders; a broken file is reported and the others still go in."""
        results = []
        for path in _expand(paths):
            results.append(self.ingest_file(path, progress=progress))
        self.refresh(force=True)
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

    def documents(self) -> list[DocumentInfo]:
        """Indexed documents, newest first (undated last)."""
        self.refresh()
        docs = [
            DocumentInfo(
                meta=m, paragraph_count=self.body_counts.get(d, 0), fingerprint=self.versions[d]
            )
            for d, m in self.catalog.items()
        ]
        return sorted(docs, key=lambda d: (d.meta.date is not None, d.meta.date, d.meta.doc_id),
                      reverse=True)  # fmt: skip

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


def _token(raw: Mapping[str, Mapping[str, object]]) -> str:
    pairs = "|".join(sorted(f"{d}={m.get('version')}" for d, m in raw.items()))
    return hashlib.sha256(pairs.encode()).hexdigest()[:16]


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
