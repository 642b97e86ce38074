"""The Telegram bot: ``build_application`` wires every handler; ``run_bot`` polls or serves."""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from prometheus_client import start_http_server
from telegram import (
    BotCommand,
    BotCommandScopeChat,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import messages
from bot.alerts import AlertStore
from bot.bookkeeping import Bookkeeper
from bot.chat_log import ChatLog
from bot.errors import ConfigError
from bot.ingest import Ingestion
from bot.metrics import Metrics
from bot.settings import Settings
from bot.telegram import admin, follow, handlers
from bot.telegram.broadcast import Broadcaster
from bot.telegram.context import SERVICES_KEY, BotContext, Services
from bot.telegram.marking import MarkingRequest
from bot.telegram.rate_limit import RateLimiter
from bot.telegram.retry import RetryingRateLimiter
from bot.telegram.update_order import ChatOrderedProcessor
from bot.wiring import build_conversations, build_database
from bot.zalo import ZaloStore
from retrieval import Answerer

logger = logging.getLogger(__name__)

BotApplication = Application[
    ExtBot[int], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], None
]
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
MAX_CONCURRENT_UPDATES = 256
# RetryAfter (HTTP 429) is retried after the wait Telegram asks for; replies are not lost.
MAX_FLOOD_RETRIES = 5
CONNECTIONS = 256  # PTB's default pool for the bot's requests
BROADCASTER_KEY = "broadcaster"
METRICS_KEY = "metrics_server"


def build_application(
    settings: Settings,
    answerer: Answerer,
    *,
    log: ChatLog | None = None,
    typing_delay: float = 0.3,
) -> BotApplication:
    """The bot with all its handlers, ready for polling or a webhook.

    Args:
        settings: needs ``telegram_token``; Bot API URLs, admins, rate limit, data folder.
        answerer: the answer pipeline, shared by all chats.
        log: the question log (default: CHITHI_DATABASE_URL's, else the data folder's file).
        typing_delay: seconds before "typing…" is shown for an answer still being worked on.

    Returns:
        The PTB Application; ``run_bot`` runs it, tests drive it against a local Bot API.

    Raises:
        ConfigError: TELEGRAM_BOT_TOKEN is not set.
    """
    if not settings.telegram_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather")
    log = log or ChatLog(build_database(settings))
    alerts = AlertStore(log.database)
    metrics = Metrics()
    metrics.watch(answerer, alerts)
    books = Bookkeeper()
    books.on_drop = metrics.dropped_write
    services = Services(
        settings=settings,
        answerer=answerer,
        log=log,
        limiter=RateLimiter(settings.rate_limit),
        alerts=alerts,
        ingestion=Ingestion(answerer.library, alerts=alerts, uploads_dir=settings.uploads_dir),
        conversations=build_conversations(settings, log.database),
        zalo=ZaloStore(log.database),
        books=books,
        metrics=metrics,
        typing_delay=typing_delay,
    )
    defaults = Defaults(
        parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
    )
    app: BotApplication = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        # The HTTP layer marks an alert "sending" only once the rate limiter let it through.
        .request(MarkingRequest(connection_pool_size=CONNECTIONS))
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .context_types(ContextTypes(context=BotContext))
        .defaults(defaults)
        .rate_limiter(RetryingRateLimiter(max_retries=MAX_FLOOD_RETRIES))
        .concurrent_updates(ChatOrderedProcessor(MAX_CONCURRENT_UPDATES))
        # On stop PTB confirms the last updates with one more getUpdates while the long poll
        # may still hold the connection; with a single connection that call times out and
        # Telegram would deliver those updates (and the bot answer them) again after a restart.
        .get_updates_request(HTTPXRequest(connection_pool_size=2))
        .job_queue(None)
        .post_init(start_services)
        .post_stop(stop_services)
        .build()
    )
    app.bot_data[SERVICES_KEY] = services
    _add_handlers(app)
    return app


def _add_handlers(app: BotApplication) -> None:
    h = handlers
    message = filters.UpdateType.MESSAGE
    commands = {
        "start": h.start, "help": h.help_command, "hoi": h.ask_command,
        "vanban": h.documents_command, "tinh": h.province_command, "nguon": h.source_command,
        "xoa": admin.remove_command, "thongke": admin.stats_command,
        "xuatcsv": admin.export_command, "theodoi": follow.follow_command,
        "huy": follow.unfollow_command, "boloc": follow.clear_focus_command,
        "moi": h.new_conversation_command,
    }  # fmt: skip
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=message))
    private_file = message & filters.ChatType.PRIVATE & filters.Document.ALL
    app.add_handler(MessageHandler(private_file, admin.on_document))
    app.add_handler(MessageHandler(message & filters.TEXT & ~filters.COMMAND, h.on_text))
    app.add_handler(MessageHandler(message & filters.COMMAND, h.unknown_command))
    others = message & ~filters.TEXT & ~filters.StatusUpdate.ALL
    app.add_handler(MessageHandler(others, h.on_other_message))
    app.add_handler(CallbackQueryHandler(h.on_button))
    app.add_handler(InlineQueryHandler(h.on_inline_query))
    app.add_error_handler(on_error)


async def start_services(app: BotApplication) -> None:
    """On start: the command menus, and the broadcaster of alerts as a task beside handlers."""
    await publish_commands(app)
    services: Services = app.bot_data[SERVICES_KEY]
    broadcaster = Broadcaster(
        services.alerts, app.bot, lease_seconds=services.settings.alert_lease_seconds
    )
    app.bot_data[BROADCASTER_KEY] = (broadcaster, asyncio.create_task(broadcaster.run()))
    port = services.settings.metrics_port
    if port is not None:
        server, _ = start_http_server(
            port, addr=services.settings.webhook_listen, registry=services.metrics.registry
        )
        app.bot_data[METRICS_KEY] = server
        logger.info("Metrics on port %s", port)


async def stop_services(app: BotApplication) -> None:
    """On stop: let the broadcaster finish the alerts in flight and give up its lease."""
    running = app.bot_data.pop(BROADCASTER_KEY, None)
    if running is not None:
        broadcaster, task = running
        broadcaster.stop()
        await task
    services: Services = app.bot_data[SERVICES_KEY]
    await services.books.close()
    server = app.bot_data.pop(METRICS_KEY, None)
    if server is not None:
        server.shutdown()
        server.server_close()


async def publish_commands(app: BotApplication) -> None:
    """setMyCommands: the Vietnamese command menu, with the admin commands for admins."""
    public = [BotCommand(name, text) for name, text in messages.COMMANDS]
    await app.bot.set_my_commands(public)
    admin_commands = public + [BotCommand(name, text) for name, text in messages.ADMIN_COMMANDS]
    services: Services = app.bot_data[SERVICES_KEY]
    for admin_id in sorted(services.settings.admin_ids):
        try:
            await app.bot.set_my_commands(admin_commands, scope=BotCommandScopeChat(admin_id))
        except TelegramError as exc:  # e.g. the admin has not opened a chat with the bot yet
            logger.warning("Admin command menu not set user=%s: %s", admin_id, exc)


async def on_error(update: object, context: BotContext) -> None:
    """The one place that catches everything: log it, apologise in the chat if there is one."""
    update_id = update.update_id if isinstance(update, Update) else None
    logger.error("Update %s failed", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await context.bot.send_message(update.effective_chat.id, messages.SORRY)
    except TelegramError as exc:
        logger.warning("Apology not sent chat=%s: %s", update.effective_chat.id, exc)


def webhook_options(settings: Settings) -> dict[str, Any]:
    """Arguments for PTB's ``start_webhook``/``run_webhook`` from the settings."""
    if not settings.webhook_url:
        raise ConfigError("CHITHI_WEBHOOK_URL is not set")
    return {
        "listen": settings.webhook_listen,
        "port": settings.webhook_port,
        "url_path": urlsplit(settings.webhook_url).path.lstrip("/"),
        "webhook_url": settings.webhook_url,
        "secret_token": settings.webhook_secret,
        "allowed_updates": ALLOWED_UPDATES,
    }


def run_bot(settings: Settings, answerer: Answerer) -> None:
    """Run until interrupted: a webhook server when CHITHI_WEBHOOK_URL is set, else polling."""
    app = build_application(settings, answerer)
    if settings.webhook_url:
        options = webhook_options(settings)
        logger.info("Telegram bot: webhook on %s:%s", options["listen"], options["port"])
        app.run_webhook(**options)
    else:
        logger.info("Telegram bot: long polling")
        app.run_polling(allowed_updates=ALLOWED_UPDATES)
