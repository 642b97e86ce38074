"""What every handler shares (answerer, settings, log, rate limiter) and the typed context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import CallbackContext, ExtBot

from bot.alerts import AlertStore
from bot.bookkeeping import Bookkeeper
from bot.chat_log import ChatLog
from bot.conversations import ConversationStore
from bot.ingest import Ingestion
from bot.metrics import Metrics
from bot.settings import Settings
from bot.telegram.rate_limit import RateLimiter
from bot.zalo import ZaloStore
from retrieval import Answerer, Library

SERVICES_KEY = "services"


@dataclass(frozen=True)
class Services:
    """The bot's dependencies, put into ``bot_data`` by ``build_application``.

    Attributes:
        settings: the configuration.
        answerer: the answer pipeline.
        log: the question log.
        limiter: the per-user question rate limit.
        alerts: subscriptions and the alerts owed to chats.
        ingestion: adds and removes documents (uploads, /xoa), queuing alerts.
        conversations: each chat's last turns, for follow-up questions.
        books: writes the question log, feedback and turns after the replies.
        metrics: what /metrics (CHITHI_METRICS_PORT) shows.
        zalo: what the Zalo channel sent (counted by /thongke, whichever process sent it).
        typing_delay: seconds an answer may take before the typing indicator is shown.
    """

    settings: Settings
    answerer: Answerer
    log: ChatLog
    limiter: RateLimiter
    alerts: AlertStore
    ingestion: Ingestion
    conversations: ConversationStore
    books: Bookkeeper
    metrics: Metrics
    zalo: ZaloStore
    typing_delay: float = 0.3

    @property
    def library(self) -> Library:
        """The indexed notices."""
        return self.answerer.library

    def is_admin(self, user_id: int | None) -> bool:
        """Whether a Telegram user id is listed in CHITHI_ADMIN_IDS."""
        return user_id is not None and user_id in self.settings.admin_ids


MAX_ARGUMENT_CHARS = 200  # a province or a number; a longer argument is cut, not processed


def command_argument(text: str | None) -> str:
    """What follows a command ("/tinh Kiên Giang" -> "Kiên Giang"), cut to a sane length."""
    parts = (text or "").split(maxsplit=1)
    return parts[1].strip()[:MAX_ARGUMENT_CHARS] if len(parts) > 1 else ""


class BotContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The handlers' context, with the bot's services as a typed property."""

    @property
    def services(self) -> Services:
        """The services ``build_application`` registered."""
        services = self.bot_data.get(SERVICES_KEY)
        if not isinstance(services, Services):
            raise RuntimeError("no Services in bot_data; build the app with build_application()")
        return services
