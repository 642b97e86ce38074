"""Load a notice file (and its NAME.meta.json sidecar) into a Notice."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from pathlib import Path
from typing import Any

from retrieval.errors import EmptyDocumentError, ParseError
from retrieval.parse import chunking
from retrieval.parse.reading import read_text
from retrieval.text import PROVINCES, canonical_province, find_provinces, first_date
from retrieval.types import Notice, NoticeMeta

logger = logging.getLogger(__name__)

_KIND_NAMES = {
    "THÔNG BÁO": "Thông báo", "CHỈ THỊ": "Chỉ thị", "NGHỊ QUYẾT": "Nghị quyết",
    "QUYẾT ĐỊNH": "Quyết định", "KẾT LUẬN": "Kết luận", "CÔNG VĂN": "Công văn",
    "KẾ HOẠCH": "Kế hoạch", "HƯỚNG DẪN": "Hướng dẫn", "LUẬT": "Luật", "NGHỊ ĐỊNH": "Nghị định",
    "THÔNG TƯ": "Thông tư", "CÔNG ĐIỆN": "Công điện", "BÁO CÁO": "Báo cáo", "QUY ĐỊNH": "Quy định",
}  # fmt: skip
# Words that keep a capital when an all-caps title is put in sentence case.
_PROPER = (
    "Tỉnh ủy", "Ban Thường vụ", "Thường trực", "Ban Chỉ đạo", "Bí thư", "Covid-19", "Hội nghị",
    "Ủy ban nhân dân", "Hội đồng nhân dân", "Trưởng Ban", "UBND", "HĐND", "BCĐ", "MTTQ",
)  # fmt: skip
_SIDECAR_KEYS = {
    "title", "kind", "date", "province", "issuer", "signer", "signer_title", "number",
    "supersedes", "recipients",
}  # fmt: skip


def doc_id_for(path: Path) -> str:
    """Document id: the file name without extension, reduced to safe characters."""
    stem = path.name.split(".")[0]
    return re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-")[:48] or "document"


def sidecar_path(path: Path) -> Path:
    """NAME.meta.json beside NAME.txt (or .md, .docx, .pdf)."""
    return path.with_name(path.name.split(".")[0] + ".meta.json")


def load_notice(path: Path, *, doc_id: str | None = None) -> Notice:
    """Read, repair and parse a notice file, applying its sidecar if there is one.

    Raises:
        ParseError: (or a subclass) naming the file and what is wrong with it.
    """
    text = read_text(path)
    sidecar, sidecar_bytes = _read_sidecar(path)
    parsed = chunking.split_structure(text)
    doc = doc_id or doc_id_for(path)
    paragraphs = chunking.make_paragraphs(doc, parsed)
    if not any(p.role == "body" for p in paragraphs):
        raise EmptyDocumentError(str(path), "no paragraphs found after cleaning")
    fingerprint = hashlib.sha256(path.read_bytes() + sidecar_bytes).hexdigest()[:12]
    meta = _metadata(doc, path, parsed, sidecar)
    return Notice(meta=meta, paragraphs=paragraphs, fingerprint=fingerprint)


def _read_sidecar(path: Path) -> tuple[dict[str, Any], bytes]:
    side = sidecar_path(path)
    if not side.exists():
        return {}, b""
    raw = side.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ParseError(str(side), f"sidecar is not valid JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ParseError(str(side), "sidecar must be a JSON object")
    unknown = set(data) - _SIDECAR_KEYS
    if unknown:
        logger.warning("Sidecar %s: ignoring unknown keys %s", side.name, sorted(unknown))
    return data, raw


def _metadata(
    doc_id: str, path: Path, parsed: chunking.ParsedText, side: dict[str, Any]
) -> NoticeMeta:
    kind = _KIND_NAMES.get(parsed.kind or "", parsed.kind.capitalize() if parsed.kind else None)
    title = side.get("title") or _display_title(kind, parsed.title)
    date = _sidecar_date(side.get("date"), path) if "date" in side else _text_date(parsed)
    province = side.get("province")
    if province is None:
        found = find_provinces(parsed.intro + " " + parsed.title)
        province = found[0] if found else None
    recipients = side.get("recipients") or parsed.recipients
    return NoticeMeta(
        doc_id=doc_id,
        title=title,
        kind=side.get("kind") or kind,
        date=date,
        province=canonical_province(province) or province if province else None,
        issuer=side.get("issuer") or _issuer(parsed.title),
        signer=side.get("signer") or parsed.signer,
        signer_title=side.get("signer_title") or parsed.signer_title,
        number=side.get("number"),
        recipients=tuple(recipients),
        source=path.name,
        supersedes=side.get("supersedes"),
    )


def _text_date(parsed: chunking.ParsedText) -> dt.date | None:
    return first_date(parsed.intro[:300]) or first_date(parsed.title)


def _sidecar_date(value: Any, path: Path) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ParseError(str(sidecar_path(path)), f"date {value!r} is not YYYY-MM-DD") from exc


def _sentence_case(text: str) -> str:
    """Lowercase the leading all-caps words of a title, keeping known proper names."""
    words = text.split()
    n = 0
    while n < len(words) and (not any(c.isalpha() for c in words[n]) or words[n].isupper()):
        n += 1
    if n == 0:
        return text
    lowered = " ".join(words[:n]).lower()
    for name in (*_PROPER, *PROVINCES):
        lowered = re.sub(rf"(?<!\w){re.escape(name.lower())}(?!\w)", name, lowered)
    return " ".join([lowered, *words[n:]])


def _display_title(kind: str | None, title: str) -> str:
    body = _sentence_case(title)
    if kind:
        return f"{kind} {body}".strip()
    return (body[:1].upper() + body[1:]) or "Văn bản không tên"


def _issuer(title: str) -> str | None:
    m = re.search(r"CỦA (.+?)(?:\s+(?:về|tại)\s|$)", title)
    if not m:
        return None
    issuer = _sentence_case(m.group(1).strip(" ,"))
    return issuer[:1].upper() + issuer[1:]
