"""Original files of notices: administrators' uploads (kept per document id) and the bundle.

An uploaded file is saved as ``uploads/DOC_ID/FILE_NAME``. The original of a document is
looked up there first (an upload is the newest version, also when it replaced a bundled
notice), then in the bundled notices folder; documents ingested from elsewhere with
``chithi ingest`` have no original the bot can send.
"""

from __future__ import annotations

import logging
import re
import secrets
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from retrieval import IngestResult, Library, NoticeMeta

logger = logging.getLogger(__name__)

DOC_ID = re.compile(r"[A-Za-z0-9_-]{1,48}")
_UNSAFE = re.compile(r"[\x00-\x1f/\\]+")


@dataclass(frozen=True)
class Upload:
    """What an upload did to the index: one result per notice the file held, or one error."""

    results: list[IngestResult]  # as Library.ingest_file returned them; see their `error`


def safe_name(file_name: str | None) -> str:
    """A file name that cannot leave its folder (Telegram names are user input)."""
    name = _UNSAFE.sub("_", Path(file_name or "").name).strip(" .")
    return name or "document"


def ingest_upload(
    library: Library,
    uploads_dir: Path,
    file_name: str,
    data: bytes,
    *,
    doc_id: str | None = None,
    overrides: Mapping[str, str] | None = None,
) -> Upload:
    """Index an uploaded file through `Library.ingest_file`, and keep it as the original.

    A new version of a document (same file name, same notice) replaces the old one, as with
    ``chithi ingest``; a different notice is not replaced without an explicit `doc_id`.

    Args:
        library: the index to add to.
        uploads_dir: where originals of uploads are kept.
        file_name: the name the file was sent with; it gives the document id by default.
        data: the file's bytes.
        doc_id: the id to use instead (to replace that document, whatever it is).
        overrides: the date, province or replaced document the administrator gave
            (bot.notice_facts), set over what the file states.

    Returns:
        The ingest results (with their ``error`` where a notice could not be indexed;
        the file is kept for each notice that went in).
    """
    name = safe_name(file_name)
    incoming = uploads_dir / ".incoming" / secrets.token_hex(8)
    incoming.mkdir(parents=True)
    path = incoming / name
    path.write_bytes(data)
    try:
        library.refresh(force=True)
        results = library.ingest_file(path, doc_id=doc_id, overrides=overrides)
        for result in results:
            if result.error is None and result.doc_id is not None:
                target = uploads_dir / result.doc_id
                if result.changed or not (target / name).is_file():
                    shutil.rmtree(target, ignore_errors=True)
                    target.mkdir(parents=True)
                    shutil.copyfile(path, target / name)
    finally:
        shutil.rmtree(incoming, ignore_errors=True)
    for result in results:
        logger.info(
            "Upload doc=%s paragraphs=%d changed=%s failed=%s",
            result.doc_id, result.paragraphs, result.changed, result.error is not None,
        )  # fmt: skip
    return Upload(results)


def original_path(meta: NoticeMeta, *, uploads_dir: Path, notices_dir: Path) -> Path | None:
    """The original file of a document, if the bot has it."""
    if not meta.source or not DOC_ID.fullmatch(meta.doc_id):
        return None
    name = Path(meta.source).name
    for candidate in (uploads_dir / meta.doc_id / name, notices_dir / name):
        if candidate.is_file():
            return candidate
    return None


def remove_upload(uploads_dir: Path, doc_id: str) -> None:
    """Forget the uploaded original of a removed document."""
    if DOC_ID.fullmatch(doc_id):
        shutil.rmtree(uploads_dir / doc_id, ignore_errors=True)
