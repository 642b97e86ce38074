"""Turn a file on disk into Unicode text, choosing the reader by the file's content.

Cadres forward what they receive: a PDF saved as .doc, a web page saved as .txt, a photo of a
notice. The extension is only a hint; the first bytes decide (%PDF, a zip holding
word/document.xml, the OLE signature of Word 97-2003, image signatures, else text, which may
be HTML or a pre-Unicode Vietnamese encoding). Every failure is a ParseError with one line
naming the file and why; no other exception leaves `read_file`.
"""

from __future__ import annotations

import contextlib
import logging
import unicodedata
import zipfile
from pathlib import Path

from retrieval.errors import EmptyDocumentError, ParseError, UnsupportedFormatError
from retrieval.parse.extracted import MARKDOWN_KIND, MB, TEXT_KIND, Extracted, ReadLimits
from retrieval.parse.image_reader import IMAGE_SUFFIXES

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
SUPPORTED_SUFFIXES = (
    TEXT_SUFFIXES | IMAGE_SUFFIXES | {".docx", ".doc", ".pdf", ".html", ".htm"}
)  # fmt: skip
SUPPORTED_NAMES = ".txt, .md, .docx, .doc, .pdf, .html, .png, .jpg, .tif"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Word 97-2003 (and other Office 97 files)
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")
_HTML_MARKS = ("<!doctype html", "<html", "<body", "<head", "<meta ", "<div", "<p>", "<br")


def read_file(path: Path, limits: ReadLimits | None = None) -> Extracted:
    """Read a notice file as NFC text, whatever its kind.

    Args:
        path: the file.
        limits: size, unpacked size and OCR limits (the defaults if omitted).

    Returns:
        The text (NFC, plain line endings), what kind of file it was and what was done.

    Raises:
        ParseError: (or a subclass) naming the file and what is wrong with it.
    """
    limits = limits or ReadLimits()
    name = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ParseError(
                name,
                f"file is {size / MB:.0f} MB, over the {limits.max_file_bytes / MB:.0f} MB limit",
            )
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise ParseError(name, f"cannot read file: {exc.strerror or exc}") from exc
    if not head.strip():
        raise EmptyDocumentError(name, "the file is empty")
    try:
        extracted = _read_by_content(path, head, limits)
    except ParseError:
        raise
    except (MemoryError, RecursionError) as exc:
        raise ParseError(
            name, f"too large or too deeply nested to read ({type(exc).__name__})"
        ) from exc
    except Exception as exc:  # a reader's library failed in a way it did not foresee
        logger.debug("Reader failure on %s", name, exc_info=True)
        raise ParseError(name, f"could not be read ({type(exc).__name__}: {exc})"[:300]) from exc
    text = unicodedata.normalize("NFC", extracted.text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise EmptyDocumentError(name, "the file holds no text")
    return Extracted(text, extracted.kind, extracted.notes)


def _read_by_content(path: Path, head: bytes, limits: ReadLimits) -> Extracted:
    suffix = path.suffix.lower()
    if b"%PDF-" in head[:1024]:  # PDF readers allow junk before the header
        from retrieval.parse.pdf_reader import read_pdf

        return read_pdf(path, limits)
    if head.startswith(b"PK\x03\x04"):
        return _read_zip(path, limits)
    if head.startswith(_OLE):
        from retrieval.parse.word97 import read_doc

        return read_doc(path, limits)
    if head.startswith(_IMAGE_MAGIC):
        from retrieval.parse.image_reader import read_image

        return read_image(path, limits)
    if head.lstrip().startswith(b"{\\rtf"):  # Word's other old format: catdoc reads it
        from retrieval.parse.word97 import read_doc

        return read_doc(path, limits)
    if suffix not in SUPPORTED_SUFFIXES and not _looks_like_text(head):
        raise UnsupportedFormatError(
            str(path), f"unsupported file type {suffix or '(none)'}; use {SUPPORTED_NAMES}"
        )
    return _read_text_file(path, limits)


def _read_zip(path: Path, limits: ReadLimits) -> Extracted:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ParseError(str(path), f"not a readable .docx file ({exc})") from exc
    if "word/document.xml" not in names:
        raise UnsupportedFormatError(
            str(path), "a zip archive, not a Word .docx file; unpack it and send the notices"
        )
    from retrieval.parse.docx_reader import read_docx

    return read_docx(path, limits)


def _read_text_file(path: Path, limits: ReadLimits) -> Extracted:
    from retrieval.parse.legacy import decode_text

    data = path.read_bytes()
    text, notes = decode_text(data, str(path))
    if path.suffix.lower() in {".html", ".htm"} or _looks_like_html(text):
        from retrieval.parse.html_reader import html_charset, read_html

        declared = html_charset(data)
        if declared and declared.replace("-", "").lower() not in ("utf8", "utf8sig"):
            # A page saved by an old portal says which code page it is in; believe it.
            with contextlib.suppress(LookupError, UnicodeDecodeError):
                text, notes = data.decode(declared), (f"mã {declared} theo khai báo của trang",)
        page = read_html(text)
        return Extracted(page.text, page.kind, (*notes, *page.notes))
    kind = MARKDOWN_KIND if path.suffix.lower() == ".md" else TEXT_KIND
    return Extracted(text, kind, notes)


def _looks_like_text(head: bytes) -> bool:
    """Few control bytes: text of some encoding (UTF-16 has NULs, checked by the decoder)."""
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control <= len(head) // 50 or head.count(b"\x00") >= len(head) // 3


def _looks_like_html(text: str) -> bool:
    start = text.lstrip()[:2048].lower()
    return (
        start.startswith(("<!doctype html", "<html"))
        or sum(start.count(mark) for mark in _HTML_MARKS) >= 3
    )
