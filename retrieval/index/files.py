"""Notice files to ingest: which files a list of paths means, and what happened to each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from retrieval.parse import SUPPORTED_SUFFIXES
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
    error: str | None = None


def notice_files(paths: Iterable[Path]) -> list[Path]:
    """The files given, and in each folder given its supported files, sorted by name."""
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
