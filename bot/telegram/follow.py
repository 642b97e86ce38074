"""Following provinces (/theodoi, /huy) and asking about one document ("Hỏi về văn bản này").

A chat may follow a province before it has any notice: the point is to hear of the first.
Any chat may follow, groups too (a commune's group of cadres); the alert itself is sent by
the broadcaster (bot/alerts), not here.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot import messages
from bot.alerts import MAX_SUBSCRIPTIONS
from bot.telegram import buttons, render
from bot.telegram.context import BotContext, command_argument
from bot.telegram.render import Block
from bot.telegram.replies import say, send_blocks
from retrieval import phrasing
from retrieval.text import resolve_province

logger = logging.getLogger(__name__)


async def follow_command(update: Update, context: BotContext) -> None:
    """/theodoi TỈNH follows a province; /theodoi alone lists the followed ones, with buttons."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    store = context.services.alerts
    name = command_argument(message.text)
    if not name:
        followed = await asyncio.to_thread(store.subscriptions, chat.id)
        if not followed:
            await say(context, chat.id, messages.FOLLOW_NONE)
            return
        text = messages.FOLLOW_LIST.format(provinces=render.plain(", ".join(followed)))
        markup = buttons.unfollow_keyboard(followed)
        await send_blocks(context.bot, chat.id, [Block(text)], markup=markup, escaped=True)
        return
    province = resolve_province(name)
    if province is None:
        await say(context, chat.id, messages.FOLLOW_UNKNOWN.format(name=render.plain(name)))
        return
    if province in await asyncio.to_thread(store.subscriptions, chat.id):
        await say(context, chat.id, messages.FOLLOW_ALREADY.format(province=province))
        return
    if not await asyncio.to_thread(store.subscribe, chat.id, province):
        await say(context, chat.id, messages.FOLLOW_TOO_MANY.format(count=MAX_SUBSCRIPTIONS))
        return
    logger.info("Follow chat=%s province=%s", chat.id, province)
    await say(context, chat.id, messages.FOLLOW_DONE.format(province=province))


async def unfollow_command(update: Update, context: BotContext) -> None:
    """/huy TỈNH stops following a province."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    name = command_argument(message.text)
    if not name:  # the list, with a button per province
        await follow_command(update, context)
        return
    province = resolve_province(name)
    if province is None:
        await say(context, chat.id, messages.FOLLOW_UNKNOWN.format(name=render.plain(name)))
        return
    await unfollow(context, chat.id, province)


async def unfollow(context: BotContext, chat_id: int, province: str) -> None:
    """Stop following (the /huy command and the "Thôi theo dõi" button)."""
    done = await asyncio.to_thread(context.services.alerts.unsubscribe, chat_id, province)
    template = messages.UNFOLLOW_DONE if done else messages.UNFOLLOW_NOT
    logger.info("Unfollow chat=%s province=%s done=%s", chat_id, province, done)
    await say(context, chat_id, template.format(province=render.plain(province)))


async def focus_on(context: BotContext, chat_id: int, doc_id: str) -> None:
    """The "Hỏi về văn bản này" button: the chat's next questions go to that document."""
    services = context.services
    meta = services.library.catalog.get(doc_id)
    if meta is None:
        await say(context, chat_id, messages.BUTTON_EXPIRED)
        return
    await asyncio.to_thread(services.log.set_focus, chat_id, doc_id)
    label = render.plain(phrasing.doc_label(meta))
    await say(context, chat_id, messages.FOCUS_DONE.format(label=label))


async def clear_focus_command(update: Update, context: BotContext) -> None:
    """/boloc: questions go to every document again."""
    chat = update.effective_chat
    if chat is None:
        return
    await asyncio.to_thread(context.services.log.set_focus, chat.id, None)
    await say(context, chat.id, messages.FOCUS_CLEARED)
