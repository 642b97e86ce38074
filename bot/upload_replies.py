"""What an upload or a removal did, in the Vietnamese both front ends show (Telegram, web).

Telegram marks text up in HTML; the web console inserts it as plain text. The wording is one,
so that an administrator reads the same reply wherever they upload.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass

from bot import messages
from bot.notice_facts import FactError
from retrieval import IngestResult, NoticeMeta, format_date
from retrieval.parse import PLAIN_KINDS


@dataclass(frozen=True)
class Markup:
    """How a front end marks text: escape a value, make a title bold, show an id as code."""

    plain: Callable[[str], str]
    bold: Callable[[str], str]
    code: Callable[[str], str]


TEXT = Markup(plain=str, bold=str, code=str)


def upload_status(result: IngestResult) -> str:
    """added, replaced, unchanged, conflict or error."""
    if result.conflict is not None:
        return "conflict"
    if result.error is not None or result.meta is None:
        return "error"
    if not result.changed:
        return "unchanged"
    return "replaced" if result.replaced else "added"


def upload_reply(name: str, data: bytes, result: IngestResult, markup: Markup = TEXT) -> str:
    """What one notice of an upload became, and how the file was read."""
    status = upload_status(result)
    if status == "conflict":
        return messages.UPLOAD_CONFLICT.format(
            name=markup.plain(name), doc_id=markup.code(markup.plain(result.conflict or ""))
        )
    if status == "error" or result.meta is None:
        if result.error is not None and is_disk_full(result.error):
            return messages.UPLOAD_DISK_FULL.format(name=markup.plain(name))
        # A file that parsed has a document id: then the index, not the file, failed.
        if result.doc_id is not None:
            return messages.INDEX_UNAVAILABLE
        if not data.strip():
            return messages.UPLOAD_EMPTY.format(name=markup.plain(name))
        reason = result.error.split(": ", 1)[-1] if result.error else ""
        return messages.UPLOAD_UNREADABLE.format(
            name=markup.plain(name), reason=markup.plain(reason)
        )
    heading = {
        "unchanged": messages.UPLOAD_UNCHANGED,
        "replaced": messages.UPLOAD_REPLACED,
    }.get(status, messages.UPLOAD_ADDED)
    summary = document_summary(heading, result.meta, result.paragraphs, markup)
    # How the file was read, when it took more than reading it: OCR, a converted encoding,
    # a web page, several notices in one file.
    plain = result.kind in PLAIN_KINDS and not result.notes
    read_as = ", ".join(x for x in (result.kind, *result.notes) if x)
    if read_as and not plain:
        summary += "\n" + messages.UPLOAD_READ_AS.format(how=markup.plain(read_as))
    return summary


_DISK_FULL = ("no space left", "disk is full", "database or disk is full", "quota exceeded")


def is_disk_full(error: BaseException | str) -> bool:
    """Whether a failure (or an ingest result's error text) is a full disk."""
    if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    text = str(error).lower()
    return any(words in text for words in _DISK_FULL)


def duplicate_reply(name: str, meta: NoticeMeta, paragraphs: int, markup: Markup = TEXT) -> str:
    """An upload whose content is already indexed under another file name."""
    heading = messages.UPLOAD_DUPLICATE.format(name=markup.plain(name))
    return document_summary(heading, meta, paragraphs, markup)


def document_summary(heading: str, meta: NoticeMeta, paragraphs: int, markup: Markup = TEXT) -> str:
    """A heading, then the document's title, date, paragraph count and id."""
    details = messages.UPLOAD_SUMMARY.format(
        title=markup.bold(markup.plain(meta.title)),
        date=format_date(meta.date),
        paragraphs=paragraphs,
    )
    return f"{heading}\n{details}{markup.code(markup.plain(meta.doc_id))}"


def fact_error_text(error: FactError, plain: Callable[[str], str] = str) -> str:
    """Why a caption's or form's date, province or replaced document cannot be used."""
    template = {
        "date": messages.FACT_BAD_DATE,
        "province": messages.FACT_BAD_PROVINCE,
        "supersedes": messages.FACT_BAD_SUPERSEDES,
    }.get(error.field, messages.FACT_BAD_CAPTION)
    return template.format(value=plain(error.value))
