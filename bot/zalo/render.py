"""A Zalo answer: one plain-text message under Zalo's 2,000 characters, from the same Answer.

Zalo shows text only (no HTML, no folding quotes, no buttons in a customer-service text), so
the answer has its own compact layout: the lead, one quote cut at a sentence (still a
verbatim part of its paragraph), the quote's one-line source, and a link to the full answer
on the web console when one is public (CHITHI_PUBLIC_URL).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from urllib.parse import quote as url_quote

from bot import messages
from bot.zalo.api import MAX_TEXT
from retrieval import Answer, NoticeMeta

MAX_LEAD = 1000  # a long lead is cut at a sentence, leaving room for the quote
MAX_TOPICS = 3  # what the notices do cover, after a "not found"
MIN_QUOTE = 120  # below this there is no point quoting: the source line alone is shown
_SENTENCE_ENDS = (". ", "; ", ".\n", "\n", ": ")
_TAG = re.compile(r"<[^>]+>")


def cut_at_sentence(text: str, limit: int) -> str:
    """The text, or its beginning up to the last sentence end within `limit`, with "…".

    The cut keeps a verbatim prefix, so a cut quote is still part of its paragraph. Without
    a sentence end in the second half of the limit, it cuts at a word.
    """
    text = text.strip()
    if len(text) <= limit:
        return text
    room = text[: max(0, limit - 1)]
    ends = [room.rfind(end) + 1 for end in _SENTENCE_ENDS]
    cut = max(ends)
    if cut < limit // 2:
        cut = room.rfind(" ")
    if cut <= 0:
        cut = len(room)
    return room[:cut].rstrip() + "…"


def answer_text(
    answer: Answer, *, catalog: Mapping[str, NoticeMeta], public_url: str | None = None
) -> str:
    """The Zalo message for an answer (at most 2,000 characters).

    Args:
        answer: what the Answerer returned.
        catalog: the documents' metadata, for the kind and number in the source line.
        public_url: the web console's public address; its link repeats the question there.
    """
    head: list[str] = []
    if answer.understood_as:
        head.append(messages.UNDERSTOOD_AS.format(question=answer.understood_as))
    head.append(cut_at_sentence(answer.text, MAX_LEAD))
    tail: list[str] = []
    if public_url and answer.status == "answered":
        asked = answer.understood_as or answer.question
        tail.append(messages.ZALO_FULL_ANSWER.format(url=f"{public_url}/?q={url_quote(asked)}"))
    if answer.status == "not_found" and answer.related_topics:
        topics = "\n".join(f"• {t}" for t in answer.related_topics[:MAX_TOPICS])
        head.append(f"{messages.NOT_FOUND_RELATED}\n{topics}")
    parts = head
    if answer.citations:
        first = answer.citations[0]
        source = messages.citation_heading(1, first, catalog.get(first.doc_id))
        room = MAX_TEXT - len("\n\n".join([*head, source, *tail])) - len("\n\n“”")
        quoted = [f"“{cut_at_sentence(first.quote, room)}”"] if room >= MIN_QUOTE else []
        parts = [*head, "\n".join([source, *quoted])]
    return cut_at_sentence("\n\n".join([*parts, *tail]), MAX_TEXT)


def alert_text(telegram_html: str) -> str:
    """An alert's text (queued as Telegram HTML for every channel) as Zalo's plain text."""
    plain = html.unescape(_TAG.sub("", telegram_html))
    return cut_at_sentence(plain, MAX_TEXT)
