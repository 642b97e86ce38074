"""Telegram HTML for answers and paragraphs, split under 4096 characters without breaking tags."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from telegram import InlineQueryResultArticle, InputTextMessageContent
from telegram.constants import MessageLimit, ParseMode

from bot import messages
from retrieval import Answer, Citation, DocumentInfo, NoticeMeta, Paragraph, phrasing

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

    All fields are plain text; they are escaped when rendered. The head (bold, above) and the
    caption (italic, the first line inside the quote) go with the first part only.
    """

    text: str
    head: str = ""
    style: Style = "plain"
    code: str = ""
    caption: str = ""

    def render(self, text: str | None = None, *, head: bool = True) -> str:
        """The block (or a part of its text) as Telegram HTML."""
        body = self.text if text is None else text
        opening, closing = _WRAP[self.style]
        out = f"<b>{html.escape(self.head)}</b>\n" if head and self.head else ""
        inner = html.escape(body)
        if head and self.caption:
            inner = f"<i>{html.escape(self.caption)}</i>\n{inner}"
        out += f"{opening}{inner}{closing}" if body else ""
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


def _citation_block(
    number: int, citation: Citation, meta: NoticeMeta | None, *, style: Style = "expandable"
) -> Block:
    """A citation: its one-line source, then the quote under the document's full title."""
    heading = messages.citation_heading(number, citation, meta)
    return Block(citation.quote, head=heading, style=style, caption=citation.title)


def answer_blocks(
    answer: Answer,
    *,
    province: str | None = None,
    examples: Sequence[str] = (),
    catalog: Mapping[str, NoticeMeta] | None = None,
) -> list[Block]:
    """An answer: how a follow-up was read, the lead, then each shown citation.

    A citation is its short source line ('[1] Gia Lai · TB 16/9/2021 · mục 8') and an
    expandable quote whose first line is the document's full title. A not_found answer gets
    the topics the notices do cover (or example questions).

    Args:
        answer: what the pipeline answered.
        province: the chat's province restriction, mentioned under the answer.
        examples: questions to suggest when there are no related topics.
        catalog: document id -> metadata (``Library.catalog``), for each source's kind and
            number; without it, sources name province, date and section only.
    """
    catalog = catalog or {}
    blocks = []
    if answer.understood_as:  # a follow-up: how it was read, so a misreading shows
        understood = messages.UNDERSTOOD_AS.format(question=answer.understood_as)
        blocks.append(Block(understood, style="italic"))
    blocks.append(Block(answer.text))
    for n, citation in enumerate(messages.shown_citations(answer.citations), start=1):
        blocks.append(_citation_block(n, citation, catalog.get(citation.doc_id)))
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
    heading = messages.paragraph_heading(meta, paragraph.section, origin=paragraph.origin)
    return [Block(paragraph.text, head=heading, style="quote")]


def document_blocks(
    documents: Sequence[DocumentInfo],
    *,
    total: int,
    statuses: Mapping[str, str],
    province: str | None = None,
) -> list[Block]:
    """The /vanban list: each document's number and label, its status, then its id.

    The label is phrasing.doc_label; the status says whether it is in force as far as the
    index knows, replaced, or has stated periods that are over.

    Args:
        documents: the documents shown, newest first (a national index has thousands, so
            the caller shows the newest few).
        statuses: document id -> its status line (retrieval.document_status).
        total: how many there are in all.
        province: the province they were chosen from, if any.
    """
    heading = (
        messages.DOCUMENTS_HEADING_PROVINCE.format(province=province, count=total)
        if province
        else messages.DOCUMENTS_HEADING.format(count=total)
    )
    blocks = [Block(heading)]
    for n, info in enumerate(documents, start=1):
        label = phrasing.doc_label(info.meta, paragraphs=info.paragraph_count)
        text = f"{statuses[info.meta.doc_id]}\n{messages.DOCUMENT_ID}"
        blocks.append(Block(text, head=f"{n}. {label}", code=info.meta.doc_id))
    if total > len(documents):
        more = phrasing.more_documents(total - len(documents))
        if not province:
            more += " " + messages.DOCUMENTS_BY_PROVINCE
        blocks.append(Block(more, style="italic"))
    return blocks


def inline_results(
    answer: Answer,
    *,
    examples: Sequence[str] = (),
    catalog: Mapping[str, NoticeMeta] | None = None,
) -> list[InlineQueryResultArticle]:
    """Inline mode: the answer (lead and the quotes that fit one message), then each quote.

    The quotes are those `answer_blocks` shows; ``catalog`` is as there.
    """
    title = {
        "answered": messages.INLINE_ANSWER_TITLE,
        "not_found": messages.INLINE_NOT_FOUND_TITLE,
    }.get(answer.status, messages.INLINE_ANSWER_TITLE)
    catalog = catalog or {}
    first = pack(answer_blocks(answer, examples=examples, catalog=catalog))[0]
    results = [_article("answer", title, answer.text, first)]
    for n, citation in enumerate(messages.shown_citations(answer.citations), start=1):
        block = _citation_block(n, citation, catalog.get(citation.doc_id), style="quote")
        quote = pack([block])[0]
        results.append(_article(f"quote-{n}", block.head, citation.quote, quote))
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
