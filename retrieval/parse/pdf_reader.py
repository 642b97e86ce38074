"""Read a PDF: its text layer where it has one, OCR (pdftoppm + tesseract) where it is a scan.

Provinces publish both kinds: a PDF exported from Word keeps its text, while a signed and
stamped notice is usually scanned, one image per page. Each page is judged on its own, since a
scan often has a text-layer stamp or page number, and a Word PDF may carry a scanned annex:
a page with an image and fewer than MIN_LETTERS letters of text is OCR'd. At most
`limits.max_ocr_pages` pages are OCR'd, each within `limits.ocr_seconds` (render and OCR
together); the notes say how many pages were read that way and how many were skipped.

pypdf is pure Python and meets every kind of damage: whatever it raises is turned into one
ParseError, so a bad upload is refused with one line and never crashes ingest.
"""

from __future__ import annotations

import math
import re
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from retrieval.errors import ParseError
from retrieval.parse.extracted import PDF_TEXT_KIND, Extracted, ReadLimits
from retrieval.parse.tools import (
    PDFTOPPM,
    TESSERACT,
    UnreadableImageError,
    find_tools,
    ocr_image,
    one_line,
    run_tool,
)

if TYPE_CHECKING:
    from pypdf import PageObject

KIND_TEXT = PDF_TEXT_KIND
KIND_SCANNED = "PDF quét (OCR)"
# Fewer letters than this on a page that shows an image: the page is a scan (its text layer,
# if any, is a stamp or a page number).
MIN_LETTERS = 40
OCR_DPI = 300
# The longest side of a rendered page, in pixels: A3 at 300 dpi is 4961. A larger page (a
# poster, or a damaged /MediaBox) is rendered at a lower resolution instead of filling memory.
MAX_SIDE_PIXELS = 7000
_MAX_XOBJECTS = 500  # image search on one page gives up after this many objects
_INLINE_IMAGE = re.compile(rb"(?:^|\s)BI\s*/")

# What pypdf raises on damaged files besides its own errors: unknown filters
# (NotImplementedError), broken dictionaries and streams, deep nesting, bad zlib data.
_PYPDF_FAILURES: tuple[type[BaseException], ...] = (
    NotImplementedError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
    OverflowError,
    ZeroDivisionError,
    EOFError,
    OSError,
    struct.error,
    zlib.error,
)


@dataclass(frozen=True)
class _Page:
    number: int  # from 1, as pdftoppm counts
    text: str  # the text layer
    scanned: bool
    dpi: int  # the resolution to render it at, if scanned


@dataclass
class _Tally:
    read: int = 0
    timed_out: int = 0
    failed: int = 0


def read_pdf(path: Path, limits: ReadLimits) -> Extracted:
    """The text of a PDF, from its text layer or, for scanned pages, by OCR.

    Args:
        path: the PDF file.
        limits: `max_ocr_pages` and `ocr_seconds` bound the OCR.

    Returns:
        The pages' text in order, separated by blank lines; kind "PDF quét (OCR)" if any page
        is a scan, with notes on how many pages were OCR'd, skipped over the limit, too slow
        or unreadable.

    Raises:
        ParseError: the file is not a readable PDF, is password-protected, or has scanned
            pages while tesseract or pdftoppm is not installed.
    """
    pages = _read_text_layer(path)
    scanned = [page for page in pages if page.scanned]
    if not scanned:
        return Extracted(_join(page.text for page in pages), KIND_TEXT)
    allowed = max(limits.max_ocr_pages, 0)
    texts, tally = _ocr_pages(path, scanned[:allowed], limits.ocr_seconds)
    text = _join(texts.get(page.number, page.text) for page in pages)
    skipped = len(scanned) - min(allowed, len(scanned))
    return Extracted(text, KIND_SCANNED, _notes(tally, skipped, limits.ocr_seconds))


def _read_text_layer(path: Path) -> list[_Page]:
    """Every page's text layer, and whether it is a scan; any pypdf failure is a ParseError."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

    failures: tuple[type[BaseException], ...] = (PyPdfError, DependencyError, *_PYPDF_FAILURES)
    try:
        reader = PdfReader(str(path))
        return [_page(number, page) for number, page in enumerate(reader.pages, start=1)]
    except FileNotDecryptedError as exc:
        raise ParseError(
            str(path), "the .pdf file is password-protected; send it without the password"
        ) from exc
    except failures as exc:
        reason = one_line(f"{type(exc).__name__}: {exc}")
        raise ParseError(str(path), f"not a readable .pdf file ({reason})") from exc


def _page(number: int, page: PageObject) -> _Page:
    text = page.extract_text() or ""
    letters = sum(char.isalnum() for char in text)
    scanned = letters < MIN_LETTERS and _has_image(page)
    return _Page(number, text, scanned, _render_dpi(page) if scanned else 0)


def _has_image(page: PageObject) -> bool:
    """Whether the page draws an image: an image XObject (also inside forms) or inline."""
    from pypdf.generic import DictionaryObject, PdfObject

    def dictionary(value: object) -> DictionaryObject | None:
        resolved = value.get_object() if isinstance(value, PdfObject) else None
        return resolved if isinstance(resolved, DictionaryObject) else None

    pending = [page.get("/Resources")]
    seen = 0
    while pending and seen < _MAX_XOBJECTS:
        resources = dictionary(pending.pop())
        xobjects = dictionary(resources.get("/XObject")) if resources is not None else None
        for value in list(xobjects.values() if xobjects is not None else ())[:_MAX_XOBJECTS]:
            seen += 1
            xobject = dictionary(value)
            subtype = xobject.get("/Subtype") if xobject is not None else None
            if subtype == "/Image":
                return True
            if subtype == "/Form" and xobject is not None:
                pending.append(xobject.get("/Resources"))
    contents = page.get_contents()
    return contents is not None and _INLINE_IMAGE.search(contents.get_data()) is not None


def _render_dpi(page: PageObject) -> int:
    """300 dpi, or less for a page so large that its longest side would pass MAX_SIDE_PIXELS."""
    box = page.mediabox
    inches = max(abs(float(box.width)), abs(float(box.height))) * float(page.user_unit) / 72
    if not math.isfinite(inches) or inches <= 0:
        return OCR_DPI
    return max(1, min(OCR_DPI, int(MAX_SIDE_PIXELS / inches)))


def _ocr_pages(path: Path, pages: list[_Page], seconds: float) -> tuple[dict[int, str], _Tally]:
    """The OCR'd text of each page that could be read, by page number, and the tally."""
    texts: dict[int, str] = {}
    tally = _Tally()
    if not pages:
        return texts, tally
    pdftoppm, _ = find_tools([PDFTOPPM, TESSERACT], path)  # both, before any page is rendered
    with tempfile.TemporaryDirectory(prefix="chithi-ocr-") as folder:
        for page in pages:
            try:
                texts[page.number] = _ocr_page(pdftoppm, path, page, Path(folder), seconds)
                tally.read += 1
            except subprocess.TimeoutExpired:
                tally.timed_out += 1
            except UnreadableImageError:
                tally.failed += 1
    return texts, tally


def _ocr_page(pdftoppm: str, path: Path, page: _Page, folder: Path, seconds: float) -> str:
    """Render one page to a grey image and OCR it, both within `seconds`.

    The image is a PGM (pdftoppm -gray), not a PNG: compressing a 300 dpi A4 page to PNG took
    2 s, writing the 8.7 MB PGM 0.25 s, and tesseract reads both alike. It is deleted at once.

    Raises:
        subprocess.TimeoutExpired: the page took longer than `seconds`.
        UnreadableImageError: pdftoppm could not render the page, or tesseract could not read it.
        ParseError: a tool is missing or cannot be started.
    """
    deadline = time.monotonic() + seconds
    prefix = folder / f"page-{page.number}"
    image = folder / f"page-{page.number}.pgm"  # what -gray -singlefile writes
    number = str(page.number)
    argv = [pdftoppm, "-r", str(page.dpi), "-f", number, "-l", number, "-gray", "-singlefile"]
    try:
        try:
            rendered = run_tool([*argv, str(path.absolute()), str(prefix)], seconds)
        except OSError as exc:
            raise ParseError(str(path), f"cannot run pdftoppm: {one_line(str(exc))}") from exc
        if rendered.returncode != 0 or not image.is_file():
            raise UnreadableImageError(f"pdftoppm could not render page {number}")
        return ocr_image(image, path, deadline - time.monotonic())
    finally:
        image.unlink(missing_ok=True)


def _join(texts: Iterable[str]) -> str:
    """Pages' texts, blank ones left out, separated by a blank line."""
    return "\n\n".join(text.strip("\n") for text in texts if text.strip())


def _notes(tally: _Tally, skipped: int, seconds: float) -> tuple[str, ...]:
    """What the user should know: pages OCR'd, and pages skipped, and why."""
    notes = []
    if tally.read:
        notes.append(f"nhận dạng chữ (OCR) {tally.read} trang")
    if skipped:
        notes.append(f"bỏ qua {skipped} trang vượt giới hạn OCR")
    if tally.timed_out:
        notes.append(f"bỏ qua {tally.timed_out} trang nhận dạng chữ quá {seconds:g} giây")
    if tally.failed:
        notes.append(f"bỏ qua {tally.failed} trang quét không đọc được")
    return tuple(notes)
