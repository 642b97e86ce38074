"""Notice files to ingest: which files a list of paths means, and what happened to each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.types import NoticeMeta

# Called with a document's paragraph count and id; returns what to call after each batch.
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
    error: str | None = None  # one line: "PATH: why"
    replaced: bool = False  # an older version of this document was replaced
    kind: str | None = None  # what the file was ("PDF quét (OCR)"), see parse.Extracted
    notes: tuple[str, ...] = ()  # what reading it took ("chuyển từ mã TCVN3 sang Unicode")
    conflict: str | None = None  # not done: it would have replaced this different document


def notice_files(paths: Iterable[Path]) -> list[Path]:
    """The files given, and every file of each folder given, sorted by name.

    A folder's files are all tried, whatever their extension (the content decides the
    reader), so that a file chithi cannot read is reported, not skipped without a word;
    only sidecars, hidden files and the lock files of office programs are left out.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.is_file() and not _ignored(p))
        else:
            out.append(path)
    return out


def _ignored(path: Path) -> bool:
    name = path.name
    return (
        name.startswith((".", "~$")) or name.endswith(".meta.json") or name.lower() in _SYSTEM_FILES
    )


_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})
