"""Inline keyboards and their callback data: at most 64 bytes, meaningful after a restart.

The data names what the button is about, not an in-memory entry, so a button keeps working
when the bot restarts or another replica answers it:

    p:DOC_ID:POSITION   show a cited paragraph in full     (paragraph ids as in Citation)
    d:DOC_ID            send the document's original file
    f:KEY:1 / f:KEY:0   feedback 👍 / 👎 on the logged question KEY
    q:N                 ask example question N
    a:DOC_ID            answer this chat's next questions from that document (alerts)
    u:PROVINCE          stop following a province's alerts
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot import messages
from retrieval import Answer, NoticeMeta

MAX_DATA_BYTES = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
_DOCUMENT_BUTTONS_PER_ROW = 5
_SOURCE_BUTTONS = 3  # under an answer: one row, still legible on a phone
_MAX_BUTTONS = 100  # Telegram's limit per keyboard


@dataclass(frozen=True)
class Press:
    """A decoded button press."""

    kind: str  # "paragraph", "document", "feedback", "example", "focus", "unfollow", "alone"
    value: str
    helpful: bool = False
    number: int = 0


def decode(data: str | None) -> Press | None:
    """What a callback data string asks for; None for anything malformed."""
    if not data or len(data.encode()) > MAX_DATA_BYTES:
        return None
    tag, _, rest = data.partition(":")
    if tag == "p" and ":" in rest:
        return Press("paragraph", rest)
    if tag == "d" and rest:
        return Press("document", rest)
    if tag == "f":
        key, _, vote = rest.rpartition(":")
        if key and vote in ("0", "1"):
            return Press("feedback", key, helpful=vote == "1")
    if tag == "q" and rest.isdigit():
        return Press("example", rest, number=int(rest))
    if tag == "a" and rest:
        return Press("focus", rest)
    if tag == "u" and rest:
        return Press("unfollow", rest)
    if tag == "n" and rest:
        return Press("alone", rest)
    return None


def _button(text: str, data: str) -> InlineKeyboardButton | None:
    # Document ids are at most 48 characters, so this holds; a button that would be
    # rejected by Telegram is left out rather than failing the whole reply.
    if len(data.encode()) > MAX_DATA_BYTES:
        return None
    return InlineKeyboardButton(text, callback_data=data)


def _rows(*rows: Sequence[InlineKeyboardButton | None]) -> InlineKeyboardMarkup | None:
    kept = [[b for b in row if b is not None] for row in rows]
    kept = [row for row in kept if row]
    return InlineKeyboardMarkup(kept) if kept else None


def answer_keyboard(
    answer: Answer, key: str | None, *, whole: Collection[str] = ()
) -> InlineKeyboardMarkup | None:
    """One row of source buttons for the shown citations, then 👍 / 👎.

    An answer read as a follow-up also gets "Hỏi riêng câu này": the message answered as
    it is, without the conversation (a misreading undone in one tap).

    Per citation in turn: "Xem đầy đủ [n]" if its quote was cut, "Văn bản gốc [n]" if its
    document has no button yet; three buttons at most, so that the row stays legible on a
    phone (a paragraph shown in full has its own "Văn bản gốc").

    Args:
        answer: the answer the buttons go under.
        key: the question's key in the log, for 👍 / 👎; None for no feedback buttons.
        whole: paragraph ids whose quote is the whole stored paragraph; any other citation
            counts as cut.
    """
    sources: list[InlineKeyboardButton | None] = []
    offered: set[str] = set()
    for n, citation in enumerate(messages.shown_citations(answer.citations), start=1):
        if citation.paragraph_id not in whole:
            data = f"p:{citation.paragraph_id}"
            sources.append(_button(messages.CITATION_FULL.format(number=n), data))
        if citation.doc_id not in offered:
            offered.add(citation.doc_id)
            data = f"d:{citation.doc_id}"
            sources.append(_button(messages.CITATION_ORIGINAL.format(number=n), data))
    kept: list[InlineKeyboardButton | None] = [b for b in sources if b is not None]
    rows = [kept[:_SOURCE_BUTTONS]]
    if key and answer.understood_as:  # read as a follow-up: one tap asks the message alone
        rows.append([_button(messages.ASK_ALONE_BUTTON, f"n:{key}")])
    if key and answer.status in ("answered", "not_found"):
        rows.append(
            [
                _button(messages.FEEDBACK_UP, f"f:{key}:1"),
                _button(messages.FEEDBACK_DOWN, f"f:{key}:0"),
            ]
        )
    return _rows(*rows)


def original_keyboard(doc_id: str) -> InlineKeyboardMarkup | None:
    """One "Văn bản gốc" button under a paragraph shown in full."""
    return _rows([_button(messages.PARAGRAPH_ORIGINAL, f"d:{doc_id}")])


def examples_keyboard() -> InlineKeyboardMarkup | None:
    """The example questions under /start, one a row."""
    return _rows(*([_button(q, f"q:{n}")] for n, q in enumerate(messages.EXAMPLE_QUESTIONS)))


def documents_keyboard(documents: Sequence[NoticeMeta]) -> InlineKeyboardMarkup | None:
    """Numbered "📎 n" buttons that send each listed document's original file."""
    buttons = [
        _button(messages.DOCUMENT_BUTTON.format(number=n), f"d:{meta.doc_id}")
        for n, meta in enumerate(documents[:_MAX_BUTTONS], start=1)
    ]
    step = _DOCUMENT_BUTTONS_PER_ROW
    return _rows(*(buttons[i : i + step] for i in range(0, len(buttons), step)))


def unfollow_keyboard(provinces: Sequence[str]) -> InlineKeyboardMarkup | None:
    """One "Thôi theo dõi" button per followed province, one a row."""
    rows = []
    for province in provinces:
        button = _button(messages.UNFOLLOW_BUTTON.format(province=province), f"u:{province}")
        if button is not None:
            rows.append([button])
    return InlineKeyboardMarkup(rows[:_MAX_BUTTONS]) if rows else None


def alert_buttons(doc_id: str) -> InlineKeyboardMarkup:
    """The buttons under an alert: "Hỏi về văn bản này" and "Văn bản gốc"."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(messages.ALERT_ASK, callback_data=f"a:{doc_id}"),
          InlineKeyboardButton(messages.PARAGRAPH_ORIGINAL, callback_data=f"d:{doc_id}")]]
    )  # fmt: skip
