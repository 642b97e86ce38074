"""Files that hold several notices, one after the other: where each one starts.

Offices paste a week's notices into one file. Each has its own header (issuer, number, kind
and title), body, "Nơi nhận" and signature; read as one notice, everything after the first
"Nơi nhận" would become its signature. A new notice starts at the first issuer or kind line
(all capitals: "TỈNH ỦY LAI CHÂU", "ĐẢNG CỘNG SẢN VIỆT NAM", "THÔNG BÁO") after a "Nơi nhận"
and its signature. One pass over the lines: linear in the file's size.
"""

from __future__ import annotations

import re

from retrieval.parse.chunking import KINDS

MIN_NOTICE_CHARS = 200  # a shorter tail after a signature is not a notice of its own
# Lines that open a notice's header (upper case, markdown emphasis removed).
_ISSUER = re.compile(
    r"^(TỈNH ỦY|THÀNH ỦY|HUYỆN ỦY|ĐẢNG ỦY|ĐẢNG BỘ|BAN CHẤP HÀNH|ĐẢNG CỘNG SẢN VIỆT NAM"
    r"|CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM|CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    r"|ỦY BAN NHÂN DÂN|UBND|BAN CHỈ ĐẠO)\b"
)
_CLOSING = re.compile(r"^\W*nơi nhận", re.IGNORECASE)
# Signature lines that look like a header but close a notice ("T/M BAN THƯỜNG VỤ").
_SIGNATURE = re.compile(r"^(T/M|TM\.?|K/T|KT\.?|Q\.|TL\.?|T/L|BÍ THƯ|PHÓ BÍ THƯ|CHỦ TỊCH)\b")


def split_notices(text: str) -> list[str]:
    """The notices in a text, in order; a text with one notice is returned whole."""
    lines = text.split("\n")
    starts = [0]
    closed = False
    for i, raw in enumerate(lines):
        line = raw.strip().strip("*_# ").strip()
        if not line:
            continue
        if _CLOSING.match(line):
            closed = True
            continue
        if closed and _opens_notice(line):
            starts.append(i)
            closed = False
    parts = [
        "\n".join(lines[a:b]).strip("\n")
        for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)
    ]
    merged: list[str] = []
    for part in parts:
        if merged and len(part.strip()) < MIN_NOTICE_CHARS:
            merged[-1] = f"{merged[-1]}\n{part}"
        else:
            merged.append(part)
    return merged


def _opens_notice(line: str) -> bool:
    if line != line.upper() or _SIGNATURE.match(line):
        return False
    return line in KINDS or bool(_ISSUER.match(line))
