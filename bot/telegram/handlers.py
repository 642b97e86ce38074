"""Handlers for everyone: questions, commands, buttons, inline queries, other messages."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

from telegram import Chat, InlineQueryResultsButton, Message, Update, User
from telegram.constants import ChatType, MessageEntityType

from bot import messages
from bot.bookkeeping import new_key, read_or
from bot.chat_log import ChatLog
from bot.conversations import conversation_key
from bot.telegram import buttons, render
from bot.telegram.context import BotContext, Services, command_argument
from bot.telegram.follow import focus_on, unfollow
from bot.telegram.rate_limit import Verdict
from bot.telegram.render import Block
from bot.telegram.replies import (
    say,
    send_answer,
    send_blocks,
    send_original,
    show_paragraph,
    with_typing,
)
from bot.telegram.stream import ask_with_drafts
from retrieval import IndexUnavailableError, bounded, document_status
from retrieval.text import resolve_province

logger = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 300
DOCUMENTS_LISTED = 20  # newest first; a national index holds thousands (one message, not 200)


def is_group(chat: Chat) -> bool:
    """Groups and supergroups, where the bot speaks only when spoken to."""
    return chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


def _addressed(message: Message, bot_id: int, username: str) -> bool:
    """Whether a group message is for the bot: a reply to it or an @mention of it."""
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot_id:
        return True
    mentions = message.parse_entities([MessageEntityType.MENTION, MessageEntityType.TEXT_MENTION])
    for entity, text in mentions.items():
        if entity.type == MessageEntityType.TEXT_MENTION:
            if entity.user is not None and entity.user.id == bot_id:
                return True
        elif text.lower() == f"@{username}".lower():
            return True
    return False


def _without_mention(text: str, username: str) -> str:
    mention = f"@{username}".lower()
    return " ".join(word for word in text.split() if word.lower().rstrip(",:") != mention)


# -- questions -----------------------------------------------------------------------------


def _conversation(chat: Chat, user: User) -> str:
    """Whose conversation a message is in: the private chat, or one member of a group."""
    if is_group(chat):
        return conversation_key("tg", chat.id, user.id)
    return conversation_key("tg", chat.id)


async def answer_question(
    context: BotContext,
    chat: Chat,
    user: User,
    question: str,
    *,
    reply_to: int | None = None,
    alone: bool = False,
) -> None:
    """Rate-limit, answer with the typing indicator, send the answer, then log it.

    The message is read in the context of the sender's conversation (a follow-up), unless
    `alone` (the "Hỏi riêng câu này" button), which starts the conversation over. The log
    and the conversation's new turn are written after the reply (bot/bookkeeping.py): a
    locked or full database never costs the answer.
    """
    services = context.services
    question = question.strip()
    if not question:
        await say(context, chat.id, messages.ASK_PROMPT, reply_to=reply_to)
        return
    verdict = services.limiter.check(user.id)
    if verdict is not Verdict.ALLOW:
        logger.info("Rate limited chat=%s user=%s told=%s", chat.id, user.id, verdict.value)
        if verdict is Verdict.LIMIT:
            seconds = max(1, round(services.limiter.retry_in(user.id)))
            text = messages.RATE_LIMITED.format(limit=services.limiter.limit, seconds=seconds)
            await say(context, chat.id, text, reply_to=reply_to)
        return
    books = services.books
    province = await read_or(None, partial(services.log.province, chat.id), kind="province")
    focus = await read_or(None, partial(services.log.focus, chat.id), kind="focus")
    if focus is not None and focus not in services.library.catalog:
        focus = None  # the document was removed since
    talk = _conversation(chat, user)
    if alone:
        books.later("conversation", partial(services.conversations.reset, talk), about=talk)
    # With the previous answer's turn, written after its reply.
    conversation = await books.last_turns(services.conversations, talk)
    try:  # with an LLM, its lead appears as the model writes it (bot/telegram/stream.py)
        asking = ask_with_drafts(
            services.answerer, context.bot, chat.id, question, province=province, doc_id=focus,
            reply_to=reply_to, conversation=conversation,
        )  # fmt: skip
        answer, draft = await with_typing(context, chat.id, asking)
    except IndexUnavailableError as exc:
        services.metrics.index_failed("telegram", exc)
        logger.warning("Index unavailable; chat=%s not answered", chat.id)
        await say(context, chat.id, messages.INDEX_UNAVAILABLE, reply_to=reply_to)
        return
    services.metrics.answered("telegram", answer)
    key = new_key()
    logger.info(
        "Answered chat=%s user=%s status=%s citations=%s latency_ms=%.0f",
        chat.id, user.id, answer.status, [c.paragraph_id for c in answer.citations],
        answer.latency_ms,
    )  # fmt: skip
    logger.debug("Question %r answered %r", question, answer.text)
    # Queued, not awaited: the writes run on the bookkeeper's thread while the reply goes out
    # (and are kept if Telegram refuses it: asked is asked). The conversation's turn is waited
    # for a moment (TURN_WAIT): a replica that gets this chat's next message reads it there.
    if answer.turn is not None:
        await books.keep_turn(services.conversations, talk, answer.turn)
    books.later(
        "question", partial(services.log.record, answer, user_id=user.id, chat_id=chat.id,
                            chat_type=chat.type, province=province, key=key),
    )  # fmt: skip
    await send_answer(
        context.bot, chat.id, answer, key=key, province=province, reply_to=reply_to,
        draft=draft.message_id, library=services.library,
    )  # fmt: skip


async def on_text(update: Update, context: BotContext) -> None:
    """A text message: a question in private chats; in groups only when addressed."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or message.text is None:
        return
    text = message.text
    if is_group(chat):
        if not _addressed(message, context.bot.id, context.bot.username):
            return
        text = _without_mention(text, context.bot.username)
    reply_to = message.message_id if is_group(chat) else None
    await answer_question(context, chat, user, text, reply_to=reply_to)


async def ask_command(update: Update, context: BotContext) -> None:
    """/hoi câu hỏi: ask explicitly (groups where the bot sees only commands)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None or user is None or message.text is None:
        return
    parts = message.text.split(maxsplit=1)
    question = parts[1] if len(parts) > 1 else ""
    reply_to = message.message_id if is_group(chat) else None
    await answer_question(context, chat, user, question, reply_to=reply_to)


async def on_other_message(update: Update, context: BotContext) -> None:
    """Photos, stickers, voice, locations, files from non-admins in groups: a short hint."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if is_group(chat) and not _addressed(message, context.bot.id, context.bot.username):
        return
    await message.reply_text(messages.NON_TEXT)


async def unknown_command(update: Update, context: BotContext) -> None:
    """A command the bot does not have (answered in private chats only)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or is_group(chat):
        return
    await message.reply_text(messages.UNKNOWN_COMMAND)


# -- commands ------------------------------------------------------------------------------


async def start(update: Update, context: BotContext) -> None:
    """/start: welcome, what the bot answers, example questions as buttons."""
    if update.effective_message is not None:
        await update.effective_message.reply_text(
            messages.WELCOME, reply_markup=buttons.examples_keyboard()
        )


async def help_command(update: Update, context: BotContext) -> None:
    """/help: how to ask, the commands, groups and inline mode (and admin commands)."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return
    services = context.services
    text = messages.HELP.format(
        username=render.plain(context.bot.username),
        hotline=render.plain(services.settings.hotline),
    )
    if chat.type == ChatType.PRIVATE and services.is_admin(user.id if user else None):
        text += messages.HELP_ADMIN
    await message.reply_text(text)


async def documents_command(update: Update, context: BotContext) -> None:
    """/vanban [TỈNH]: the newest documents (of a province: named, or the chat's /tinh)."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    services = context.services
    name = command_argument(message.text)
    if name:
        province = resolve_province(name, among=services.library.provinces)
        if province is None:
            await message.reply_text(_unknown_province_text(services, name))
            return
    else:
        province = await asyncio.to_thread(services.log.province, chat.id)
    try:
        documents = await bounded(
            services.settings.index_timeout, services.library.documents, province
        )
    except IndexUnavailableError:
        await say(context, chat.id, messages.INDEX_UNAVAILABLE)
        return
    if not documents:
        await say(context, chat.id, messages.DOCUMENTS_EMPTY)
        return
    shown = documents[:DOCUMENTS_LISTED]
    today, catalog = services.settings.today(), services.library.catalog
    statuses = {d.meta.doc_id: document_status(d.meta, catalog, today) for d in shown}
    blocks = render.document_blocks(
        shown, total=len(documents), statuses=statuses, province=province
    )
    blocks.append(Block(messages.DOCUMENTS_ORIGINALS, style="italic"))
    markup = buttons.documents_keyboard([d.meta for d in shown])
    await send_blocks(context.bot, chat.id, blocks, markup=markup)


async def province_command(update: Update, context: BotContext) -> None:
    """/tinh TÊN: answer only from one province's notices; /tinh alone clears it."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None or message.text is None:
        return
    services = context.services
    name = command_argument(message.text)
    if not name:
        await asyncio.to_thread(services.log.set_province, chat.id, None)
        await message.reply_text(messages.PROVINCE_CLEARED)
        return
    province = resolve_province(name, among=services.library.provinces)
    if province is None:
        await message.reply_text(_unknown_province_text(services, name))
        return
    await asyncio.to_thread(services.log.set_province, chat.id, province)
    text = messages.PROVINCE_SET.format(province=render.plain(province))
    await message.reply_text(text)


def _unknown_province_text(services: Services, name: str) -> str:
    known = (render.plain(p) for p in services.library.provinces)
    return messages.province_unknown(render.plain(name), known)


async def new_conversation_command(update: Update, context: BotContext) -> None:
    """/moi: start over; the next question is not read as a follow-up."""
    chat, message, user = update.effective_chat, update.effective_message, update.effective_user
    if chat is None or message is None or user is None:
        return
    await asyncio.to_thread(context.services.conversations.reset, _conversation(chat, user))
    await message.reply_text(messages.CONTEXT_RESET)


async def source_command(update: Update, context: BotContext) -> None:
    """/nguon N: citation N of the chat's latest answer, in full."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    args = context.args or []
    if len(args) != 1 or not args[0].isdigit():
        await message.reply_text(messages.SOURCE_USAGE)
        return
    await context.services.books.settled()  # the latest answer, logged after its reply
    cited = await asyncio.to_thread(context.services.log.last_citations, chat.id)
    number = int(args[0])
    if not cited:
        await message.reply_text(messages.SOURCE_NONE)
    elif not 1 <= number <= len(cited):
        text = messages.SOURCE_OUT_OF_RANGE.format(count=len(cited))
        await message.reply_text(text)
    else:
        await show_paragraph(context, chat.id, cited[number - 1])


# -- buttons and inline mode ----------------------------------------------------------------


async def on_button(update: Update, context: BotContext) -> None:
    """Button presses: full paragraph, original file, feedback, example question."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    press = buttons.decode(query.data)
    # Other buttons send something into the chat, which a very old message may not have.
    chat = query.message.chat if query.message is not None else None
    if press is not None and press.kind == "feedback":
        if chat is not None:
            vote = partial(_store_feedback, context.services.log, press.value, chat.id, user.id,
                           helpful=press.helpful)  # fmt: skip
            context.services.books.later("feedback", vote)
        await query.answer(messages.FEEDBACK_THANKS)
        return
    unknown_example = press is not None and press.number >= len(messages.EXAMPLE_QUESTIONS)
    if press is None or chat is None or unknown_example:
        await query.answer(messages.BUTTON_EXPIRED)
        return
    await query.answer()
    if press.kind == "paragraph":
        await show_paragraph(context, chat.id, press.value)
    elif press.kind == "document":
        await send_original(context, chat.id, press.value)
    elif press.kind == "focus":
        await focus_on(context, chat.id, press.value)
    elif press.kind == "unfollow":
        await unfollow(context, chat.id, press.value)
    elif press.kind == "alone":
        await context.services.books.settled()  # the question, logged after its reply
        question = await asyncio.to_thread(context.services.log.question, press.value, chat.id)
        if question is not None:
            await answer_question(context, chat, user, question, alone=True)
    else:
        await answer_question(context, chat, user, messages.EXAMPLE_QUESTIONS[press.number])


def _store_feedback(log: ChatLog, key: str, chat_id: int, user_id: int, *, helpful: bool) -> None:
    """Store a vote on a question this chat was answered (a key never issued is ignored)."""
    if log.question(key, chat_id) is None:  # forged, another chat's, or its log write dropped
        logger.info("Feedback on an unknown question ignored user=%s chat=%s", user_id, chat_id)
        return
    log.record_feedback(key, user_id, helpful=helpful)
    logger.info("Feedback user=%s key=%s helpful=%s", user_id, key, helpful)


async def on_inline_query(update: Update, context: BotContext) -> None:
    """@bot câu hỏi in any chat: the answer and each quote as inline results."""
    query = update.inline_query
    if query is None:
        return
    services = context.services
    question = query.query.strip()
    if not question:
        hint = InlineQueryResultsButton(messages.INLINE_HINT, start_parameter="inline")
        await query.answer([], button=hint, cache_time=INLINE_CACHE_SECONDS)
        return
    if services.limiter.check(query.from_user.id) is not Verdict.ALLOW:
        busy = InlineQueryResultsButton(messages.INLINE_RATE_LIMITED, start_parameter="busy")
        await query.answer([], button=busy, cache_time=0, is_personal=True)
        return
    try:
        answer = await services.answerer.answer(question)
    except IndexUnavailableError as exc:
        services.metrics.index_failed("inline", exc)
        down = InlineQueryResultsButton(messages.INLINE_INDEX_UNAVAILABLE, start_parameter="down")
        await query.answer([], button=down, cache_time=0, is_personal=True)
        return
    services.metrics.answered("inline", answer)
    logger.info(
        "Inline answer user=%s status=%s citations=%d latency_ms=%.0f",
        query.from_user.id, answer.status, len(answer.citations), answer.latency_ms,
    )  # fmt: skip
    results = render.inline_results(
        answer, examples=messages.EXAMPLE_QUESTIONS, catalog=services.library.catalog
    )
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS)
