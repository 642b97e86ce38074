"""Original files of notices: administrators' uploads (kept per document id) and the bundle.

An uploaded file is saved as ``uploads/DOC_ID/FILE_NAME`` (by bot.ingest). The original of a
document is looked up there first (an upload is the newest version, also when it replaced a
bundled notice), then in the bundled notices folder; documents ingested from elsewhere with
``chithi ingest`` have no original the bot can send.
"""

from __future__ import annotations

import re
from pathlib import Path

from retrieval import NoticeMeta

DOC_ID = re.compile(r"[A-Za-z0-9_-]{1,48}")
_UNSAFE = re.compile(r"[\x00-\x1f/\\]+")


def safe_name(file_name: str | None) -> str:
    """A file name that cannot leave its folder (Telegram names are user input)."""
    name = _UNSAFE.sub("_", Path(file_name or "").name).strip(" .")
    return name or "document"


def original_path(meta: NoticeMeta, *, uploads_dir: Path, notices_dir: Path) -> Path | None:
    """The original file of a document, if the bot has it."""
    if not meta.source or not DOC_ID.fullmatch(meta.doc_id):
        return None
    name = Path(meta.source).name
    for candidate in (uploads_dir / meta.doc_id / name, notices_dir / name):
        if candidate.is_file():
            return candidate
    return None
