"""What the bot sends into a chat: answers, paragraphs in full, original files."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from telegram import InlineKeyboardMarkup, ReplyParameters
from telegram.constants import ChatAction, MessageLimit
from telegram.error import TelegramError

from bot import messages
from bot.telegram import buttons, render
from bot.telegram.context import BotContext
from bot.telegram.render import Block
from bot.telegram.uploads import original_path
from retrieval import Answer, format_date

logger = logging.getLogger(__name__)

T = TypeVar("T")
TYPING_REFRESH = 4.5  # Telegram shows "typing…" for 5 seconds per sendChatAction


async def send_blocks(
    context: BotContext,
    chat_id: int,
    blocks: Sequence[Block],
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    escaped: bool = False,
) -> None:
    """Send blocks as one or more HTML messages; the buttons go under the last one.

    With ``escaped`` the blocks' text is already HTML (short texts from bot.messages).
    """
    parts = [b.text for b in blocks] if escaped else render.pack(blocks)
    for n, part in enumerate(parts):
        await context.bot.send_message(
            chat_id,
            part,
            reply_markup=markup if n == len(parts) - 1 else None,
            reply_parameters=(
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and n == 0
                else None
            ),
        )


async def say(context: BotContext, chat_id: int, text: str, *, reply_to: int | None = None) -> None:
    """Send one short HTML message (from bot.messages), as a reply in groups."""
    await send_blocks(context, chat_id, [Block(text)], reply_to=reply_to, escaped=True)


async def send_answer(
    context: BotContext,
    chat_id: int,
    answer: Answer,
    *,
    key: str | None,
    province: str | None = None,
    reply_to: int | None = None,
) -> None:
    """Send an answer: the lead, each citation as an expandable quote, then the buttons.

    Every front-end path that shows an Answer in a chat goes through here.

    Args:
        context: the handler's context.
        chat_id: where to send.
        answer: what the pipeline answered.
        key: the question's key in the log (for the 👍 / 👎 buttons); None for no feedback.
        province: the chat's province restriction, mentioned under the answer.
        reply_to: a message to reply to (in groups, the question).
    """
    blocks = render.answer_blocks(answer, province=province, examples=messages.EXAMPLE_QUESTIONS)
    markup = buttons.answer_keyboard(answer, key)
    await send_blocks(context, chat_id, blocks, markup=markup, reply_to=reply_to)


async def show_paragraph(context: BotContext, chat_id: int, paragraph_id: str) -> None:
    """Send a cited paragraph in full, with a button for the original document."""
    library = context.services.library
    paragraph = await asyncio.to_thread(library.paragraph, paragraph_id)
    meta = library.catalog.get(paragraph.doc_id) if paragraph else None
    if paragraph is None or meta is None:
        await context.bot.send_message(chat_id, messages.PARAGRAPH_GONE)
        return
    blocks = render.paragraph_blocks(meta, paragraph)
    markup = buttons.original_keyboard(meta.doc_id)
    await send_blocks(context, chat_id, blocks, markup=markup)


async def send_original(context: BotContext, chat_id: int, doc_id: str) -> None:
    """Send a document's original file, or say why it cannot be sent."""
    services = context.services
    meta = services.library.catalog.get(doc_id)
    if meta is None:
        await context.bot.send_message(chat_id, messages.DOCUMENT_GONE)
        return
    settings = services.settings
    path = original_path(meta, uploads_dir=settings.uploads_dir, notices_dir=settings.notices_dir)
    if path is None:
        await context.bot.send_message(chat_id, messages.ORIGINAL_MISSING)
        return
    data = await asyncio.to_thread(path.read_bytes)
    caption = f"{meta.title} ({format_date(meta.date)})"
    limit = MessageLimit.CAPTION_LENGTH
    if len(caption) > limit:
        caption = caption[: limit - 1] + "…"
    await context.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    await context.bot.send_document(
        chat_id, data, filename=path.name, caption=render.plain(caption)
    )
    logger.info("Sent original chat=%s doc=%s bytes=%d", chat_id, doc_id, len(data))


async def with_typing(context: BotContext, chat_id: int, work: Awaitable[T]) -> T:
    """Await work; if it takes longer than the typing delay, show "typing…" until it is done."""
    task = asyncio.ensure_future(work)
    wait = context.services.typing_delay
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=wait)
            if done:
                return task.result()
            try:
                await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:  # the answer matters, the indicator does not
                logger.warning("Typing indicator failed chat=%s: %s", chat_id, type(exc).__name__)
            wait = TYPING_REFRESH
    finally:
        if not task.done():
            task.cancel()
