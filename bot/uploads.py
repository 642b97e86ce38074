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
# Filesystems take 255 bytes a name; Vietnamese letters take 2-3 bytes each in UTF-8. Well
# under it, so that the name also fits beside a document id in the uploads folder.
MAX_NAME_BYTES = 120
NAMELESS = "document"  # the name of a file sent without one (or named only ".txt")


def safe_name(file_name: str | None) -> str:
    """A file name that cannot leave its folder and fits on disk (names are user input).

    The extension is kept (it says how to read the file); a long name is cut in its stem; a
    file named only by its extension (".txt") is called "document.txt".
    """
    name = _UNSAFE.sub("_", Path(file_name or "").name).strip(" ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = suffix.strip(" .")[:16]
    stem = stem.strip(" .") or NAMELESS
    room = MAX_NAME_BYTES - len(suffix.encode()) - 1
    stem = stem.encode()[:room].decode("utf-8", "ignore").rstrip(" .") or NAMELESS
    return f"{stem}.{suffix}" if suffix else stem


def original_path(meta: NoticeMeta, *, uploads_dir: Path, notices_dir: Path) -> Path | None:
    """The original file of a document, if the bot has it."""
    if not meta.source or not DOC_ID.fullmatch(meta.doc_id):
        return None
    name = Path(meta.source).name
    for candidate in (uploads_dir / meta.doc_id / name, notices_dir / name):
        if candidate.is_file():
            return candidate
    return None
