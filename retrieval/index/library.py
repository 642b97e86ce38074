"""The indexed notices: ingest, replace, remove and read them, with the lexical side in step."""

from __future__ import annotations

import hashlib
import logging
import math
import re
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from retrieval.errors import DocumentNotFoundError, ParseError
from retrieval.index.catalog import CatalogView
from retrieval.index.dense import nearest_allowed
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
from retrieval.index.statistics import CorpusStatistics
from retrieval.parse import LoadedFile, ReadLimits, doc_id_for, load_notices
from retrieval.types import (
    AdminFacts,
    DocumentInfo,
    Notice,
    NoticeMeta,
    Paragraph,
    SearchFilters,
)
from vectorstore import (
    DenseHit,
    EmbeddingError,
    GroupedBM25,
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
        # Two locks, so that reading never waits for writing: `_writing` lets one change of
        # the store run at a time (an upload embeds for as long as it takes), `_lock` guards
        # the short swap of the view after a change. Questions take neither for longer than
        # that swap (see refresh), and statistics have their own.
        self._lock = threading.RLock()
        self._writing = threading.RLock()
        self._statistics_lock = threading.Lock()
        self._checked_at = 0.0
        self._token = ""
        self._view = CatalogView.from_records({})
        self._lexical = LexicalMirror(LexicalFiles(lexical_dir) if lexical_dir else None)
        self._statistics: CorpusStatistics | None = None
        self._statistics_for: RowInfo | None = None
        self._units: tuple[RowInfo, GroupedBM25] | None = None
        for doc_id in store.unfinished_removals():  # a removal killed half-way: finish it
            logger.warning("Finishing the removal of %s, cut off before", doc_id)
            store.finish_removal(doc_id)
        self.refresh(force=True)

    # -- keeping in step -----------------------------------------------------------------

    def refresh(self, *, force: bool = False) -> None:
        """Bring the catalog and lexical index in step with the store, if it changed.

        Checks at most every ``refresh_seconds`` (one small read, the store's state token);
        only when the token moved is the catalog read, and then only the documents that were
        added, replaced or removed are applied to the lexical index (see LexicalMirror).
        This is how several processes sharing one Chroma server stay consistent: each keeps
        its own lexical index and follows the shared store.

        A question never queues here: when another thread is already bringing the view in
        step (or stuck asking a hung server), it reads the view as it is; only a forced
        refresh, after a change, waits for its turn.
        """
        if not self._lock.acquire(blocking=force):
            return
        try:
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
        finally:
            self._lock.release()

    # -- changing ------------------------------------------------------------------------

    def ingest(
        self,
        paths: Iterable[Path],
        *,
        doc_id: str | None = None,
        replace: bool = False,
        facts: AdminFacts | None = None,
        progress: ProgressFactory | None = None,
        workers: int = 1,
    ) -> list[IngestResult]:
        """Ingest files and folders; a broken file is reported and the others still go in.

        Each notice is committed to the store on its own, all or nothing; the catalog and
        the lexical index follow once, after the last file, and their files are saved once.

        Args:
            paths: files, and folders whose files are all tried (see notice_files).
            doc_id: for one file: the id to give it (replacing that document, whatever it
                is); by default the id of the document that came from a file of this name,
                else one made from the name (see _resolve_id).
            replace: let a file replace an indexed document that is a different notice
                (another province, date or number) under the same id.
            facts: what an administrator sets that the files do not state (date, province,
                supersedes; see load_notices), for every file of this run. Without them, a
                new version of a file keeps what was set for it before.
            progress: called per document with its paragraph count (see ProgressFactory).
            workers: threads embedding a notice's paragraphs at once (the same vectors; see
                ParagraphStore.put_document). Each one takes a core that questions in this
                process would otherwise have.

        Returns:
            One result per notice (a file may hold several), or one error per file.

        Raises:
            ValueError: a `doc_id` for anything but one file.
        """
        files = list(notice_files(paths))
        if doc_id is not None and len(files) != 1:
            raise ValueError(f"doc_id={doc_id!r} names one file's document, not {len(files)}")
        results: list[IngestResult] = []
        batch: dict[str, NoticeMeta] = {}  # committed in this run, not yet in the view
        try:
            for path in files:
                results += self._commit_file(
                    path, doc_id=doc_id, replace=replace, progress=progress, batch=batch,
                    facts=facts, workers=workers,
                )  # fmt: skip
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

    def put(
        self,
        notice: Notice,
        *,
        progress: ProgressFactory | None = None,
        batch_size: int = 32,
        workers: int = 1,
    ) -> bool:
        """Index a notice that was parsed already, not read from a file; False if unchanged.

        For corpora made in code (benchmarks, tests); files go in through `ingest`.

        The library is in step with the store, and its lexical files saved, when it returns.
        """
        with self._writing:
            changed = self._commit(
                notice, progress=progress, batch_size=batch_size, workers=workers
            )
            if changed:
                self.refresh(force=True)
        return changed

    def remove(self, doc_id: str) -> NoticeMeta:
        """Remove a document; raises DocumentNotFoundError if it is not indexed."""
        with self._writing:
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
        facts: AdminFacts | None = None,
        workers: int = 1,
    ) -> list[IngestResult]:
        """Parse one file and commit its notices, leaving the library to catch up.

        `batch` holds what this run committed before (the view catches up only at the end
        of a run): it keeps ids unique and conflicts seen within one run too. Without
        `facts`, what an administrator set on the document before is kept; with them, they
        are what the administrator means, so they may replace a different notice.
        """
        explicit = doc_id is not None or bool(facts)
        known = {**self._view.metas, **batch}
        base = doc_id or _resolve_id(path, known)
        if not facts and base in known:
            facts = known[base].overrides
        try:
            loaded = load_notices(path, doc_id=base, limits=self.limits, facts=facts)
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
                replace=replace or explicit, progress=progress, workers=workers,
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
        workers: int,
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
            changed = self._commit(notice, progress=progress, workers=workers)
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
                with self._writing:
                    self._store.delete_document(doc_id)
                logger.info("Removed %s: no longer in %s", doc_id, path.name)

    def _commit(
        self,
        notice: Notice,
        *,
        progress: ProgressFactory | None = None,
        batch_size: int = 32,
        workers: int = 1,
    ) -> bool:
        texts = [p.text for p in notice.paragraphs]
        metas = [paragraph_metadata(notice, p) for p in notice.paragraphs]
        tick = progress(len(texts), notice.meta.doc_id) if progress else None
        with self._writing:
            changed = self._store.put_document(
                notice.meta.doc_id, notice.fingerprint, catalog_metadata(notice), texts, metas,
                progress=tick, batch_size=batch_size, workers=workers,
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
    def catalog(self) -> dict[str, NoticeMeta]:
        """Document id -> metadata; a new dict after every change."""
        return self._view.metas

    @property
    def versions(self) -> dict[str, str]:
        """Document id -> committed version."""
        return self._view.versions

    @property
    def counts(self) -> dict[str, int]:
        """Document id -> stored records, body and others."""
        return self._view.counts

    @property
    def provinces(self) -> frozenset[str]:
        """The provinces that have notices."""
        return self._view.provinces

    @property
    def documents_by_province(self) -> dict[str, list[str]]:
        """Province -> ids of its documents."""
        return self._view.documents_by_province

    @property
    def lexical(self) -> LexicalIndex:
        """The BM25 index over the committed rows, to inspect (search uses the calls below)."""
        return self._lexical.index

    # -- reading for search: the narrow API the search and answer stages use -----------------

    def allowed(self, filters: SearchFilters, *, records: bool = False) -> np.ndarray | None:
        """The rows a search with these filters may return (see RowInfo.allowed)."""
        return self._lexical.rows.allowed(filters, records=records)

    def lexical_hits(
        self, tokens: Sequence[str], *, k: int, allowed: np.ndarray | None
    ) -> list[tuple[str, float]]:
        """The k best rows by BM25 among the allowed ones: (row id, score), best first."""
        return self._lexical.index.search(list(tokens), k=k, mask=allowed)

    def unit_scores(self, tokens: Sequence[str], row_ids: Sequence[str]) -> list[float]:
        """BM25 of each row's unit read as one text (its article, else itself; index/units.py).

        0 for a row no longer indexed or in no unit.
        """
        lexical = self._lexical
        rows, index, keys = lexical.rows, lexical.index, lexical.units
        if len(keys) != len(index.ids):  # read while a change swaps them in: score none
            return [0.0] * len(row_ids)
        units = self._units  # read once: built again, not changed, after an index change
        if units is None or units[0] is not rows:
            units = self._units = (rows, GroupedBM25(index, keys))
        positions = [index.position(i) for i in row_ids]
        known = np.array([p if p is not None else 0 for p in positions], dtype=np.int64)
        scores = units[1].scores(tokens, known)
        return [float(s) if p is not None else 0.0 for s, p in zip(scores, positions, strict=True)]

    def dense_hits(
        self, vector: np.ndarray, *, k: int, allowed: np.ndarray | None
    ) -> list[DenseHit]:
        """The k rows nearest to a query vector among the allowed ones, nearest first."""
        return nearest_allowed(self._store, self._lexical.index, vector, k=k, allowed=allowed)

    def embed_query(self, text: str) -> np.ndarray:
        """A question's vector; the store remembers those of recent texts (the one cache)."""
        return self._store.embed_query(text)

    def forget_query_vectors(self) -> None:
        """Forget the remembered question vectors (benchmarks time a first embedding)."""
        self._store.query_vectors.clear()

    def restore_accents(self, text: str) -> str:
        """The text with the diacritics a user left out, by the indexed texts' accent model."""
        return self._lexical.restorer.restore(text)

    def rows(self, row_ids: Sequence[str]) -> dict[str, Paragraph]:
        """The stored paragraphs with these row ids (those still stored), by row id."""
        return {r.id: paragraph_from_row(r.text, r.metadata) for r in self._store.get(row_ids)}

    @property
    def statistics(self) -> CorpusStatistics:
        """Row and document frequencies of the index as it is now (rebuilt after a change)."""
        rows = self._lexical.rows
        with self._statistics_lock:
            if self._statistics is None or self._statistics_for is not rows:
                self._statistics = CorpusStatistics(self._lexical.index, rows)
                self._statistics_for = rows
            return self._statistics

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
