"""Load a notice file (and its NAME.meta.json sidecar) into the notices it holds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from retrieval.errors import EmptyDocumentError, ParseError
from retrieval.parse import chunking
from retrieval.parse.bundle import split_notices
from retrieval.parse.extracted import ReadLimits
from retrieval.parse.reading import read_file
from retrieval.text import (
    PROVINCES,
    find_period,
    find_provinces,
    find_replaced,
    first_date,
    fold,
    resolve_province,
)
from retrieval.types import AdminFacts, Notice, NoticeMeta

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


DOC_ID_CHARS = 40  # room for a "-2" part number or a "-1a2b3c" collision suffix within 48


@dataclass(frozen=True)
class LoadedFile:
    """The notices of one file, and how the file was read (for the user's summary)."""

    notices: tuple[Notice, ...]
    kind: str
    notes: tuple[str, ...] = ()


def doc_id_for(path: Path) -> str:
    """Document id: the whole file name without its extension, in safe characters.

    "2021.09.13 Kiên Giang.txt" -> "2021-09-13-Kien-Giang": Vietnamese letters folded (case
    kept), everything else but letters, digits, _ and - made a single "-". The whole stem,
    not the part before the first dot, so that dated file names stay apart.
    """
    folded = "".join(c if not c.isalpha() else _fold_letter(c) for c in _stem(path))
    return (
        re.sub(r"[^A-Za-z0-9_-]+", "-", folded).strip("-")[:DOC_ID_CHARS].strip("-") or "document"
    )


def sidecar_path(path: Path) -> Path:
    """NAME.meta.json beside NAME.txt (or .md, .docx, .pdf, ...)."""
    return path.with_name(_stem(path) + ".meta.json")


def load_notices(
    path: Path,
    *,
    doc_id: str | None = None,
    limits: ReadLimits | None = None,
    facts: AdminFacts | None = None,
) -> LoadedFile:
    """Read, repair and parse a file into the notices it holds, applying its sidecar.

    A file with several notices one after the other gives one Notice each; the first keeps
    the file's id, the next ones get "-2", "-3", ... The sidecar describes the first, and
    an administrator's `facts` (date, province, supersedes) go over the sidecar and the
    text, for the first notice too.

    Raises:
        ParseError: (or a subclass) naming the file and what is wrong with it.
    """
    extracted = read_file(path, limits)
    sidecar, sidecar_bytes = _read_sidecar(path)
    facts = facts or AdminFacts()
    given = facts.as_sidecar()
    if given:
        sidecar = {**sidecar, **given}
        sidecar_bytes += json.dumps(given, sort_keys=True).encode()  # a new setting re-indexes
    doc = doc_id or doc_id_for(path)
    parts = split_notices(extracted.text)
    file_bytes = path.read_bytes()
    notices = []
    for n, part in enumerate(parts, start=1):
        part_id = doc if n == 1 else f"{doc}-{n}"
        salt = b"" if len(parts) == 1 else f"#{n}".encode()
        fingerprint = hashlib.sha256(file_bytes + sidecar_bytes + salt).hexdigest()[:12]
        first = n == 1
        notice = _parse(part, part_id, path, sidecar if first else {}, fingerprint,
                        facts if first else AdminFacts())  # fmt: skip
        if notice is not None and first and facts:
            notice = replace(notice, meta=replace(notice.meta, overrides=facts))
        if notice is not None:
            notices.append(notice)
    if not notices:
        raise EmptyDocumentError(str(path), "no paragraphs found after cleaning")
    notes = extracted.notes
    if len(notices) > 1:
        notes = (*notes, f"tách thành {len(notices)} văn bản")
    return LoadedFile(tuple(notices), extracted.kind, notes)


def load_notice(path: Path, *, doc_id: str | None = None) -> Notice:
    """The first (usually the only) notice of a file; see load_notices."""
    return load_notices(path, doc_id=doc_id).notices[0]


def _parse(
    text: str,
    doc_id: str,
    path: Path,
    sidecar: dict[str, Any],
    fingerprint: str,
    facts: AdminFacts,
) -> Notice | None:
    parsed = chunking.split_structure(text)
    paragraphs = chunking.make_paragraphs(doc_id, parsed)
    if not any(p.role == "body" for p in paragraphs):
        return None
    meta = _metadata(doc_id, path, parsed, sidecar, facts)
    # A rule's period is read against the issue date: a period over before it is reported.
    paragraphs = tuple(
        replace(p, period=find_period(p.text, issued=meta.date)) if p.role == "body" else p
        for p in paragraphs
    )
    body = " ".join(p.text for p in paragraphs if p.role == "body")
    periods = tuple(p.period for p in paragraphs if p.period is not None)
    meta = replace(meta, replaces=tuple(find_replaced(body)), periods=periods)
    return Notice(meta=meta, paragraphs=paragraphs, fingerprint=fingerprint)


def _stem(path: Path) -> str:
    """The file name without its last extension ("a.b.txt" -> "a.b")."""
    return path.name[: -len(path.suffix)] if path.suffix else path.name


def _fold_letter(letter: str) -> str:
    folded = fold(letter)
    return folded.upper() if letter.isupper() else folded


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
    doc_id: str,
    path: Path,
    parsed: chunking.ParsedText,
    side: dict[str, Any],
    facts: AdminFacts,
) -> NoticeMeta:
    kind = _KIND_NAMES.get(parsed.kind or "", parsed.kind.capitalize() if parsed.kind else None)
    title = side.get("title") or _display_title(kind, parsed.title)
    if facts.date:  # an administrator's date is checked already, and typed
        date: dt.date | None = facts.date
    elif "date" in side:
        date = _sidecar_date(side.get("date"), path)
    else:
        date = _text_date(parsed)
    province = side.get("province")
    if province is None:
        found = find_provinces(" ".join([parsed.masthead, parsed.intro, parsed.title]))
        province = found[0] if found else None
    recipients = side.get("recipients") or parsed.recipients
    return NoticeMeta(
        doc_id=doc_id,
        title=title,
        kind=side.get("kind") or kind,
        date=date,
        province=resolve_province(province) or province if province else None,
        issuer=side.get("issuer") or _issuer(parsed.title) or _masthead_issuer(parsed.masthead),
        signer=side.get("signer") or parsed.signer,
        signer_title=side.get("signer_title") or parsed.signer_title,
        number=side.get("number") or parsed.number,
        recipients=tuple(recipients),
        source=path.name,
        supersedes=side.get("supersedes"),
    )


def _text_date(parsed: chunking.ParsedText) -> dt.date | None:
    # The masthead's "Kiên Giang, ngày 14 tháng 9 năm 2021" is the issue date; the intro's
    # first date is the meeting's, the best there is without one.
    issued = first_date(parsed.issued) if parsed.issued else None
    return issued or first_date(parsed.intro[:300]) or first_date(parsed.title)


def _masthead_issuer(masthead: str) -> str | None:
    """'TỈNH ỦY KIÊN GIANG' from the masthead (its first all-caps words before the motto)."""
    m = re.match(r"(.+?)(?=\s+(?:Số\b|ĐẢNG CỘNG SẢN|CỘNG H[OÒ]A)|$)", masthead)
    if not m or not m.group(1).isupper():
        return None
    return _sentence_case(m.group(1).strip())


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
