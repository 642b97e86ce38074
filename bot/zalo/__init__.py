"""The Zalo Official Account channel: webhook, answers, commands in words, tokens, alerts.

Served by `chithi serve` at POST /zalo/webhook when CHITHI_ZALO_* are set (docs/zalo.md).
"""

from __future__ import annotations

from bot.alerts import AlertStore
from bot.bookkeeping import Bookkeeper
from bot.chat_log import ChatLog
from bot.conversations import ConversationStore
from bot.metrics import Metrics
from bot.settings import Settings, ZaloSettings
from bot.zalo.api import MAX_TEXT, ZaloApi
from bot.zalo.channel import ZaloChannel
from bot.zalo.events import MAX_BODY_BYTES, signature
from bot.zalo.sender import Sender
from bot.zalo.store import SendCounts, ZaloStore
from bot.zalo.tokens import TokenKeeper
from bot.zalo.webhook import ZaloWebhook
from retrieval import Answerer

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_TEXT",
    "SendCounts",
    "ZaloApi",
    "ZaloStore",
    "ZaloWebhook",
    "build_webhook",
    "signature",
]


def build_webhook(
    settings: Settings,
    zalo: ZaloSettings,
    answerer: Answerer,
    *,
    log: ChatLog,
    conversations: ConversationStore,
    books: Bookkeeper | None = None,
    metrics: Metrics | None = None,
) -> ZaloWebhook:
    """The channel over the question log's database (tokens, users, sends beside the log).

    Args:
        settings: the hotline and the console's public address.
        zalo: the app, its secrets and Zalo's addresses.
        answerer: the one answer path.
        log: the question log (its database holds the Zalo tables too).
        conversations: each user's recent turns.
        books: where the log and the turns are written after the reply (the web app's, so
            /metrics counts its drops); one of its own if omitted.
        metrics: the web app's counters, where Zalo's answers are counted (channel "zalo").
    """
    store = ZaloStore(log.database)
    store.seed(zalo.refresh_token)
    api = ZaloApi(
        api_url=zalo.api_url, oauth_url=zalo.oauth_url,
        app_id=zalo.app_id, app_secret=zalo.app_secret,
    )  # fmt: skip
    tokens = TokenKeeper(store, api)
    channel = ZaloChannel(
        answerer,
        store=store,
        sender=Sender(store, api, tokens),
        log=log,
        conversations=conversations,
        books=books or Bookkeeper(),
        metrics=metrics,
        alerts=AlertStore(log.database),
        hotline=settings.hotline,
        public_url=settings.public_url,
    )
    return ZaloWebhook(channel, store=store, tokens=tokens, api=api,
                       app_id=zalo.app_id, oa_secret=zalo.oa_secret)  # fmt: skip
