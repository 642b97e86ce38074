"""Alerts: chats follow provinces, and are owed one message when a notice of theirs comes in.

No Telegram here (the CLI's ingest queues alerts too): the bot's delivery of what is owed is
bot.telegram.broadcast.
"""

from bot.alerts.compose import alert_text, key_points
from bot.alerts.outbox import queue_alerts
from bot.alerts.store import MAX_SUBSCRIPTIONS, AlertStore, Counts, Delivery

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "AlertStore",
    "Counts",
    "Delivery",
    "alert_text",
    "key_points",
    "queue_alerts",
]
