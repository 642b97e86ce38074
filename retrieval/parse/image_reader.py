"""Read a photo or a scan of a notice (.png, .jpg, .jpeg, .tif, .tiff) with tesseract.

Cadres photograph a notice pinned on a board or scan one page to an image; tesseract with its
Vietnamese data reads it. The file's first bytes are checked before tesseract sees it, so that
a web page saved as ".jpg" gets a clear error, and a small PNG or JPEG that claims a huge size
(a decompression bomb) is refused before it is unpacked.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.parse.extracted import Extracted, ReadLimits
from retrieval.parse.tools import UnreadableImageError, ocr_image, read_head

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff"})
KIND = "ảnh (OCR)"
# A 108-megapixel phone photo is the largest a cadre will send; tesseract holds a few copies.
MAX_PIXELS = 110_000_000
_HEAD_BYTES = 256 * 1024  # a JPEG's size is after its EXIF block, which is at most 64 KiB
# The start-of-frame markers (SOF0-SOF15 less DHT, JPG and DAC), which hold the size.
_JPEG_FRAMES = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}


def read_image(path: Path, limits: ReadLimits) -> Extracted:
    """The text of a photographed or scanned notice.

    Args:
        path: a PNG, JPEG or TIFF image.
        limits: `ocr_seconds` bounds the OCR.

    Returns:
        The text tesseract read (empty if it found none; the caller refuses an empty notice).

    Raises:
        ParseError: not a PNG/JPEG/TIFF image, too many pixels, unreadable, OCR too slow, or
            tesseract (or its Vietnamese data) is not installed.
    """
    head = read_head(path, _HEAD_BYTES)
    kind = image_format(head)
    if kind is None:
        raise ParseError(str(path), "not a PNG, JPEG or TIFF image")
    pixels = image_pixels(head, kind)
    if pixels is not None and pixels > MAX_PIXELS:
        raise ParseError(
            str(path), f"the image is too large ({pixels // 1_000_000} megapixels; at most 110)"
        )
    try:
        text = ocr_image(path, path, limits.ocr_seconds)
    except UnreadableImageError as exc:
        raise ParseError(str(path), f"not a readable image (tesseract: {exc})") from exc
    except subprocess.TimeoutExpired as exc:
        raise ParseError(
            str(path), f"OCR took longer than {limits.ocr_seconds:g} s; send a smaller image"
        ) from exc
    return Extracted(text, KIND, ("nhận dạng chữ (OCR) 1 ảnh",))


def image_format(head: bytes) -> str | None:
    """The image format ("png", "jpeg" or "tiff") from a file's first bytes, or None."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return None


def image_pixels(head: bytes, kind: str) -> int | None:
    """Width x height from a PNG's or JPEG's header, or None if it cannot be told cheaply."""
    if kind == "png" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return int(width) * int(height)
    if kind == "jpeg":
        return _jpeg_pixels(head)
    return None


def _jpeg_pixels(head: bytes) -> int | None:
    """Walk the JPEG segments to the frame header (SOFn), which holds the size."""
    at = 2
    while at + 9 <= len(head):
        if head[at] != 0xFF:
            return None
        marker = head[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _JPEG_FRAMES:
            height, width = struct.unpack(">HH", head[at + 5 : at + 9])
            return int(width) * int(height)
        if 0xD0 <= marker <= 0xD9 or marker == 0x01:  # markers without a length
            at += 2
            continue
        (length,) = struct.unpack(">H", head[at + 2 : at + 4])
        at += 2 + int(length)
    return None
