"""Where each paragraph stands: a notice's numbered sections, a legal text's Điều/khoản/điểm.

A notice numbers its sections "1.", "2.1." under headings; a legal text has Phần, Chương and
Mục, then articles ("Điều 48. Biện pháp cách ly y tế"), clauses ("2. …") and points ("a) …").
Every paragraph gets a `section` a cadre can cite ("2.1", "Điều 11, khoản 1, điểm a") and the
trail of headings above it. In a codified text (legal.py) each article's source line gives
its original document and article (an `Origin`): the section then names that article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from retrieval.parse import legal, repair
from retrieval.parse.repair import ARTICLE_MARKER, BULLET_MARKER, CHAPTER_MARKER, POINT_MARKER
from retrieval.parse.repair import SECTION_MARKER as NUMBERED
from retrieval.types import Origin

# A heading needs no more words than this; longer numbered blocks are content.
HEADING_MAX_WORDS = 16
_TRAIL_WORDS = 16
_LEVELS = {"phần": 0, "chương": 1, "mục": 2}
# In a codified text only the code's own divisions count: "Chương IV" and "Mục 3" alone on
# their line. "Chương 2." or "Mục 2. QUẢN LÝ VẮC XIN" inside an article are the headings of
# the original document that the web copy kept: they are dropped.
_CODE_DIVISION = re.compile(r"^(Phần [IVXLC]+|Chương [IVXLC]+|Mục \d+)$")


class Placed(NamedTuple):
    """A body paragraph with its place: section, heading trail and (codified) origin."""

    text: str
    section: str | None
    headings: tuple[str, ...]
    origin: Origin | None = None


@dataclass
class _Trail:
    """Where we are in the document: divisions, article, clause, point, numbered sections."""

    divisions: list[str | None] = field(default_factory=lambda: [None, None, None])
    titling: int | None = None  # the division whose title lines are being read
    article: str | None = None
    article_heading: str | None = None
    heading_open: bool = False  # a lowercase line now continues the article's heading
    clause: str | None = None
    point: str | None = None
    origin: Origin | None = None
    # A codified heading read, its source line not yet: its number and title.
    awaiting_source: tuple[str, str | None] | None = None
    numbers: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    last_was_bullet: bool = False

    def headings(self) -> tuple[str, ...]:
        items = [*self.divisions, self.article_heading]
        if self.current and self.article is None:
            parts = self.current.split(".")
            items += [self.numbers.get(".".join(parts[: i + 1])) for i in range(len(parts))]
        return tuple(h for h in items if h)

    def section(self) -> str | None:
        if self.article:
            parts = [self.article]
            parts += [f"khoản {self.clause}"] if self.clause else []
            parts += [f"điểm {self.point}"] if self.point else []
            return ", ".join(parts)
        return self.current

    def open_division(self, level: int, heading: str) -> None:
        self.divisions[level:] = [heading] + [None] * (len(self.divisions) - level - 1)
        self.titling = level
        self.open_article(None, None)
        self.numbers, self.current, self.last_was_bullet = {}, None, False

    def open_article(self, article: str | None, heading: str | None) -> None:
        self.article, self.article_heading, self.heading_open = article, heading, bool(heading)
        self.clause = self.point = self.origin = self.awaiting_source = None

    def continue_heading(self, block: str) -> None:
        """The rest of an article heading wrapped onto the next line."""
        self.article_heading = f"{self.article_heading} {block}"
        if self.awaiting_source:
            number, title = self.awaiting_source
            self.awaiting_source = (number, f"{title} {block}" if title else block)

    def title_division(self, block: str) -> None:
        level = self.titling
        assert level is not None
        heading = self.divisions[level] or ""
        bare = re.fullmatch(r"\S+\s+\S+", heading) is not None  # "Chương I" without its title
        self.divisions[level] = f"{heading}. {block}" if bare else f"{heading} {block}"


def assign_sections(blocks: list[str], *, codified: bool = False) -> list[Placed]:
    """The body paragraphs among the blocks, each with its section and heading trail.

    Headings (divisions, articles, a notice's heading-only numbered lines) are no paragraphs
    of their own: they are in the trail of those under them. In a codified text the source
    and cross-reference lines are no paragraphs either, nor a "Nơi nhận" block and what
    follows it up to the next article (an original document's closing and its forms).
    """
    trail = _Trail()
    out: list[Placed] = []
    skipping = False
    # In an article, a clause's lead-in ("1. Cơ sở cách ly phải bảo đảm các điều kiện sau:")
    # and its points are one paragraph: the lead-in alone answers nothing, a point alone
    # loses what it is a point of, and a cadre cites the clause ("Điều 11, khoản 1").
    listing = False
    for block in blocks:
        if block.startswith("#"):
            continue
        if codified:
            starts_article = bool(legal.CODIFIED_ARTICLE.match(block) or legal.read_source(block))
            skipping = (skipping or block.lower().startswith("nơi nhận")) and not starts_article
            if skipping or _read_codified(trail, block):
                continue
        if _read_division(trail, block, codified=codified):
            continue
        if trail.titling is not None and repair.is_all_caps(block):
            trail.title_division(block)
            continue
        trail.titling = None
        if not codified and _read_article(trail, block):
            continue
        if trail.heading_open and _continues_heading(block):
            trail.continue_heading(block)
            continue
        trail.heading_open = False
        trail.awaiting_source = None
        clause = (trail.article, trail.clause)
        if not _place(trail, block):
            continue
        if listing and _lists(block) and (trail.article, trail.clause) == clause:
            out[-1] = out[-1]._replace(text=f"{out[-1].text}\n{block}")
            continue
        out.append(Placed(block, trail.section(), trail.headings(), trail.origin))
        listing = trail.article is not None and block.endswith(":")
    return _named(out) if codified else out


def _lists(block: str) -> bool:
    """A point ("a) …") or a dash item: part of the list its clause's lead-in opened."""
    return bool(POINT_MARKER.match(block) or BULLET_MARKER.match(block))


def _read_division(trail: _Trail, block: str, *, codified: bool) -> bool:
    """A Phần, Chương or Mục line: opens that division (or, codified, is dropped).

    Its heading is written "Chương IV. CHỐNG DỊCH" however the line separates the title.
    A line that only starts with the words ("Chương IV Nghị định này quy định …", a wrapped
    sentence) is no heading.
    """
    marker = CHAPTER_MARKER.match(block)
    if marker is None:
        return False
    if codified and not _CODE_DIVISION.match(block):
        return True
    rest = block[marker.end() :]
    title = rest.strip(" .:-–")
    if title and not (repair.is_all_caps(title) or re.match(r"\s*[.:–-]\s", rest)):
        return False
    heading = f"{marker.group(0)}. {title}" if title else marker.group(0)
    trail.open_division(_LEVELS[marker.group(1).lower()], heading)
    return True


def _read_article(trail: _Trail, block: str) -> bool:
    article = ARTICLE_MARKER.match(block)
    if article is None:
        return False
    trail.open_article("Điều " + article.group(1).rstrip("."), block)
    return True


def _read_codified(trail: _Trail, block: str) -> bool:
    """A codified heading, source line or cross-reference: read into the trail."""
    heading = legal.CODIFIED_ARTICLE.match(block)
    if heading:
        number, title = heading.groups()
        trail.titling = None
        trail.open_article(f"Điều {number}", block if title else None)
        trail.awaiting_source = (number, title)
        return True
    origin = legal.read_source(block)
    if origin is not None:
        # The heading just read is this article's; a source line with no heading before it
        # starts an article of its own, known by its original number only.
        number, title = trail.awaiting_source or (None, None)
        trail.titling = None
        trail.open_article(origin.article, f"{origin.article}. {title}" if title else None)
        trail.origin = replace(origin, codified=f"Điều {number}" if number else None)
        return True
    return legal.is_cross_reference(block)


def _place(trail: _Trail, block: str) -> bool:
    """Move the trail to the block; False for a block that is a heading, not a paragraph."""
    numbered = NUMBERED.match(block)
    if numbered and trail.article:
        trail.clause, trail.point = numbered.group(1), None
    elif numbered:
        number = numbered.group(1)
        trail.current = number
        trail.numbers[number] = _trail_label(block)
        trail.last_was_bullet = False
        if _is_heading_only(block):
            return False
    elif trail.article and (point := POINT_MARKER.match(block)):
        trail.point = point.group(1)
    elif BULLET_MARKER.match(block) or POINT_MARKER.match(block):
        trail.last_was_bullet = True
    elif trail.last_was_bullet and trail.article is None:
        # Prose after a section's bullets closes the numbered part ("Ban Thường vụ
        # thông báo đến các cấp ủy..."): it belongs to no section.
        trail.current = None
        trail.last_was_bullet = False
    elif repair.is_all_caps(block) and len(block.split()) <= HEADING_MAX_WORDS:
        return False
    elif trail.article:
        trail.point = None  # prose after the points: the clause's own words again
    return True


def _named(placed: list[Placed]) -> list[Placed]:
    """Each origin with its document's name, which only the document's first source line gives."""
    names: dict[str, str] = {}
    for p in placed:
        if p.origin and p.origin.name:
            names.setdefault(p.origin.document, p.origin.name)
    return [
        p._replace(origin=replace(p.origin, name=names.get(p.origin.document)))
        if p.origin and not p.origin.name
        else p
        for p in placed
    ]


def _continues_heading(block: str) -> bool:
    """A short lowercase line after an article's heading: the rest of a wrapped heading."""
    return (
        block[:1].islower()
        and not repair.starts_new_block(block)
        and len(block.split()) <= _TRAIL_WORDS
    )


def _is_heading_only(block: str) -> bool:
    words = block.split()
    ends_open = block.endswith(":") or not re.search(r"[.;!?…][”\")]*$", block)
    return len(words) <= HEADING_MAX_WORDS and ends_open


def _trail_label(block: str) -> str:
    head = block.split(":")[0]
    words = head.split()
    return " ".join(words[:_TRAIL_WORDS]) + (" …" if len(words) > _TRAIL_WORDS else "")
