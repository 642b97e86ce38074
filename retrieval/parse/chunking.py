"""Read a notice's structure: masthead, kind, title, body paragraphs, recipients and signature.

Works on repaired text (see repair.py) and on three document shapes: provincial notices
("1.", "2.1.", "- " bullets, "Nơi nhận" block), legal documents (a masthead with "Số:" or
"Luật số:", then "Chương", "Điều", numbered clauses, "a)" points) and codified topics of the
Bộ Pháp điển (legal.py), which have no masthead and no closing. Where each paragraph stands
is sections.py's part.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retrieval.parse import legal, repair
from retrieval.parse.repair import ARTICLE_MARKER, BULLET_MARKER, CHAPTER_MARKER
from retrieval.parse.repair import SECTION_MARKER as NUMBERED
from retrieval.parse.sections import Placed, assign_sections
from retrieval.types import Paragraph, Role

KINDS = (
    "THÔNG BÁO", "CHỈ THỊ", "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "KẾT LUẬN", "CÔNG VĂN", "KẾ HOẠCH",
    "HƯỚNG DẪN", "LUẬT", "NGHỊ ĐỊNH", "THÔNG TƯ", "CÔNG ĐIỆN", "BÁO CÁO", "QUY ĐỊNH",
)  # fmt: skip
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_SEPARATOR = re.compile(r"^[-=_*~]{3,}$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


@dataclass(frozen=True)
class ParsedText:
    """The structure read from a notice's text, before ids and metadata are attached."""

    kind: str | None
    title: str
    paragraphs: tuple[Placed, ...]
    recipients: tuple[str, ...] = ()
    signature: str | None = None
    recipients_text: str | None = None
    title_text: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    intro: str = ""
    masthead: str = ""  # the lines above the kind: issuer, number, motto, place and date
    number: str | None = None  # "12-TB/TU", from the masthead's "Số 12-TB/TU"
    issued: str | None = None  # the masthead's "Kiên Giang, ngày 14 tháng 9 năm 2021"


def split_structure(text: str, *, codified: bool = False) -> ParsedText:
    """Parse repaired-or-raw notice text into title, paragraphs and closing metadata.

    Args:
        text: the whole document as NFC text.
        codified: a Bộ Pháp điển topic (legal.is_codified): articles with source lines, no
            masthead, no closing (a "Nơi nhận" inside is an original document's).

    Returns:
        A ParsedText whose paragraphs are (text, section, heading trail, origin) in reading
        order.
    """
    text = _FRONT_MATTER.sub("", repair.normalise_text(text))
    if codified:
        text = legal.separate_codified(text)
    lines = _content_lines(text)
    top_lines, number, issued, top = ([], None, None, 0) if codified else _read_masthead(lines)
    masthead = " ".join(top_lines)
    lines = lines[top:]
    kind, title, header_md_title, start = _read_header(lines, issuer=_issuer_line(top_lines))
    header = [masthead, *(repair.strip_markdown(line).strip() for line in lines[:start] if line)]
    header_text = " ".join(h for h in header if h)
    standalone = legal.is_codified_line if codified else None
    blocks = [
        repair.strip_markdown(repair.drop_stray_tail(b)).strip()
        for b in repair.join_lines(lines[start:], standalone=standalone)
    ]
    blocks = [b for b in blocks if b]
    body, closing = (blocks, []) if codified else _split_closing(blocks)
    recipients, signature_lines = _read_closing(closing)
    signer = signature_lines[-1] if signature_lines else None
    signer_title = " ".join(signature_lines[:-1]) or None
    paragraphs = assign_sections(body, codified=codified)
    intro = next((p.text for p in paragraphs if p.section is None), "")
    return ParsedText(
        kind=kind,
        title=title or header_md_title or (paragraphs[0][0][:80] if paragraphs else ""),
        paragraphs=tuple(paragraphs),
        recipients=tuple(recipients),
        signature=" ".join(signature_lines) or None,
        recipients_text=" ".join(b for b in closing if b not in signature_lines) or None,
        # A codified topic's header is its "# Title" line: its title is what it says of itself.
        title_text=(header_md_title if codified else " ".join(header_text.split())) or None,
        signer=signer,
        signer_title=signer_title,
        intro=intro,
        masthead=masthead,
        number=number,
        issued=issued,
    )


MASTHEAD_LINES = 14  # the kind line comes within this many lines of the top, or there is none
# "Số: 15/CT-TTg", "Số 12-TB/TU", and a law's "Luật số: 03/2007/QH12".
_NUMBER_LINE = re.compile(
    r"^(?:(?:Bộ luật|Luật|Pháp lệnh)\s+)?Số\s*:?\s*([0-9][\w./-]*(?:\s*-\s*[A-ZĐ][\w/.-]*)?)",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(r"^[^\W\d][\w .-]{1,40},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")
_MOTTO = re.compile(
    r"^(ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG H[OÒ]A XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*-\s*Tự do)",
    re.IGNORECASE,
)
_DECORATION = re.compile(r"^[\W_]{1,12}$")


def _read_masthead(lines: list[str]) -> tuple[list[str], str | None, str | None, int]:
    """The administrative template's top: issuer, "Số …", motto, "Place, ngày …".

    Returns the masthead's lines, the number, the place-and-date line and the index of the
    first line after the masthead (0 when the text does not open with one: nothing is
    taken unless a kind line such as "THÔNG BÁO" follows within a few lines).
    """
    kept: list[str] = []
    number = issued = None
    for i, raw in enumerate(lines[:MASTHEAD_LINES]):
        line = repair.strip_markdown(raw).strip()
        if not line or _DECORATION.match(line):
            continue
        if line.upper() in KINDS:
            return (kept, number, issued, i) if kept else ([], None, None, 0)
        found = _NUMBER_LINE.match(line)
        if found:
            number = number or found.group(1).replace(" ", "")
        elif _PLACE_DATE.match(line):
            issued = issued or line
        elif not (_MOTTO.match(line) or repair.is_all_caps(line)):
            break  # body text before any kind line: no masthead
        kept.append(line)
    return [], None, None, 0


def _issuer_line(masthead: list[str]) -> str | None:
    """The masthead's first line when it names the issuer ("CHÍNH PHỦ"), not the motto."""
    first = masthead[0] if masthead else ""
    return first if repair.is_all_caps(first) and not _MOTTO.match(first) else None


def _content_lines(text: str) -> list[str]:
    kept: list[str] = []
    for raw in text.split("\n"):
        line = repair.clean_line(raw)
        if line.startswith("|") or _SEPARATOR.match(line):
            continue  # markdown tables (a metadata box in web copies) and rules
        heading = _MD_HEADING.match(line)
        if heading:
            content = heading.group(2).strip()
            if not content or content.isdigit():
                continue  # generated anchors such as "### 4500700000..."
            if CHAPTER_MARKER.match(content) or ARTICLE_MARKER.match(content):
                line = content  # "## Chương I …", "### Điều 1. …": a legal text's structure
            else:
                line = heading.group(1)[:2] + content  # "#Title" or "##Section heading"
        kept.append(line)
    return kept


def _read_header(lines: list[str], *, issuer: str | None) -> tuple[str | None, str, str, int]:
    """Return kind, title, markdown title and the index of the first body line.

    A legal document names its issuer again under the title ("CHÍNH PHỦ", then "Căn cứ
    …"): that line, the masthead's `issuer` line, ends the header.
    """
    i = 0
    while i < len(lines) and not lines[i]:
        i += 1
    kind: str | None = None
    title_parts: list[str] = []
    md_title = ""
    if i < len(lines) and repair.strip_markdown(lines[i]).strip().upper() in KINDS:
        kind = repair.strip_markdown(lines[i]).strip().upper()
        i += 1
    while i < len(lines):
        line = lines[i]
        plain = repair.strip_markdown(line).strip()
        if not plain:
            i += 1
            continue
        if plain.startswith("##"):
            i += 1
            continue
        if plain.startswith("#"):
            md_title = md_title or plain.lstrip("#").strip()
            i += 1
            continue
        if kind is None and not title_parts and md_title == "" and not repair.is_all_caps(plain):
            break  # no header at all: the body starts here
        is_title_line = (
            repair.is_all_caps(plain)
            or plain[:1].islower()
            or (plain[:1].isdigit() and not NUMBERED.match(plain))
        )
        if not is_title_line or CHAPTER_MARKER.match(plain) or ARTICLE_MARKER.match(plain):
            break
        if issuer and (title_parts or kind) and plain.upper() == issuer.upper():
            i += 1
            break
        if kind is None and plain.upper() in KINDS:
            kind = plain.upper()
        else:
            title_parts.append(plain)
        i += 1
    return kind, " ".join(title_parts), md_title, i


def _split_closing(blocks: list[str]) -> tuple[list[str], list[str]]:
    for i, block in enumerate(blocks):
        if block.lower().startswith("nơi nhận"):
            return blocks[:i], blocks[i:]
    # No "Nơi nhận": a trailing all-caps title and a short name are still a signature.
    if len(blocks) >= 2 and _looks_like_name(blocks[-1]) and repair.is_all_caps(blocks[-2]):
        j = len(blocks) - 2
        while j > 0 and repair.is_all_caps(blocks[j - 1]):
            j -= 1
        return blocks[:j], blocks[j:]
    return blocks, []


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and text[-1:].isalpha()


def _read_closing(closing: list[str]) -> tuple[list[str], list[str]]:
    recipients: list[str] = []
    signature: list[str] = []
    for block in closing:
        if block.lower().startswith("nơi nhận"):
            rest = block.split(":", 1)[1].strip() if ":" in block else ""
            recipients += _recipient_items(rest)
        elif BULLET_MARKER.match(block) and not signature:
            recipients += _recipient_items(block)
        else:
            signature.append(block)
    return recipients, signature


def _recipient_items(text: str) -> list[str]:
    items = [re.sub(r"^[-+•–]\s*", "", part).strip(" ,;.") for part in re.split(r"\s-\s", text)]
    return [item for item in items if item]


def make_paragraphs(doc_id: str, parsed: ParsedText) -> tuple[Paragraph, ...]:
    """Attach ids and positions; header, recipients and signature records come last."""
    paragraphs = [
        Paragraph(
            doc_id=doc_id,
            position=i,
            text=p.text,
            section=p.section,
            headings=p.headings,
            origin=p.origin,
        )
        for i, p in enumerate(parsed.paragraphs)
    ]
    extras: tuple[tuple[str | None, str, Role], ...] = (
        (parsed.title_text, "Tiêu đề", "title"),
        (parsed.recipients_text, "Nơi nhận", "recipients"),
        (parsed.signature, "Chữ ký", "signature"),
    )
    for text, label, role in extras:
        if text:
            paragraphs.append(
                Paragraph(
                    doc_id=doc_id, position=len(paragraphs), text=text, headings=(label,), role=role
                )  # fmt: skip
            )
    return tuple(paragraphs)
