"""Repair extraction damage: hard-wrapped lines, blank lines between lines, split words, markdown.

The notices reach us as text pulled out of PDFs and web pages. A line break there means
nothing: we rebuild paragraphs from punctuation and list markers instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

# A block that ends like this closes a paragraph.
_TERMINAL = re.compile(r"[.!?:…][”\"’)\]*]*$")
# Markers that start a new paragraph: "1.", "2.1.", "- ", "+ ", "a)", "Điều 5.", "Chương II".
SECTION_MARKER = re.compile(r"^(\d{1,2}(?:\.\d{1,2})*)\.\s+\S")
BULLET_MARKER = re.compile(r"^[-+•–]\s+\S")
POINT_MARKER = re.compile(r"^([a-zđ])\)\s+\S")
ARTICLE_MARKER = re.compile(r"^Điều\s+([0-9A-Za-zĐđ.]+?)\.?\s+(\S.*)$")
CHAPTER_MARKER = re.compile(r"^(Chương|Mục|Phần)\s+[IVXLC\d]+\b", re.IGNORECASE)
_MARKDOWN_EMPHASIS = re.compile(r"\*{1,3}")
# A stray emphasised word after the last sentence ("... thực hiện. *nah*") is not content.
_STRAY_TAIL = re.compile(r"([.!?…][”\"’)]?)\s+\*{1,2}[^\s*]{1,20}\*{1,2}\s*$")
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009]+")


def clean_line(line: str) -> str:
    """Strip a physical line of surrounding spaces and squeeze inner runs of spaces."""
    return _SPACES.sub(" ", line).strip()


def strip_markdown(text: str) -> str:
    """Drop markdown emphasis marks, which the source files scatter through the text."""
    return _MARKDOWN_EMPHASIS.sub("", text)


def drop_stray_tail(text: str) -> str:
    """Remove an emphasised stray word left after a paragraph's final sentence."""
    return _STRAY_TAIL.sub(r"\1", text)


def is_all_caps(text: str) -> bool:
    """True for header lines such as 'KẾT LUẬN CỦA BAN THƯỜNG VỤ TỈNH ỦY'."""
    letters = 0
    for c in text:
        if c.isalpha():
            if not c.isupper():
                return False  # early: most lines are not headings
            letters += 1
    return letters >= 3


def starts_new_block(line: str) -> bool:
    """A line that always begins a new paragraph, whatever came before it."""
    return bool(
        SECTION_MARKER.match(line)
        or BULLET_MARKER.match(line)
        or POINT_MARKER.match(line)
        or ARTICLE_MARKER.match(line)
        or CHAPTER_MARKER.match(line)
        or line.lower().startswith("nơi nhận")
    )


def is_standalone_heading(line: str) -> bool:
    """A line that is complete by itself: an article title, a chapter, an all-caps heading."""
    return bool(ARTICLE_MARKER.match(line) or CHAPTER_MARKER.match(line) or is_all_caps(line))


def join_lines(lines: list[str], *, standalone: Callable[[str], bool] | None = None) -> list[str]:
    """Rebuild paragraphs from physical lines.

    Blank lines are ignored (some files put one between every line); two lines are joined
    unless the first ends a sentence, is a heading, or the second starts a list item or a
    section. A word or number split at a line end ("2686/QĐ-" + "BCĐQG") is joined without
    a space. Linear in the text's length: a paragraph's lines are collected and joined once,
    and each check reads only the last line (a hard-wrapped 200 MB file took minutes when
    every line re-read the whole paragraph so far).

    Args:
        lines: the physical lines.
        standalone: lines that are a block of their own, joined to nothing before or after
            (a codified text's article headings and source lines: legal.is_codified_line).
    """
    blocks: list[list[str]] = []
    alone = False  # the last block is a standalone line
    for raw in lines:
        line = clean_line(raw)
        if not line:
            continue
        single = standalone is not None and standalone(line)
        if blocks and not (single or alone) and _continues(blocks[-1], line):
            last = blocks[-1][-1]
            # "QĐ-" + "BCĐQG": a hyphen glued to a word at the end of a line splits one token.
            glued = re.search(r"\w-$", last) is not None and not line[:1].islower()
            blocks[-1].append(line if glued else " " + line)
        else:
            blocks.append([line])
        alone = single
    return ["".join(block) for block in blocks]


def _continues(block: list[str], line: str) -> bool:
    # A block that grew past its first line is no heading: headings never take a next line.
    heading = len(block) == 1 and is_standalone_heading(block[0])
    if starts_new_block(line) or heading or is_all_caps(line):
        return False
    return not _TERMINAL.search(strip_markdown(block[-1]).rstrip())


# Web copies sometimes lose the line break before an article: "...lây nhiễm.Điều 45.7.TT.20.17."
_GLUED_ARTICLE = re.compile(r"(?<=[.:;!?)A-ZĐÀ-Ỹ])(?=Điều \d+(?:\.[0-9A-Za-zĐđ]+)*\.\s)")


def normalise_text(text: str) -> str:
    """NFC, plain line endings, no zero-width characters, article headings on their own line."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    return _GLUED_ARTICLE.sub("\n\n", text)
