"""Read a notice's structure: kind, title, sections, bullets, recipients and signature.

Works on repaired text (see repair.py) and on two document shapes: provincial notices
("1.", "2.1.", "- " bullets, "Nơi nhận" block) and legal codes ("Chương", "Điều", numbered
clauses, "a)" points).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from retrieval.parse import repair
from retrieval.parse.repair import ARTICLE_MARKER, BULLET_MARKER, CHAPTER_MARKER, POINT_MARKER
from retrieval.parse.repair import SECTION_MARKER as NUMBERED
from retrieval.types import Paragraph, Role

KINDS = (
    "THÔNG BÁO", "CHỈ THỊ", "NGHỊ QUYẾT", "QUYẾT ĐỊNH", "KẾT LUẬN", "CÔNG VĂN", "KẾ HOẠCH",
    "HƯỚNG DẪN", "LUẬT", "NGHỊ ĐỊNH", "THÔNG TƯ", "CÔNG ĐIỆN", "BÁO CÁO", "QUY ĐỊNH",
)  # fmt: skip
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
_SEPARATOR = re.compile(r"^[-=_*~]{3,}$")
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# A heading needs no more words than this; longer numbered blocks are content.
_HEADING_MAX_WORDS = 16
_TRAIL_WORDS = 16


@dataclass(frozen=True)
class ParsedText:
    """The structure read from a notice's text, before ids and metadata are attached."""

    kind: str | None
    title: str
    paragraphs: tuple[tuple[str, str | None, tuple[str, ...]], ...]
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


@dataclass
class _Trail:
    """Where we are in the document: chapter, article, numbered sections."""

    chapter: str | None = None
    article: str | None = None
    article_heading: str | None = None
    numbers: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    clause: str | None = None
    last_was_bullet: bool = False

    def headings(self) -> tuple[str, ...]:
        items = [self.chapter, self.article_heading]
        if self.current and self.article is None:
            parts = self.current.split(".")
            items += [self.numbers.get(".".join(parts[: i + 1])) for i in range(len(parts))]
        return tuple(h for h in items if h)

    def section(self) -> str | None:
        if self.article:
            return f"{self.article}, khoản {self.clause}" if self.clause else self.article
        return self.current


def split_structure(text: str) -> ParsedText:
    """Parse repaired-or-raw notice text into title, paragraphs and closing metadata.

    Args:
        text: the whole document as NFC text.

    Returns:
        A ParsedText whose paragraphs are (text, section, heading trail) in reading order.
    """
    text = _FRONT_MATTER.sub("", repair.normalise_text(text))
    lines = _content_lines(text)
    masthead, number, issued, top = _read_masthead(lines)
    lines = lines[top:]
    kind, title, header_md_title, start = _read_header(lines)
    header = [masthead, *(repair.strip_markdown(line).strip() for line in lines[:start] if line)]
    header_text = " ".join(h for h in header if h)
    blocks = [
        repair.strip_markdown(repair.drop_stray_tail(b)).strip()
        for b in repair.join_lines(lines[start:])
    ]
    blocks = [b for b in blocks if b]
    body, closing = _split_closing(blocks)
    recipients, signature_lines = _read_closing(closing)
    signer = signature_lines[-1] if signature_lines else None
    signer_title = " ".join(signature_lines[:-1]) or None
    paragraphs = _assign_sections(body)
    intro = next((p[0] for p in paragraphs if p[1] is None), "")
    return ParsedText(
        kind=kind,
        title=title or header_md_title or (paragraphs[0][0][:80] if paragraphs else ""),
        paragraphs=tuple(paragraphs),
        recipients=tuple(recipients),
        signature=" ".join(signature_lines) or None,
        recipients_text=" ".join(b for b in closing if b not in signature_lines) or None,
        title_text=" ".join(header_text.split()) or None,
        signer=signer,
        signer_title=signer_title,
        intro=intro,
        masthead=masthead,
        number=number,
        issued=issued,
    )


MASTHEAD_LINES = 14  # the kind line comes within this many lines of the top, or there is none
_NUMBER_LINE = re.compile(r"^Số\s*:?\s*([0-9][\w./-]*(?:\s*-\s*[A-ZĐ][\w/.-]*)?)", re.IGNORECASE)
_PLACE_DATE = re.compile(r"^[^\W\d][\w .-]{1,40},\s*ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}")
_MOTTO = re.compile(
    r"^(ĐẢNG CỘNG SẢN VIỆT NAM|CỘNG H[OÒ]A XÃ HỘI CHỦ NGHĨA VIỆT NAM|Độc lập\s*-\s*Tự do)",
    re.IGNORECASE,
)
_DECORATION = re.compile(r"^[\W_]{1,12}$")


def _read_masthead(lines: list[str]) -> tuple[str, str | None, str | None, int]:
    """The administrative template's top: issuer, "Số …", motto, "Place, ngày …".

    Returns the masthead text, the number, the place-and-date line and the index of the
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
            return (" ".join(kept), number, issued, i) if kept else ("", None, None, 0)
        found = _NUMBER_LINE.match(line)
        if found:
            number = number or found.group(1).replace(" ", "")
        elif _PLACE_DATE.match(line):
            issued = issued or line
        elif not (_MOTTO.match(line) or repair.is_all_caps(line)):
            break  # body text before any kind line: no masthead
        kept.append(line)
    return "", None, None, 0


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
            line = heading.group(1)[:2] + content  # "#Title" or "##Section heading"
        kept.append(line)
    return kept


def _read_header(lines: list[str]) -> tuple[str | None, str, str, int]:
    """Return kind, title, markdown title and the index of the first body line."""
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


def _is_heading_only(block: str) -> bool:
    words = block.split()
    ends_open = block.endswith(":") or not re.search(r"[.;!?…][”\")]*$", block)
    return len(words) <= _HEADING_MAX_WORDS and ends_open


def _trail_label(block: str) -> str:
    head = block.split(":")[0]
    words = head.split()
    return " ".join(words[:_TRAIL_WORDS]) + (" …" if len(words) > _TRAIL_WORDS else "")


def _assign_sections(blocks: list[str]) -> list[tuple[str, str | None, tuple[str, ...]]]:
    trail = _Trail()
    out: list[tuple[str, str | None, tuple[str, ...]]] = []
    for block in blocks:
        if block.startswith("#"):
            continue
        article = ARTICLE_MARKER.match(block)
        if CHAPTER_MARKER.match(block):
            trail = _Trail(chapter=block)
            continue
        if article:
            trail.article = "Điều " + article.group(1).rstrip(".")
            trail.article_heading = block
            trail.clause = None
            continue
        numbered = NUMBERED.match(block)
        if numbered and trail.article:
            trail.clause = numbered.group(1)
        elif numbered:
            number = numbered.group(1)
            trail.current = number
            trail.numbers[number] = _trail_label(block)
            trail.last_was_bullet = False
            if _is_heading_only(block):
                continue
        elif BULLET_MARKER.match(block) or POINT_MARKER.match(block):
            trail.last_was_bullet = True
        elif trail.last_was_bullet and trail.article is None:
            # Prose after a section's bullets closes the numbered part ("Ban Thường vụ
            # thông báo đến các cấp ủy..."): it belongs to no section.
            trail.current = None
            trail.last_was_bullet = False
        elif repair.is_all_caps(block) and len(block.split()) <= _HEADING_MAX_WORDS:
            if trail.chapter and trail.article is None:
                trail.chapter = f"{trail.chapter} {block}"
            continue
        out.append((block, trail.section(), trail.headings()))
    return out


def make_paragraphs(doc_id: str, parsed: ParsedText) -> tuple[Paragraph, ...]:
    """Attach ids and positions; header, recipients and signature records come last."""
    paragraphs = [
        Paragraph(doc_id=doc_id, position=i, text=text, section=section, headings=headings)
        for i, (text, section, headings) in enumerate(parsed.paragraphs)
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
