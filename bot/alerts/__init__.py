"""Alerts: chats follow provinces, and get one message when a notice of theirs comes in."""

from bot.alerts.broadcast import Broadcaster
from bot.alerts.compose import alert_buttons, alert_text, key_points
from bot.alerts.outbox import queue_alerts
from bot.alerts.request import MarkingRequest
from bot.alerts.store import MAX_SUBSCRIPTIONS, AlertStore, Counts, Delivery

__all__ = [
    "MAX_SUBSCRIPTIONS",
    "AlertStore",
    "Broadcaster",
    "Counts",
    "Delivery",
    "MarkingRequest",
    "alert_buttons",
    "alert_text",
    "key_points",
    "queue_alerts",
]
