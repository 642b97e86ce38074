"""Handlers for administrators (CHITHI_ADMIN_IDS): upload, remove, statistics, CSV export."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

from telegram import Message, Update
from telegram.constants import ChatType, FileSizeLimit

from bot import messages
from bot.alerts import Counts
from bot.notice_facts import FactError, GivenFacts, read_caption
from bot.telegram import render
from bot.telegram.context import BotContext
from bot.telegram.render import Block
from bot.telegram.replies import send_blocks
from bot.telegram.stream import llm_stats_text
from bot.upload_replies import (
    Markup,
    document_summary,
    duplicate_reply,
    fact_error_text,
    upload_reply,
)
from bot.uploads import safe_name
from bot.zalo import SendCounts
from retrieval import DocumentNotFoundError
from retrieval.parse import SUPPORTED_SUFFIXES

logger = logging.getLogger(__name__)

DEFAULT_STATS_DAYS = 7


async def _admin_message(update: Update, context: BotContext) -> Message | None:
    """The message, if an administrator sent it in a private chat; otherwise refuse politely."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    if message is None or chat is None:
        return None
    if not context.services.is_admin(user.id if user else None):
        logger.info("Refused an admin command user=%s", user.id if user else None)
        await message.reply_text(messages.ADMIN_ONLY)
        return None
    if chat.type != ChatType.PRIVATE:
        await message.reply_text(messages.ADMIN_PRIVATE_ONLY)
        return None
    return message


HTML = Markup(plain=render.plain, bold=lambda t: f"<b>{t}</b>", code=lambda t: f"<code>{t}</code>")


async def on_document(update: Update, context: BotContext) -> None:
    """A file in a private chat: an administrator's is ingested, anyone else's refused."""
    message, user = update.effective_message, update.effective_user
    if message is None or message.document is None:
        return
    services = context.services
    if not services.is_admin(user.id if user else None):
        logger.info("Refused an upload user=%s", user.id if user else None)
        await message.reply_text(messages.UPLOAD_NOT_ALLOWED)
        return
    document = message.document
    name = safe_name(document.file_name)
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:  # checked before downloading: a wrong file costs nothing
        text = messages.UPLOAD_UNSUPPORTED.format(suffix=render.plain(suffix or name))
        await message.reply_text(text)
        return
    if (document.file_size or 0) > FileSizeLimit.FILESIZE_DOWNLOAD:
        size = f"{(document.file_size or 0) / 1_000_000:.0f}"
        await message.reply_text(messages.UPLOAD_TOO_BIG.format(size=size))
        return
    try:
        given = read_caption(message.caption, context.services.library.catalog)
    except FactError as exc:
        await message.reply_text(fact_error_text(exc, render.plain))
        return
    progress = await message.reply_text(messages.UPLOAD_WORKING.format(name=render.plain(name)))
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    await progress.edit_text(await _ingest(context, name, data, given))


async def _ingest(context: BotContext, name: str, data: bytes, given: GivenFacts) -> str:
    services = context.services
    upload = await asyncio.to_thread(
        services.ingestion.upload, name, data, doc_id=given.doc_id, facts=given.facts
    )
    services.metrics.ingested("telegram", upload)
    same = upload.duplicate_of
    if same is not None:
        return duplicate_reply(name, same, services.library.counts.get(same.doc_id, 0), HTML)
    replies = [upload_reply(name, data, r, HTML) for r in upload.results]
    if given.facts and any(r.error is None for r in upload.results):
        replies.append(messages.UPLOAD_FACTS_SET.format(facts=render.plain(given.describe())))
    return "\n\n".join(replies)


async def remove_command(update: Update, context: BotContext) -> None:
    """/xoa DOC_ID: remove a document (and its uploaded original)."""
    message = await _admin_message(update, context)
    if message is None:
        return
    services = context.services
    args = context.args or []
    if len(args) != 1:
        documents = await asyncio.to_thread(services.library.documents)
        example = documents[0].meta.doc_id if documents else messages.REMOVE_EXAMPLE_ID
        text = messages.REMOVE_USAGE.format(example=render.plain(example))
        await message.reply_text(text)
        return
    doc_id = args[0]
    count = services.library.counts.get(doc_id, 0)
    try:
        meta = await asyncio.to_thread(services.ingestion.remove, doc_id)
    except DocumentNotFoundError:
        text = messages.REMOVE_UNKNOWN.format(doc_id=render.plain(doc_id))
        await message.reply_text(text)
        return
    await message.reply_text(document_summary(messages.REMOVE_DONE, meta, count, HTML))


def _period(args: list[str]) -> tuple[dt.datetime | None, str] | None:
    """(since, label) from '', 'N' days or 'tatca'; None when unreadable."""
    text = " ".join(args).strip().lower()
    if not text:
        days = DEFAULT_STATS_DAYS
    elif text in messages.STATS_ALL_TIME_WORDS:
        return None, messages.STATS_PERIOD_ALL
    elif text.isdigit() and int(text) > 0:
        days = int(text)
    else:
        return None
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    return since, messages.STATS_PERIOD_DAYS.format(days=days)


async def stats_command(update: Update, context: BotContext) -> None:
    """/thongke [N|tatca]: questions, answered, not found, feedback, the gap list."""
    message = await _admin_message(update, context)
    if message is None:
        return
    period = _period(context.args or [])
    if period is None:
        await message.reply_text(messages.STATS_USAGE)
        return
    since, label = period
    await context.services.books.settled()  # the questions just answered, if not yet logged
    stats = await asyncio.to_thread(context.services.log.stats, since)
    summary = messages.STATS.format(
        period=label, asked=stats.asked, answered=stats.answered, not_found=stats.not_found,
        refused=stats.refused, helpful=stats.helpful, unhelpful=stats.unhelpful,
    )  # fmt: skip
    summary += llm_stats_text(context.services.answerer)
    alerts = await asyncio.to_thread(context.services.alerts.counts)
    if alerts != Counts():
        summary += messages.STATS_ALERTS.format(
            sent=alerts.sent, waiting=alerts.pending + alerts.claimed + alerts.sending,
            gone=alerts.gone, unknown=alerts.unknown, failed=alerts.failed,
        )  # fmt: skip
    summary += zalo_stats_text(await asyncio.to_thread(context.services.zalo.counts, since))
    await message.reply_text(summary)
    if not stats.unanswered:
        await message.reply_text(messages.STATS_NO_GAPS)
        return
    gaps = "\n".join(
        messages.STATS_GAP.format(number=n, question=" ".join(question.split()), count=count)
        for n, (question, count) in enumerate(stats.unanswered, start=1)
    )
    await send_blocks(context.bot, message.chat_id, [Block(gaps, head=messages.STATS_GAPS)])


def zalo_stats_text(counts: SendCounts) -> str:
    """The Zalo lines of /thongke (none when the OA sent nothing in the period)."""
    if counts == SendCounts():
        return ""
    codes = ", ".join(
        messages.STATS_ZALO_CODE.format(code=code, count=n) for code, n in counts.refused
    )
    return messages.STATS_ZALO.format(
        sent=counts.sent, refused=counts.refused_total, codes=f" ({codes})" if codes else "",
        unknown=counts.unknown, window_closed=counts.window_closed,
    )  # fmt: skip


async def export_command(update: Update, context: BotContext) -> None:
    """/xuatcsv [N|tatca]: the question log as a CSV file (all time by default)."""
    message = await _admin_message(update, context)
    if message is None:
        return
    args = context.args or []
    period = _period(args) if args else (None, messages.STATS_PERIOD_ALL)
    if period is None:
        await message.reply_text(messages.STATS_USAGE)
        return
    since, label = period
    log = context.services.log
    await context.services.books.settled()
    data = await asyncio.to_thread(log.export_csv, since)
    stats = await asyncio.to_thread(log.stats, since, top=0)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    caption = messages.EXPORT_CAPTION.format(period=label, count=stats.asked)
    filename = messages.EXPORT_FILE_NAME.format(date=today)
    await message.reply_document(data, filename=filename, caption=caption)
    logger.info("Exported the question log rows=%d", stats.asked)
