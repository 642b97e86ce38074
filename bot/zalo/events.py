"""A webhook call read once: its signature checked, its age checked, its event typed.

Zalo signs each event with X-ZEvent-Signature: "mac=" and the SHA-256 hex digest of the
app id, the body exactly as sent, the event's timestamp and the OA secret key, concatenated
in that order (docs/zalo.md, Sources). The app id and timestamp are read from the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass

from bot.zalo.errors import WebhookError

MAX_BODY_BYTES = 64 * 1024  # an event is a few hundred bytes; a user's text at most a few KB
MAX_AGE_SECONDS = 300.0  # an event older (or further ahead) than this is refused as stale
NON_TEXT_EVENTS = frozenset({
    "user_send_image", "user_send_file", "user_send_sticker", "user_send_gif",
    "user_send_audio", "user_send_video", "user_send_location", "user_send_link",
    "user_send_business_card",
})  # fmt: skip
HANDLED_EVENTS = NON_TEXT_EVENTS | {"user_send_text", "follow", "unfollow"}


@dataclass(frozen=True)
class ZaloEvent:
    """One event a user caused: who, what, and the signature that names it."""

    name: str  # "user_send_text", "follow", "unfollow", "user_send_image", …
    user_id: str
    mac: str  # the signature: the same event posted twice has the same one
    text: str = ""
    message_id: str | None = None

    @property
    def non_text(self) -> bool:
        """An image, file, sticker and the like: something the channel cannot read."""
        return self.name in NON_TEXT_EVENTS


def signature(app_id: str, body: bytes, timestamp: str, oa_secret: str) -> str:
    """The X-ZEvent-Signature value Zalo sends for a body (the stand-in signs with it too)."""
    signed = app_id.encode() + body + timestamp.encode() + oa_secret.encode()
    return "mac=" + hashlib.sha256(signed).hexdigest()


def read_event(
    body: bytes, header: str | None, *, app_id: str, oa_secret: str, now: float
) -> ZaloEvent | None:
    """The event of a genuine, fresh webhook call; None for an event the channel ignores.

    Args:
        body: the request body, as received.
        header: the X-ZEvent-Signature header.
        app_id: the app the OA is linked to (an event for another app is forged).
        oa_secret: the OA secret key.
        now: the current time (seconds).

    Raises:
        WebhookError: unreadable (400), forged (401) or stale (403).
    """
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # nested thousands deep: no 500
        raise WebhookError(400, "body is not JSON") from None
    if not isinstance(data, dict):
        raise WebhookError(400, "body is not a JSON object")
    timestamp = str(data.get("timestamp") or "")
    if str(data.get("app_id") or "") != app_id or not header or not timestamp.isdigit():
        raise WebhookError(401, "missing signature, app id or timestamp")
    expected = signature(app_id, body, timestamp, oa_secret)
    given = header.strip()
    if not given.startswith("mac="):
        given = "mac=" + given
    if not hmac.compare_digest(given.lower(), expected):
        raise WebhookError(401, "signature does not match")
    if abs(now - int(timestamp) / 1000) > MAX_AGE_SECONDS:
        raise WebhookError(403, "event is stale")
    return _event(data, expected)


def _event(data: dict[str, object], mac: str) -> ZaloEvent | None:
    name = str(data.get("event_name") or "")
    if name not in HANDLED_EVENTS:
        return None  # the OA's own messages, reactions, shop events: not ours
    who = data.get("follower") if name in ("follow", "unfollow") else data.get("sender")
    user_id = str(who.get("id") or "") if isinstance(who, dict) else ""
    if not user_id:
        raise WebhookError(400, f"{name} names no user")
    message = data.get("message")
    text, message_id = "", None
    if isinstance(message, dict):
        text = str(message.get("text") or "")
        message_id = str(message.get("msg_id") or "") or None
    return ZaloEvent(name, user_id, mac, text=text, message_id=message_id)
