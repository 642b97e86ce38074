"""The indexed notices: ingest, replace, remove and read them, with the lexical side in step."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

from retrieval.errors import DocumentNotFoundError, ParseError
from retrieval.index.catalog import CatalogView
from retrieval.index.files import IngestResult, ProgressFactory, notice_files
from retrieval.index.lexical import LexicalMirror
from retrieval.index.lexical_files import LexicalFiles
from retrieval.index.records import (
    catalog_metadata,
    meta_from_catalog,
    paragraph_from_row,
    paragraph_metadata,
)
from retrieval.index.rows import RowInfo
from retrieval.parse import LoadedFile, ReadLimits, doc_id_for, load_notices
from retrieval.text import AccentRestorer
from retrieval.types import DocumentInfo, Notice, NoticeMeta, Paragraph
from vectorstore import (
    EmbeddingError,
    LexicalIndex,
    ParagraphStore,
    StoreUnavailableError,
    row_id,
)

logger = logging.getLogger(__name__)


class Library:
    """Notices in a ParagraphStore plus a BM25 index that follows it (see refresh).

    The store is the source of truth: a document is committed there all or nothing, and the
    catalog view and lexical side are derived from it (after each change, and on start).

    Args:
        store: the paragraph store (embedded folder or Chroma server).
        lexical_dir: where the BM25 files live; None keeps them in memory only.
        refresh_seconds: how often to check whether another process changed the store.
        limits: what one file may cost to read (size, unpacked size, OCR pages).
    """

    def __init__(
        self,
        store: ParagraphStore,
        *,
        lexical_dir: Path | None,
        refresh_seconds: float = 5.0,
        limits: ReadLimits | None = None,
    ) -> None:
        self._store = store
        self.limits = limits or ReadLimits()
        self._refresh_seconds = refresh_seconds
        self._lock = threading.RLock()
        self._checked_at = 0.0
        self._token = ""
        self._view = CatalogView.from_records({})
        self._lexical = LexicalMirror(LexicalFiles(lexical_dir) if lexical_dir else None)
        self.refresh(force=True)

    # -- keeping in step -----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> None:
        """Bring the catalog and lexical index in step with the store, if it changed.

        Checks at most every ``refresh_seconds`` (one small read, the store's state token);
        only when the token moved is the catalog read, and then only the documents that were
        added, replaced or removed are applied to the lexical index (see LexicalMirror).
        This is how several processes sharing one Chroma server stay consistent: each keeps
        its own lexical index and follows the shared store.
        """
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked_at < self._refresh_seconds:
                return
            self._checked_at = now
            token = self._store.state_token()
            if token == self._token and not force:
                return
            self._view = CatalogView.from_records(self._store.catalog())
            self._lexical.follow(self._store, self._view, token)
            self._token = token

    # -- changing ------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        replace: bool = False,
        progress: ProgressFactory | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> list[IngestResult]:
        """Ingest files and folders; a broken file is reported and the others still go in.

        Each notice is committed to the store on its own, all or nothing; the catalog and
        the lexical index follow once, after the last file, and their files are saved once.

        Args:
            paths: files, and folders whose files are all tried (see notice_files).
            replace: let a file replace an indexed document that is a different notice
                (another province, date or number) under the same id.
            progress: called per document with its paragraph count (see ProgressFactory).
            overrides: what an administrator sets that the files do not state (date,
                province, supersedes; see load_notices), for every file of this run.

        Returns:
            One result per notice (a file may hold several), or one error per file.
        """
        results: list[IngestResult] = []
        batch: dict[str, NoticeMeta] = {}  # committed in this run, not yet in the view
        try:
            for path in notice_files(paths):
                results += self._commit_file(
                    path, replace=replace, progress=progress, batch=batch, overrides=overrides
                )
        finally:
            # Should a file raise, what was committed before it is in the store, and the next
            # read catches up with it (a crashed process does on its next start).
            self._checked_at = -math.inf
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
        self,
        path: Path,
        *,
        doc_id: str | None = None,
        replace: bool = False,
        progress: ProgressFactory | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> list[IngestResult]:
        """Parse and index one file, all or nothing per notice; in step when it returns.

        Args:
            path: the file.
            doc_id: the id to give it (replacing that document, whatever it is); by default
                the id of the document that came from a file of this name, else one made
                from the name (see _resolve_id).
            replace: as in `ingest`.
            progress: as in `ingest`.
            overrides: as in `ingest`.
        """
        results = self._commit_file(
            path, doc_id=doc_id, replace=replace, progress=progress, batch={}, overrides=overrides
        )
        if any(r.changed for r in results):
            self.refresh(force=True)
        return results

    def put(
        self, notice: Notice, *, progress: ProgressFactory | None = None, batch_size: int = 32
    ) -> bool:
        """Index a parsed notice (replacing an older version); False if unchanged.

        The library is in step with the store, and its lexical files saved, when it returns.
        """
        with self._lock:
            changed = self._commit(notice, progress=progress, batch_size=batch_size)
            if changed:
                self.refresh(force=True)
        return changed

    def remove(self, doc_id: str) -> NoticeMeta:
        """Remove a document; raises DocumentNotFoundError if it is not indexed."""
        with self._lock:
            record = self._store.catalog_record(doc_id)
            if record is None or not self._store.delete_document(doc_id):
                raise DocumentNotFoundError(f"no document with id {doc_id!r}; see `chithi docs`")
            self.refresh(force=True)
            return meta_from_catalog(doc_id, record)

    def _commit_file(
        self,
        path: Path,
        *,
        doc_id: str | None = None,
        replace: bool = False,
        progress: ProgressFactory | None = None,
        batch: dict[str, NoticeMeta],
        overrides: Mapping[str, str] | None = None,
    ) -> list[IngestResult]:
        """Parse one file and commit its notices, leaving the library to catch up.

        `batch` holds what this run committed before (the view catches up only at the end
        of a run): it keeps ids unique and conflicts seen within one run too. Without
        `overrides`, what an administrator set on the document before is kept; with them,
        they are what the administrator means, so they may replace a different notice.
        """
        explicit = doc_id is not None or bool(overrides)
        known = {**self._view.metas, **batch}
        base = doc_id or _resolve_id(path, known)
        if not overrides and base in known:
            overrides = dict(known[base].overrides)
        try:
            loaded = load_notices(path, doc_id=base, limits=self.limits, overrides=overrides)
        except ParseError as exc:
            logger.warning("Skipped %s: %s", path.name, exc.reason)
            return [IngestResult(path=str(path), error=str(exc))]
        except Exception as exc:  # never a traceback for one bad file: the others go on
            logger.debug("Unexpected failure reading %s", path, exc_info=True)
            reason = f"could not be read ({type(exc).__name__}: {exc})"[:300]
            return [IngestResult(path=str(path), error=f"{path}: {reason}")]
        results = []
        for notice in loaded.notices:
            result = self._commit_notice(
                path, notice, known.get(notice.meta.doc_id), loaded,
                replace=replace or explicit, progress=progress,
            )  # fmt: skip
            if result.meta is not None:
                batch[notice.meta.doc_id] = result.meta
            results.append(result)
        self._drop_stale_parts(path, base, loaded, known)
        return results

    def _commit_notice(
        self,
        path: Path,
        notice: Notice,
        existing: NoticeMeta | None,
        loaded: LoadedFile,
        *,
        replace: bool,
        progress: ProgressFactory | None,
    ) -> IngestResult:
        meta = notice.meta
        if existing is not None and not replace and not _same_notice(existing, meta):
            reason = (
                f"would replace {meta.doc_id} ({_identity(existing)}), a different notice"
                f" ({_identity(meta)}); rename the file, or ingest it with --replace"
            )
            return IngestResult(
                path=str(path), doc_id=meta.doc_id, error=f"{path}: {reason}", conflict=meta.doc_id
            )
        try:
            changed = self._commit(notice, progress=progress)
        except (EmbeddingError, StoreUnavailableError) as exc:
            # Nothing was committed for this notice (see ParagraphStore.put_document).
            logger.warning("Could not index %s: %s", path.name, type(exc).__name__)
            return IngestResult(path=str(path), doc_id=meta.doc_id, error=f"{path}: {exc}")
        except OSError as exc:  # a full disk or a read-only data folder
            logger.warning("Could not index %s: %s", path.name, exc.strerror or exc)
            reason = f"the index could not be written ({exc.strerror or exc}); nothing was changed"
            return IngestResult(path=str(path), doc_id=meta.doc_id, error=f"{path}: {reason}")
        return IngestResult(
            path=str(path),
            doc_id=meta.doc_id,
            title=meta.title,
            meta=meta,
            paragraphs=len(notice.body),
            changed=changed,
            replaced=changed and existing is not None,
            kind=loaded.kind,
            notes=loaded.notes,
        )

    def _drop_stale_parts(
        self, path: Path, base: str, loaded: LoadedFile, known: dict[str, NoticeMeta]
    ) -> None:
        """A bundle that now holds fewer notices: its old extra parts go."""
        kept = {n.meta.doc_id for n in loaded.notices}
        part = re.compile(rf"{re.escape(base)}-\d+")
        for doc_id, meta in known.items():
            if meta.source == path.name and doc_id not in kept and part.fullmatch(doc_id):
                with self._lock:
                    self._store.delete_document(doc_id)
                logger.info("Removed %s: no longer in %s", doc_id, path.name)

    def _commit(
        self, notice: Notice, *, progress: ProgressFactory | None = None, batch_size: int = 32
    ) -> bool:
        texts = [p.text for p in notice.paragraphs]
        metas = [paragraph_metadata(notice, p) for p in notice.paragraphs]
        tick = progress(len(texts), notice.meta.doc_id) if progress else None
        with self._lock:
            changed = self._store.put_document(
                notice.meta.doc_id, notice.fingerprint, catalog_metadata(notice), texts, metas,
                progress=tick, batch_size=batch_size,
            )  # fmt: skip
        if changed:
            logger.info("Indexed %s: %d paragraphs", notice.meta.doc_id, len(texts))
        return changed

    # -- reading -------------------------------------------------------------------------

    @property
    def store(self) -> ParagraphStore:
        """The paragraph store the library follows."""
        return self._store

    @property
    def view(self) -> CatalogView:
        """The catalog as of the last refresh; a new object after every change."""
        return self._view

    @property
    def catalog(self) -> dict[str, NoticeMeta]:
        """Document id -> metadata (``view.metas``); a new dict after every change."""
        return self._view.metas

    @property
    def versions(self) -> dict[str, str]:
        """Document id -> committed version (``view.versions``)."""
        return self._view.versions

    @property
    def counts(self) -> dict[str, int]:
        """Document id -> stored records, body and others (``view.counts``)."""
        return self._view.counts

    @property
    def body_counts(self) -> dict[str, int]:
        """Document id -> body paragraphs (``view.body_counts``)."""
        return self._view.body_counts

    @property
    def provinces(self) -> frozenset[str]:
        """The provinces that have notices (``view.provinces``)."""
        return self._view.provinces

    @property
    def documents_by_province(self) -> dict[str, list[str]]:
        """Province -> ids of its documents (``view.documents_by_province``)."""
        return self._view.documents_by_province

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index over the committed rows; its row numbers index ``rows``."""
        return self._lexical.index

    @property
    def restorer(self) -> AccentRestorer:
        """The accent model of the indexed texts."""
        return self._lexical.restorer

    @property
    def rows(self) -> RowInfo:
        """Document, province, date and role of every lexical row, for filters."""
        return self._lexical.rows

    def documents(self, province: str | None = None) -> list[DocumentInfo]:
        """Indexed documents (of one province, if given), newest first (undated last)."""
        self.refresh()
        return self._view.documents(province)

    def is_empty(self) -> bool:
        """True when no document is indexed."""
        return not self._view.metas

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
        version = self._view.versions.get(doc_id)
        if version is None:
            return None
        rows = self._store.get([row_id(doc_id, version, int(position))])
        return paragraph_from_row(rows[0].text, rows[0].metadata) if rows else None

    def paragraphs(self, doc_id: str) -> list[Paragraph]:
        """All stored records of a document (body, title, recipients, signature), in order."""
        self.refresh()
        view = self._view
        version = view.versions.get(doc_id)
        if version is None:
            return []
        ids = [row_id(doc_id, version, i) for i in range(view.counts.get(doc_id, 0))]
        return [paragraph_from_row(r.text, r.metadata) for r in self._store.get(ids)]


def _resolve_id(path: Path, known: dict[str, NoticeMeta]) -> str:
    """The id for a file: stable for its name, unique among different files.

    A document that came from a file of this name keeps its id (also one made by an older
    naming rule); a new name gets `doc_id_for`, and a short hash of the name when that id
    is taken by a file of another name ("Kiên Giang.txt", "Kien Giang.txt").
    """
    same_name = [d for d, m in known.items() if m.source == path.name]
    if same_name:
        return min(same_name, key=len)  # a bundle's first notice has the shortest id
    base = doc_id_for(path)
    if base in known:
        return f"{base}-{hashlib.sha1(path.name.encode()).hexdigest()[:6]}"
    return base


def _same_notice(old: NoticeMeta, new: NoticeMeta) -> bool:
    """True unless the two differ in a fact both state: province, date or number.

    Not the kind: a sidecar's "Thông báo kết luận" and the text's "Thông báo" are one notice.
    """
    pairs = ((old.province, new.province), (old.date, new.date), (old.number, new.number))
    return all(a is None or b is None or a == b for a, b in pairs)


def _identity(meta: NoticeMeta) -> str:
    date = meta.date.strftime("%d/%m/%Y") if meta.date else "không ghi ngày"
    return ", ".join(x for x in (meta.kind, meta.province, date) if x)
