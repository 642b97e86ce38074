"""The one way documents enter and leave the index, for every front end.

`chithi ingest`, the bundled notices on first use, a Telegram upload and a web upload all go
through `Ingestion`: the files are indexed by `Library.ingest` (all or nothing per notice),
an upload's file is kept as the document's original, and every follower of a new or changed
notice's province is owed an alert (the bot sends them). `remove` takes a document out with
its kept original.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.alerts import AlertStore, queue_alerts
from bot.uploads import DOC_ID, safe_name
from retrieval import AdminFacts, IngestResult, Library, NoticeMeta
from retrieval.index import ProgressFactory

logger = logging.getLogger(__name__)

LEFTOVER_SECONDS = 3600  # an upload's temporary copy older than this was left by a killed one


@dataclass(frozen=True)
class Ingested:
    """What an ingest did: one result per notice (or one error per file), alerts queued."""

    results: list[IngestResult]
    alerted: int = 0  # deliveries queued for the chats that follow the notices' provinces
    # An upload whose bytes are an indexed document's under another file name: not indexed.
    duplicate_of: NoticeMeta | None = None


class Ingestion:
    """Adds, replaces and removes documents, keeping originals and queuing alerts.

    Args:
        library: the index.
        alerts: the followers and the alert outbox.
        uploads_dir: where the originals of uploaded files are kept (``DOC_ID/FILE_NAME``).
        workers: threads embedding the paragraphs of `files` (`chithi ingest`, the bundled
            notices). An upload is embedded on one thread: the bot or web process that
            receives it goes on answering questions on the other cores meanwhile.
    """

    def __init__(
        self, library: Library, *, alerts: AlertStore, uploads_dir: Path, workers: int = 1
    ) -> None:
        self.library = library
        self.alerts = alerts
        self.uploads_dir = uploads_dir
        self.workers = workers
        self._clean_leftovers()

    def files(
        self,
        paths: Iterable[Path],
        *,
        replace: bool = False,
        facts: AdminFacts | None = None,
        progress: ProgressFactory | None = None,
    ) -> Ingested:
        """Ingest files and folders from this machine (`chithi ingest`, the bundled notices).

        Args:
            paths: files, and folders whose files are all tried.
            replace: let a file replace a different notice under its id.
            facts: what an administrator sets that the files do not state.
            progress: a progress bar factory (see `Library.ingest`).
        """
        results = self.library.ingest(
            paths, replace=replace, facts=facts, progress=progress, workers=self.workers
        )
        return Ingested(results, self._alert(results))

    def upload(
        self,
        file_name: str,
        data: bytes,
        *,
        doc_id: str | None = None,
        facts: AdminFacts | None = None,
    ) -> Ingested:
        """Ingest a file sent by an administrator (Telegram, web), and keep it as the original.

        A new version of a document (same file name, same notice) replaces the old one, as
        with ``chithi ingest``; a different notice is not replaced without an explicit
        `doc_id`. The same bytes as an indexed document's under another file name are not
        indexed twice (`Ingested.duplicate_of`), unless a `doc_id` is given.

        Args:
            file_name: the name the file was sent with; it gives the document id by default.
            data: the file's bytes.
            doc_id: the id to use instead (to replace that document, whatever it is).
            facts: the date, province or replaced document the administrator gave.

        Returns:
            The results (with their ``error`` where a notice could not be indexed; the file
            is kept for each notice that went in) and the alerts queued.
        """
        name = safe_name(file_name)
        self.library.refresh(force=True)  # another replica may have added this name or file
        same = self._same_content(name, data) if doc_id is None else None
        if same is not None:
            logger.info("Upload doc=%s: the same bytes as doc=%s; not indexed", name, same.doc_id)
            return Ingested([], duplicate_of=same)
        incoming = self.uploads_dir / ".incoming" / secrets.token_hex(8)
        try:
            try:
                incoming.mkdir(parents=True)
                path = incoming / name
                path.write_bytes(data)
            except OSError as exc:  # a full disk: nothing indexed, the copy removed below
                logger.warning("Upload not written: %s", exc.strerror or exc)
                reason = f"the upload could not be written ({exc.strerror or exc})"
                return Ingested([IngestResult(path=name, error=f"{name}: {reason}")])
            results = self.library.ingest([path], doc_id=doc_id, facts=facts)
            for result in results:
                if result.error is None and result.doc_id is not None:
                    self._keep(path, result)
        finally:
            shutil.rmtree(incoming, ignore_errors=True)
        for result in results:
            logger.info(
                "Upload doc=%s paragraphs=%d changed=%s failed=%s",
                result.doc_id, result.paragraphs, result.changed, result.error is not None,
            )  # fmt: skip
        return Ingested(results, self._alert(results))

    def remove(self, doc_id: str) -> NoticeMeta:
        """Remove a document and its kept original; raises DocumentNotFoundError."""
        meta = self.library.remove(doc_id)
        if DOC_ID.fullmatch(doc_id):
            shutil.rmtree(self.uploads_dir / doc_id, ignore_errors=True)
        logger.info("Removed doc=%s", doc_id)
        return meta

    def _same_content(self, name: str, data: bytes) -> NoticeMeta | None:
        """An indexed document from a file of another name with exactly these bytes, if any.

        A document's version is the hash of its file's bytes (and of any facts set on it:
        those documents are not found here, a safe miss), so no file is read again.
        """
        version = hashlib.sha256(data).hexdigest()[:12]
        for doc_id, indexed in self.library.versions.items():
            meta = self.library.catalog.get(doc_id)
            if indexed == version and meta is not None and meta.source != name:
                return meta
        return None

    def _keep(self, path: Path, result: IngestResult) -> None:
        target = self.uploads_dir / str(result.doc_id)
        if result.changed or not (target / path.name).is_file():
            shutil.rmtree(target, ignore_errors=True)
            try:
                target.mkdir(parents=True)
                shutil.copyfile(path, target / path.name)
            except OSError as exc:  # the document is in; only its original cannot be sent
                shutil.rmtree(target, ignore_errors=True)
                logger.warning("Original of %s not kept: %s", result.doc_id, exc.strerror or exc)

    def _clean_leftovers(self) -> None:
        """Remove what a killed upload or removal left, once it is LEFTOVER_SECONDS old.

        Old temporary copies, and originals of documents no longer indexed; nothing newer: a
        replica sharing the folder may be uploading right now.
        """
        if not self.uploads_dir.is_dir():
            return
        old = time.time() - LEFTOVER_SECONDS
        incoming = self.uploads_dir / ".incoming"
        copies = list(incoming.iterdir()) if incoming.is_dir() else []
        catalog = self.library.catalog
        originals = [d for d in self.uploads_dir.iterdir()
                     if DOC_ID.fullmatch(d.name) and d.name not in catalog]  # fmt: skip
        for leftover in copies + originals:
            try:
                if leftover.stat().st_mtime < old:
                    shutil.rmtree(leftover) if leftover.is_dir() else leftover.unlink()
                    logger.info("Removed a leftover upload: %s", leftover.name)
            except OSError as exc:
                logger.warning("Leftover %s not removed: %s", leftover.name, exc)

    def _alert(self, results: list[IngestResult]) -> int:
        return queue_alerts(self.alerts, self.library, results)
