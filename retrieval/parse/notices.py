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
from retrieval.parse import chunking, legal
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
from retrieval.types import CODIFIED_KIND, AdminFacts, Notice, NoticeMeta

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
# Kinds only the central state issues: such a document belongs to no province.
_NATIONAL_KINDS = {
    "Luật", "Bộ luật", "Pháp lệnh", "Nghị định", "Thông tư", "Thông tư liên tịch", CODIFIED_KIND,
}  # fmt: skip
# Issuers of the central state, as a masthead writes them, and as a sentence names them.
_CENTRAL_ISSUERS = {
    "QUỐC HỘI": "Quốc hội", "ỦY BAN THƯỜNG VỤ QUỐC HỘI": "Ủy ban Thường vụ Quốc hội",
    "CHÍNH PHỦ": "Chính phủ", "THỦ TƯỚNG CHÍNH PHỦ": "Thủ tướng Chính phủ",
    "VĂN PHÒNG CHÍNH PHỦ": "Văn phòng Chính phủ",
}  # fmt: skip
_MINISTRY = re.compile(r"^BỘ (?!CHỈ HUY)(\S+)(.*)$")  # "BỘ Y TẾ" -> "Bộ Y tế"
# "… CỦA LUẬT PHÒNG, CHỐNG …" names a document, not who issued the title's document.
_DOCUMENT_WORD = re.compile(
    r"^(BỘ LUẬT|LUẬT|PHÁP LỆNH|NGHỊ ĐỊNH|NGHỊ QUYẾT|THÔNG TƯ|QUYẾT ĐỊNH|CHỈ THỊ)\b", re.IGNORECASE
)
_PASSED = re.compile(r"thông qua ngày", re.IGNORECASE)  # a law's date: the day it was passed
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
    page = legal.read_page(extracted.text)
    text = page.text if page else extracted.text
    codified = legal.is_codified(text)
    sidecar, sidecar_bytes = _read_sidecar(path)
    if page:  # what the page says, under what the sidecar says
        sidecar = {**page.facts, **sidecar}
    facts = facts or AdminFacts()
    given = facts.as_sidecar()
    if given:
        sidecar = {**sidecar, **given}
        sidecar_bytes += json.dumps(given, sort_keys=True).encode()  # a new setting re-indexes
    doc = doc_id or doc_id_for(path)
    # A legal page or a codified topic is one document, whatever closings it quotes.
    parts = [text] if page or codified else split_notices(text)
    file_bytes = path.read_bytes()
    notices = []
    for n, part in enumerate(parts, start=1):
        part_id = doc if n == 1 else f"{doc}-{n}"
        salt = b"" if len(parts) == 1 else f"#{n}".encode()
        fingerprint = hashlib.sha256(file_bytes + sidecar_bytes + salt).hexdigest()[:12]
        first = n == 1
        notice = _parse(part, part_id, path, sidecar if first else {}, fingerprint,
                        facts if first else AdminFacts(), codified=codified)  # fmt: skip
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
    *,
    codified: bool,
) -> Notice | None:
    parsed = chunking.split_structure(text, codified=codified)
    paragraphs = chunking.make_paragraphs(doc_id, parsed)
    if not any(p.role == "body" for p in paragraphs):
        return None
    meta = _metadata(doc_id, path, parsed, sidecar, facts, codified=codified)
    # A rule's period is read against the issue date: a period over before it is reported.
    paragraphs = tuple(
        replace(p, period=find_period(p.text, issued=meta.date)) if p.role == "body" else p
        for p in paragraphs
    )
    body = " ".join(p.text for p in paragraphs if p.role == "body")
    periods = tuple(p.period for p in paragraphs if p.period is not None)
    # A codified topic replaces nothing: what its articles repeal, their documents repealed.
    replaced = () if codified else tuple(find_replaced(body))
    meta = replace(meta, replaces=replaced, periods=periods)
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
    *,
    codified: bool,
) -> NoticeMeta:
    """The notice's metadata: the sidecar's (and a legal page's) facts over the text's.

    A codified topic states no date, number, issuer or province of its own: none is read
    from its text (its articles' documents have theirs). A document of the central state
    (a Luật, Nghị định, Thông tư; a masthead of Chính phủ or a Bộ) names no province: its
    "Hà Nội, ngày …" is where it was signed.
    """
    kind = _KIND_NAMES.get(parsed.kind or "", parsed.kind.capitalize() if parsed.kind else None)
    title = side.get("title") or _display_title(kind, parsed.title)
    if facts.date:  # an administrator's date is checked already, and typed
        date: dt.date | None = facts.date
    elif "date" in side:
        date = _sidecar_date(side.get("date"), path)
    else:
        date = None if codified else _text_date(parsed)
    national = (side.get("kind") or kind) in _NATIONAL_KINDS or _central(parsed.masthead)
    province = side.get("province")
    if province is None and not national:
        found = find_provinces(" ".join([parsed.masthead, parsed.intro, parsed.title]))
        province = found[0] if found else None
    recipients = side.get("recipients") or parsed.recipients
    issuer = None if codified else _issuer(parsed.title) or _masthead_issuer(parsed.masthead)
    return NoticeMeta(
        doc_id=doc_id,
        title=title,
        kind=side.get("kind") or kind,
        date=date,
        province=resolve_province(province) or province if province else None,
        issuer=side.get("issuer") or issuer,
        signer=side.get("signer") or parsed.signer,
        signer_title=side.get("signer_title") or parsed.signer_title,
        number=side.get("number") or parsed.number,
        recipients=tuple(recipients),
        source=path.name,
        supersedes=side.get("supersedes"),
    )


def _text_date(parsed: chunking.ParsedText) -> dt.date | None:
    # The masthead's "Kiên Giang, ngày 14 tháng 9 năm 2021" is the issue date; the intro's
    # first date is the meeting's, the best there is without one. A preamble ("Căn cứ
    # Luật … ngày …") dates other documents; a law without a dated masthead is dated by
    # the day it was passed ("… thông qua ngày 21 tháng 11 năm 2007").
    issued = first_date(parsed.issued) if parsed.issued else None
    intro = "" if parsed.intro.startswith("Căn cứ") else parsed.intro
    return issued or first_date(intro[:300]) or first_date(parsed.title) or _passed_date(parsed)


def _passed_date(parsed: chunking.ParsedText) -> dt.date | None:
    if parsed.kind not in ("LUẬT", "PHÁP LỆNH"):
        return None
    for p in reversed(parsed.paragraphs[-5:]):
        found = _PASSED.search(p.text)
        if found:
            return first_date(p.text[found.start() :])
    return None


def _central(masthead: str) -> bool:
    issuer = _masthead_words(masthead) or ""
    return issuer in _CENTRAL_ISSUERS or bool(_MINISTRY.match(issuer))


def _masthead_words(masthead: str) -> str | None:
    m = re.match(r"(.+?)(?=\s+(?:Số\b|Luật số\b|ĐẢNG CỘNG SẢN|CỘNG H[OÒ]A)|$)", masthead)
    return m.group(1).strip() if m and m.group(1).isupper() else None


def _masthead_issuer(masthead: str) -> str | None:
    """'TỈNH ỦY KIÊN GIANG' from the masthead (its first all-caps words before the motto).

    A central issuer is named as a sentence names it: "Chính phủ", "Bộ Y tế".
    """
    words = _masthead_words(masthead)
    if words is None:
        return None
    if words in _CENTRAL_ISSUERS:
        return _CENTRAL_ISSUERS[words]
    ministry = _MINISTRY.match(words)
    if ministry:
        return f"Bộ {ministry.group(1).capitalize()}{ministry.group(2).lower()}"
    return _sentence_case(words)


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
    if kind in ("Luật", "Bộ luật", "Pháp lệnh"):  # "Luật Phòng, chống bệnh truyền nhiễm"
        body = body[:1].upper() + body[1:]
    if kind:
        return f"{kind} {body}".strip()
    return (body[:1].upper() + body[1:]) or "Văn bản không tên"


def _issuer(title: str) -> str | None:
    m = re.search(r"CỦA (.+?)(?:\s+(?:về|tại)\s|$)", title)
    if not m or _DOCUMENT_WORD.match(m.group(1)):
        return None
    issuer = _sentence_case(m.group(1).strip(" ,"))
    return issuer[:1].upper() + issuer[1:]
