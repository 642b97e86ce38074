"""What the bot sends into a chat: answers (streamed or not), paragraphs in full, originals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TypeVar

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.error import TelegramError

from bot import messages
from bot.telegram import buttons, render
from bot.telegram.context import BotContext
from bot.telegram.render import Block
from bot.uploads import original_path
from retrieval import Answer, Library, phrasing

logger = logging.getLogger(__name__)

T = TypeVar("T")
TYPING_REFRESH = 4.5  # Telegram shows "typing…" for 5 seconds per sendChatAction


async def send_blocks(
    bot: Bot,
    chat_id: int,
    blocks: Sequence[Block],
    *,
    markup: InlineKeyboardMarkup | None = None,
    reply_to: int | None = None,
    escaped: bool = False,
    replace: int | None = None,
) -> None:
    """Send blocks as one or more HTML messages; the buttons go under the last one.

    Args:
        bot: the bot that sends.
        chat_id: where to send.
        blocks: what to send, packed into as few messages as fit.
        markup: the buttons, under the last message.
        reply_to: a message the first message replies to (in groups, the question).
        escaped: the blocks' text is already HTML (short texts from bot.messages).
        replace: a message of the bot's to edit into the first part (a streamed draft);
            should the edit fail, the part is sent as a new message.
    """
    parts = [b.text for b in blocks] if escaped else render.pack(blocks)
    for n, part in enumerate(parts):
        last = n == len(parts) - 1
        buttons_here = markup if last else None
        if (
            n == 0
            and replace is not None
            and await _edit(bot, chat_id, replace, part, buttons_here)
        ):
            continue
        await bot.send_message(
            chat_id,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=buttons_here,
            reply_parameters=(
                ReplyParameters(reply_to, allow_sending_without_reply=True)
                if reply_to is not None and n == 0
                else None
            ),
        )


async def _edit(
    bot: Bot, chat_id: int, message_id: int, html: str, markup: InlineKeyboardMarkup | None
) -> bool:
    try:
        edited = await bot.edit_message_text(
            html, chat_id=chat_id, message_id=message_id, parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )  # fmt: skip
    except TelegramError as exc:
        # The draft may have been deleted; the answer is then sent as a new message.
        logger.warning("Draft not replaced chat=%s: %s", chat_id, type(exc).__name__)
        return False
    return isinstance(edited, Message) or bool(edited)


async def say(context: BotContext, chat_id: int, text: str, *, reply_to: int | None = None) -> None:
    """Send one short HTML message (from bot.messages), as a reply in groups."""
    await send_blocks(context.bot, chat_id, [Block(text)], reply_to=reply_to, escaped=True)


async def send_answer(
    bot: Bot,
    chat_id: int,
    answer: Answer,
    *,
    key: str | None,
    province: str | None = None,
    reply_to: int | None = None,
    draft: int | None = None,
    library: Library | None = None,
) -> None:
    """Send an answer: the lead, each shown citation as an expandable quote, then the buttons.

    Every answer shown in a chat ends here, streamed (llm mode) or not. A streamed lead was
    shown in a draft message; the answer's first part replaces it, and a lead that failed
    its checks is replaced by the extractive one the answer carries.

    Args:
        bot: the bot that sends.
        chat_id: where to send.
        answer: what the pipeline answered.
        key: the question's key in the log (for the 👍 / 👎 buttons); None for no feedback.
        province: the chat's province restriction, mentioned under the answer.
        reply_to: a message to reply to (in groups, the question).
        draft: the id of the message a streamed lead was drafted in, if one was shown.
        library: the notices cited: each source line names its document's kind and number,
            and "Xem đầy đủ" is offered only for a quote that is not its whole paragraph.
            Without it, sources name province, date and section, and every quote gets
            "Xem đầy đủ".
    """
    catalog = library.catalog if library is not None else {}
    whole = await asyncio.to_thread(_whole_quotes, library, answer) if library else frozenset()
    blocks = render.answer_blocks(
        answer, province=province, examples=messages.EXAMPLE_QUESTIONS, catalog=catalog
    )
    markup = buttons.answer_keyboard(answer, key, whole=whole)
    await send_blocks(bot, chat_id, blocks, markup=markup, reply_to=reply_to, replace=draft)


def _whole_quotes(library: Library, answer: Answer) -> frozenset[str]:
    """Ids of the shown citations that quote their whole stored paragraph."""
    whole = set()
    for citation in messages.shown_citations(answer.citations):
        paragraph = library.paragraph(citation.paragraph_id)
        if paragraph is not None and paragraph.text.strip() == citation.quote.strip():
            whole.add(citation.paragraph_id)
    return frozenset(whole)


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
    await send_blocks(context.bot, chat_id, blocks, markup=markup)


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
    caption = phrasing.doc_label(meta)
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
