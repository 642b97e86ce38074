"""Telegram HTML for answers and paragraphs, split under 4096 characters without breaking tags."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import MessageLimit, ParseMode

from bot import messages
from retrieval import Answer, NoticeMeta, Paragraph, format_date

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
Style = Literal["plain", "italic", "quote", "expandable"]
_SNIPPET_CHARS = 120
_SEPARATORS = ("\n\n", "\n", ". ", "; ", ", ", " ")
_WRAP: dict[Style, tuple[str, str]] = {
    "plain": ("", ""),
    "italic": ("<i>", "</i>"),
    "quote": ("<blockquote>", "</blockquote>"),
    "expandable": ("<blockquote expandable>", "</blockquote>"),
}


def units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Block:
    """One unit of a reply (a lead, a citation): kept whole in one message when it fits.

    All fields are plain text; they are escaped when rendered.
    """

    text: str
    head: str = ""
    style: Style = "plain"
    code: str = ""

    def render(self, text: str | None = None, *, head: bool = True) -> str:
        """The block (or a part of its text) as Telegram HTML."""
        body = self.text if text is None else text
        opening, closing = _WRAP[self.style]
        out = f"<b>{html.escape(self.head)}</b>\n" if head and self.head else ""
        out += f"{opening}{html.escape(body)}{closing}" if body else ""
        if self.code:
            out += f" <code>{html.escape(self.code)}</code>"
        return out

    def pieces(self, limit: int = MAX_TEXT) -> list[str]:
        """The block's HTML, cut at paragraph, line, sentence or word boundaries to fit."""
        whole = self.render()
        if units(whole) <= limit:
            return [whole]
        parts = _split(self.text.strip(), lambda part: units(self.render(part)) <= limit)
        return [self.render(part, head=i == 0) for i, part in enumerate(parts)]


def pack(blocks: Iterable[Block], limit: int = MAX_TEXT) -> list[str]:
    """Blocks joined by blank lines into as few messages of at most `limit` units as possible."""
    out: list[str] = []
    current = ""
    for block in blocks:
        for piece in block.pieces(limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if units(joined) <= limit:
                current = joined
            else:
                out.append(current)
                current = piece
    if current:
        out.append(current)
    return out


def _split(text: str, fits: Callable[[str], bool]) -> list[str]:
    """Cut text into stripped parts that each fit, at the coarsest boundary that works."""
    if fits(text):
        return [text]
    for separator in _SEPARATORS:
        words = text.split(separator)
        if len(words) > 1:
            break
    else:
        return _hard_split(text, fits)
    parts: list[str] = []
    current = ""
    for n, word in enumerate(words):
        piece = word + (separator if n < len(words) - 1 else "")
        if fits((current + piece).strip()):
            current += piece
            continue
        if current.strip():
            parts.append(current.strip())
        if fits(piece.strip()):
            current = piece
        else:
            parts += _split(piece.strip(), fits)
            current = ""
    if current.strip():
        parts.append(current.strip())
    return parts


def _hard_split(text: str, fits: Callable[[str], bool]) -> list[str]:
    parts: list[str] = []
    while text:
        lo, hi = 1, len(text)
        while lo < hi:  # longest prefix that fits
            mid = (lo + hi + 1) // 2
            if fits(text[:mid]):
                lo = mid
            else:
                hi = mid - 1
        parts.append(text[:lo])
        text = text[lo:]
    return parts


# -- what the bot renders ------------------------------------------------------------------


def answer_blocks(
    answer: Answer, *, province: str | None = None, examples: Sequence[str] = ()
) -> list[Block]:
    """An answer: the lead, then each citation's heading and verbatim quote.

    A not_found answer gets the topics the notices do cover (or example questions).
    """
    blocks = [Block(answer.text)]
    for n, citation in enumerate(answer.citations, start=1):
        heading = messages.citation_heading(n, citation)
        blocks.append(Block(citation.quote, head=heading, style="expandable"))
    if answer.status == "not_found":
        if answer.related_topics:
            topics = "\n".join(f"• {topic}" for topic in answer.related_topics)
            blocks.append(Block(topics, head=messages.NOT_FOUND_RELATED))
        elif examples:
            asks = "\n".join(f"• {question}" for question in examples)
            blocks.append(Block(asks, head=messages.NOT_FOUND_EXAMPLES))
        blocks.append(Block(messages.NOT_FOUND_DOCUMENTS, style="italic"))
    if province and answer.status != "refused":
        blocks.append(Block(messages.PROVINCE_NOTE.format(province=province), style="italic"))
    return blocks


def paragraph_blocks(meta: NoticeMeta, paragraph: Paragraph) -> list[Block]:
    """A paragraph shown in full under its document, date and section."""
    heading = messages.paragraph_heading(meta, paragraph.section)
    return [Block(paragraph.text, head=heading, style="quote")]


def document_blocks(
    documents: Sequence[tuple[NoticeMeta, int]], *, total: int, province: str | None = None
) -> list[Block]:
    """The /vanban list: number, title, date, province, paragraph count, id.

    Args:
        documents: the documents shown, newest first (a national index has thousands, so
            the caller shows the newest few).
        total: how many there are in all.
        province: the province they were chosen from, if any.
    """
    heading = (
        messages.DOCUMENTS_HEADING_PROVINCE.format(province=province, count=total)
        if province
        else messages.DOCUMENTS_HEADING.format(count=total)
    )
    blocks = [Block(heading)]
    for n, (meta, paragraphs) in enumerate(documents, start=1):
        line = messages.DOCUMENT_LINE.format(
            date=format_date(meta.date),
            place=f"{meta.province} · " if meta.province else "",
            paragraphs=paragraphs,
        )
        blocks.append(Block(line, head=f"{n}. {meta.title}", code=meta.doc_id))
    if total > len(documents):
        more = messages.DOCUMENTS_MORE.format(count=total - len(documents))
        if not province:
            more += " " + messages.DOCUMENTS_BY_PROVINCE
        blocks.append(Block(more, style="italic"))
    return blocks


def inline_results(
    answer: Answer, *, examples: Sequence[str] = ()
) -> list[InlineQueryResultArticle]:
    """Inline mode: the answer (lead and the quotes that fit one message), then each quote."""
    title = {
        "answered": messages.INLINE_ANSWER_TITLE,
        "not_found": messages.INLINE_NOT_FOUND_TITLE,
    }.get(answer.status, messages.INLINE_ANSWER_TITLE)
    first = pack(answer_blocks(answer, examples=examples))[0]
    results = [_article("answer", title, answer.text, first)]
    for n, citation in enumerate(answer.citations, start=1):
        heading = messages.citation_heading(n, citation)
        quote = pack([Block(citation.quote, head=heading, style="quote")])[0]
        results.append(_article(f"quote-{n}", heading, citation.quote, quote))
    return results


def _article(result_id: str, title: str, description: str, text: str) -> InlineQueryResultArticle:
    snippet = " ".join(description.split())
    if len(snippet) > _SNIPPET_CHARS:
        snippet = snippet[: _SNIPPET_CHARS - 1] + "…"
    content = InputTextMessageContent(text, parse_mode=ParseMode.HTML)
    return InlineQueryResultArticle(result_id, title, content, description=snippet)


def plain(text: str) -> str:
    """Plain text made safe for HTML parse mode."""
    return html.escape(text)
