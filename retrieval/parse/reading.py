"""Turn a file on disk (.txt, .md, .docx, .pdf) into Unicode text."""

from __future__ import annotations

import codecs
import logging
import unicodedata
from pathlib import Path
from xml.etree.ElementTree import ParseError as XMLParseError
from zipfile import BadZipFile

from retrieval.errors import DecodeError, EmptyDocumentError, ParseError, UnsupportedFormatError

logger = logging.getLogger(__name__)

TEXT_SUFFIXES = frozenset({".txt", ".md"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".docx", ".pdf"}


def read_text(path: Path) -> str:
    """Read a notice file as NFC text.

    Args:
        path: a .txt/.md (UTF-8, UTF-8 with BOM, UTF-16 with BOM), .docx or .pdf file.

    Returns:
        The text, NFC-normalised, with Windows line endings made plain.

    Raises:
        UnsupportedFormatError: the extension is not supported.
        DecodeError: the bytes are not text chithi can decode.
        EmptyDocumentError: the file holds no text.
        ParseError: a .docx or .pdf file is damaged.
    """
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UnsupportedFormatError(
            str(path), f"unsupported file type {suffix or '(none)'}; use .txt, .md, .docx or .pdf"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(str(path), f"cannot read file: {exc.strerror or exc}") from exc
    if not data.strip():
        raise EmptyDocumentError(str(path), "the file is empty")
    if suffix in TEXT_SUFFIXES:
        text = decode_bytes(data, str(path))
    elif suffix == ".docx":
        text = _read_docx(path)
    else:
        text = _read_pdf(path)
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise EmptyDocumentError(str(path), "the file holds no text")
    return text


def decode_bytes(data: bytes, name: str) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 (with BOM); refuse anything else."""
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DecodeError(
            name,
            f"not valid {encoding.upper()} text (byte {exc.start}); save it as UTF-8",
        ) from exc
    if "\x00" in text:
        raise DecodeError(name, "contains NUL characters; this looks like a binary file")
    return text


def _read_docx(path: Path) -> str:
    import docx  # python-docx is slow to import; only pay for it when needed
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError, OSError, XMLParseError) as exc:
        raise ParseError(str(path), f"not a readable .docx file ({exc})") from exc
    return "\n\n".join(p.text for p in document.paragraphs)


def _read_pdf(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, OSError, ValueError) as exc:
        raise ParseError(str(path), f"not a readable .pdf file ({exc})") from exc
    return "\n".join(pages)
