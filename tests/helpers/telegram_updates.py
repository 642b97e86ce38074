"""Builders for Bot API ``Update`` dicts, to queue on ``FakeTelegram`` or post to a webhook.

Update ids and message ids come from module-wide counters, so they always increase.
``telegram.Update.de_json(update, bot)`` accepts every dict built here.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

from tests.helpers.telegram_html import utf16_len

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "DEFAULT_CHAT_ID",
    "DEFAULT_USER_ID",
    "GROUP_CHAT_ID",
    "bot_user",
    "callback_update",
    "chat",
    "document_update",
    "inline_update",
    "location_update",
    "message_entities",
    "photo_update",
    "sticker_update",
    "text_update",
    "user",
    "voice_update",
]

BOT_ID = 7000000001
BOT_USERNAME = "chithi_test_bot"
DEFAULT_USER_ID = 1001
DEFAULT_CHAT_ID = DEFAULT_USER_ID  # a private chat's id is the user's id
GROUP_CHAT_ID = -1002003004005

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)
_query_ids = itertools.count(1)
_COMMAND_RE = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}\b")


def user(user_id: int = DEFAULT_USER_ID, *, username: str | None = "tester") -> dict[str, Any]:
    """A human ``User`` dict."""
    data: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": "Test"}
    if username:
        data["username"] = username
    data["language_code"] = "vi"
    return data


def bot_user(bot_id: int = BOT_ID, *, username: str = BOT_USERNAME) -> dict[str, Any]:
    """The bot's own ``User`` dict (as in messages the bot sent)."""
    return {"id": bot_id, "is_bot": True, "first_name": "Chithi Test", "username": username}


def chat(
    chat_id: int, chat_type: str = "private", *, username: str | None = "tester"
) -> dict[str, Any]:
    """A ``Chat`` dict; private chats get the user's name, groups a title."""
    if chat_type == "private":
        data: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": "Test"}
        if username:
            data["username"] = username
        return data
    return {"id": chat_id, "type": chat_type, "title": f"Test {chat_type}"}


def message_entities(text: str) -> list[dict[str, Any]]:
    """``bot_command`` and ``mention`` entities as Telegram computes them (UTF-16 offsets)."""
    found = [("bot_command", m) for m in _COMMAND_RE.finditer(text)]
    found += [("mention", m) for m in _MENTION_RE.finditer(text)]
    entities = [
        {"type": kind, "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group(0))}
        for kind, m in found
    ]
    return sorted(entities, key=lambda e: e["offset"])


def _update(**payload: Any) -> dict[str, Any]:
    return {"update_id": next(_update_ids), **payload}


def _message(
    chat_id: int,
    user_id: int,
    chat_type: str,
    username: str | None,
    **content: Any,
) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat(chat_id, chat_type, username=username),
        "from": user(user_id, username=username),
        **content,
    }


def _bot_message(chat_id: int, chat_type: str, message_id: int, text: str) -> dict[str, Any]:
    return {
        "message_id": message_id,
        "date": int(time.time()),
        "chat": chat(chat_id, chat_type),
        "from": bot_user(),
        "text": text,
    }


def text_update(
    text: str,
    chat_id: int = DEFAULT_CHAT_ID,
    user_id: int = DEFAULT_USER_ID,
    *,
    chat_type: str = "private",
    username: str | None = "tester",
    reply_to_bot: bool = False,
    bot_message_id: int = 1,
    bot_message_text: str = "Câu trả lời trước",
) -> dict[str, Any]:
    """An update with a text message; ``/commands`` and ``@mentions`` get entities.

    Args:
        text: Message text.
        chat_id: Chat id (negative for groups).
        user_id: Sender id.
        chat_type: ``private``, ``group``, ``supergroup`` or ``channel``.
        username: Sender username (also the private chat's username); ``None`` for none.
        reply_to_bot: Make the message a reply to an earlier message of the bot.
        bot_message_id: ``message_id`` of that earlier bot message.
        bot_message_text: Text of that earlier bot message.

    Returns:
        The ``Update`` dict.
    """
    content: dict[str, Any] = {"text": text}
    entities = message_entities(text)
    if entities:
        content["entities"] = entities
    if reply_to_bot:
        content["reply_to_message"] = _bot_message(
            chat_id, chat_type, bot_message_id, bot_message_text
        )
    return _update(message=_message(chat_id, user_id, chat_type, username, **content))


def callback_update(
    data: str,
    chat_id: int = DEFAULT_CHAT_ID,
    user_id: int = DEFAULT_USER_ID,
    message_id: int = 1,
    *,
    chat_type: str = "private",
    message_text: str = "Tin nhắn có nút",
) -> dict[str, Any]:
    """An update with a ``callback_query`` from a button on the bot's message ``message_id``."""
    query = {
        "id": str(next(_query_ids)),
        "from": user(user_id),
        "chat_instance": str(chat_id),
        "data": data,
        "message": _bot_message(chat_id, chat_type, message_id, message_text),
    }
    return _update(callback_query=query)


def inline_update(
    query: str, user_id: int = DEFAULT_USER_ID, *, offset: str = ""
) -> dict[str, Any]:
    """An update with an ``inline_query``."""
    inline = {
        "id": str(next(_query_ids)),
        "from": user(user_id),
        "query": query,
        "offset": offset,
        "chat_type": "sender",
    }
    return _update(inline_query=inline)


def photo_update(
    chat_id: int = DEFAULT_CHAT_ID,
    user_id: int = DEFAULT_USER_ID,
    *,
    chat_type: str = "private",
    caption: str | None = None,
) -> dict[str, Any]:
    """An update with a photo (two sizes) and an optional caption."""
    sizes = [
        {
            "file_id": f"photo-{side}",
            "file_unique_id": f"uphoto-{side}",
            "width": side,
            "height": side,
        }
        for side in (90, 800)
    ]
    content: dict[str, Any] = {"photo": sizes}
    if caption is not None:
        content["caption"] = caption
    return _update(message=_message(chat_id, user_id, chat_type, "tester", **content))


def sticker_update(
    chat_id: int = DEFAULT_CHAT_ID, user_id: int = DEFAULT_USER_ID, *, chat_type: str = "private"
) -> dict[str, Any]:
    """An update with a regular static sticker."""
    sticker = {
        "file_id": "sticker-1",
        "file_unique_id": "usticker-1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return _update(message=_message(chat_id, user_id, chat_type, "tester", sticker=sticker))


def voice_update(
    chat_id: int = DEFAULT_CHAT_ID, user_id: int = DEFAULT_USER_ID, *, chat_type: str = "private"
) -> dict[str, Any]:
    """An update with a 3-second voice note."""
    voice = {
        "file_id": "voice-1",
        "file_unique_id": "uvoice-1",
        "duration": 3,
        "mime_type": "audio/ogg",
    }
    return _update(message=_message(chat_id, user_id, chat_type, "tester", voice=voice))


def location_update(
    chat_id: int = DEFAULT_CHAT_ID,
    user_id: int = DEFAULT_USER_ID,
    *,
    chat_type: str = "private",
    latitude: float = 21.0285,
    longitude: float = 105.8542,
) -> dict[str, Any]:
    """An update with a location (Hà Nội by default)."""
    location = {"latitude": latitude, "longitude": longitude}
    return _update(message=_message(chat_id, user_id, chat_type, "tester", location=location))


def document_update(
    file_id: str,
    file_name: str,
    chat_id: int = DEFAULT_CHAT_ID,
    user_id: int = DEFAULT_USER_ID,
    *,
    chat_type: str = "private",
    caption: str | None = None,
    mime_type: str | None = None,
    file_size: int | None = None,
) -> dict[str, Any]:
    """An update with a document message.

    Register the bytes first so the bot can download them, e.g.
    ``doc = fake.add_file("f1", "nq.pdf", data)`` then
    ``document_update(doc["file_id"], doc["file_name"], mime_type=doc["mime_type"])``.
    """
    document: dict[str, Any] = {
        "file_id": file_id,
        "file_unique_id": f"u{file_id}",
        "file_name": file_name,
    }
    if mime_type:
        document["mime_type"] = mime_type
    if file_size is not None:
        document["file_size"] = file_size
    content: dict[str, Any] = {"document": document}
    if caption is not None:
        content["caption"] = caption
    return _update(message=_message(chat_id, user_id, chat_type, "tester", **content))
