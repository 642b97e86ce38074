"""What a reader gives back: the text, what kind of file it was, and what it had to do.

Every reader (plain text, .docx, .pdf with or without a text layer, .doc, .html, images)
returns an Extracted, so that ingest can tell the user what was read ("PDF, 3 trang nhận dạng
chữ (OCR)", "chuyển từ mã TCVN3") and apply one set of limits.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
# The kinds whose reading needs no comment in a reply ("Đã đọc: …" is for OCR, converted
# encodings, web pages); the readers name their files with these.
TEXT_KIND = "văn bản .txt"
MARKDOWN_KIND = "văn bản .md"
DOCX_KIND = "Word .docx"
PDF_TEXT_KIND = "PDF có lớp chữ"
PLAIN_KINDS = frozenset({TEXT_KIND, MARKDOWN_KIND, DOCX_KIND, PDF_TEXT_KIND})


@dataclass(frozen=True)
class Extracted:
    """The text of a file, as read.

    Attributes:
        text: the text (NFC is applied by the caller), paragraphs separated by blank lines.
        kind: what the file was, in Vietnamese for the user ("văn bản .txt", "Word .docx",
            "PDF có lớp chữ", "PDF quét (OCR)", "Word 97-2003 .doc", "trang web .html", "ảnh").
        notes: what the reader had to do that the user should know, in Vietnamese, each a
            short phrase: "nhận dạng chữ (OCR) 3 trang", "chuyển từ mã TCVN3 sang Unicode".
    """

    text: str
    kind: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReadLimits:
    """Limits on what one file may cost to read (settings; see bot/settings.py).

    Attributes:
        max_file_bytes: a larger file is refused before it is read.
        max_unpacked_bytes: the uncompressed size of a .docx's parts (a zip bomb is refused
            before anything is unpacked).
        max_ocr_pages: pages of a scanned PDF that are OCR'd; the rest are skipped, and the
            notes say so.
        ocr_seconds: the time one page's OCR may take before it is given up.
        convert_seconds: the time an external converter (.doc) may take.
    """

    max_file_bytes: int = 20 * MB  # a notice is ~20 KB; a 30-page scan ~10 MB; Telegram: 20 MB
    max_unpacked_bytes: int = 200 * MB
    max_ocr_pages: int = 30
    ocr_seconds: float = 60.0
    convert_seconds: float = 60.0
