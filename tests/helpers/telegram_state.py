"""The fake Bot API's state (chats, messages, files, updates, webhook) and its methods.

``BotApiState`` is not thread-safe; ``FakeTelegram`` calls it with its lock held.
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from tests.helpers.form_data import UploadedFile
from tests.helpers.telegram_rules import (
    CHAT_ACTIONS,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_BYTES,
    MAX_INLINE_RESULTS,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    TelegramApiError,
    bad_request,
    check_commands,
    check_reply_markup,
    render_text,
)
from tests.helpers.telegram_updates import bot_user, chat

__all__ = ["HANDLERS", "BotApiState", "SentDocument", "SentMessage", "StoredFile"]

Params = dict[str, Any]
Files = dict[str, UploadedFile]


@dataclass(frozen=True)
class SentMessage:
    """A text message the bot has in a chat, after edits.

    ``plain_text`` is what a user sees (HTML tags removed, entities decoded).
    """

    chat_id: int | str
    message_id: int
    text: str
    parse_mode: str | None
    plain_text: str
    entities: list[Params]
    reply_markup: Params | None
    edits: int = 0


@dataclass(frozen=True)
class SentDocument:
    """A document the bot sent: uploaded bytes (or a re-sent file id's bytes) and caption."""

    chat_id: int | str
    message_id: int
    file_id: str
    file_name: str
    data: bytes
    mime_type: str
    caption: str | None
    parse_mode: str | None


@dataclass(frozen=True)
class StoredFile:
    """A file ``getFile`` knows and ``/file/bot{token}/{file_path}`` serves."""

    file_id: str
    file_name: str
    data: bytes
    mime_type: str
    file_path: str

    def document(self) -> Params:
        """The Bot API ``Document`` dict for this file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": f"u{self.file_id}",
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
        }


class BotApiState:
    """Everything the fake Telegram remembers, and the Bot API methods that change it."""

    def __init__(self, *, username: str, bot_id: int) -> None:
        self.username = username
        self.bot_id = bot_id
        self.updates: list[Params] = []
        self.chats: dict[int | str, Params] = {}
        self.messages: dict[int | str, dict[int, SentMessage]] = {}
        self.documents: dict[int | str, list[SentDocument]] = {}
        self.files: dict[str, StoredFile] = {}
        self.webhook: Params = {}
        self.commands: dict[tuple[str, str], list[Params]] = {}
        self._ids = itertools.count(100001)

    # -- used by FakeTelegram ------------------------------------------------------------

    def remember_chats(self, update: Params) -> None:
        """Learn chat types and titles from an update, for messages the bot sends there."""
        for value in update.values():
            if isinstance(value, dict):
                message = value.get("message", value)
                if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                    self.chats[message["chat"]["id"]] = message["chat"]

    def store_file(self, file_id: str, name: str, data: bytes, mime_type: str | None) -> StoredFile:
        """Register a file under ``file_id`` with a fresh ``file_path``."""
        mime = mime_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
        suffix = name.rsplit(".", 1)[-1] if "." in name else "bin"
        stored = StoredFile(file_id, name, data, mime, f"documents/file_{len(self.files)}.{suffix}")
        self.files[file_id] = stored
        return stored

    def take_updates(self, params: Params) -> list[Params]:
        """``getUpdates`` without waiting: confirm updates below ``offset``, return the rest."""
        if self.webhook.get("url"):
            raise TelegramApiError(
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
                409,
            )
        offset = int(params.get("offset", 0))
        limit = int(params.get("limit", 100))
        if offset < 0:
            return self.updates[offset:][:limit]
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[:limit]

    # -- helpers -------------------------------------------------------------------------

    def _chat_id(self, params: Params) -> int | str:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int | str) or chat_id == "":
            raise bad_request("chat_id is empty")
        return chat_id

    def _chat(self, chat_id: int | str) -> Params:
        if chat_id in self.chats:
            return self.chats[chat_id]
        if isinstance(chat_id, int):
            return chat(chat_id, "private" if chat_id > 0 else "supergroup")
        return {"id": chat_id, "type": "channel", "title": str(chat_id)}

    def _message_dict(self, chat_id: int | str, message_id: int, **content: Any) -> Params:
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": bot_user(self.bot_id, username=self.username),
            **{key: value for key, value in content.items() if value},
        }

    def _sent_message_dict(self, message: SentMessage) -> Params:
        return self._message_dict(
            message.chat_id,
            message.message_id,
            text=message.plain_text,
            entities=message.entities,
            reply_markup=message.reply_markup,
            edit_date=int(time.time()) if message.edits else None,
        )

    def _document_file(self, params: Params, files: Files) -> StoredFile:
        value = params.get("document")
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        else:
            upload = files.get("document")
        if upload is not None:
            if not upload.data:
                raise bad_request("file must be non-empty")
            file_id = f"doc-{next(self._ids)}"
            return self.store_file(file_id, upload.filename, upload.data, upload.content_type)
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        raise bad_request("wrong file identifier/HTTP URL specified")

    # -- Bot API methods -----------------------------------------------------------------

    def get_me(self, params: Params, files: Files) -> Params:
        return {
            **bot_user(self.bot_id, username=self.username),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def set_webhook(self, params: Params, files: Files) -> bool:
        if not params.get("url"):
            return self.delete_webhook(params, files)
        self.webhook = {key: value for key, value in params.items() if key != "certificate"}
        if params.get("drop_pending_updates"):
            self.updates = []
        return True

    def delete_webhook(self, params: Params, files: Files) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates"):
            self.updates = []
        return True

    def get_webhook_info(self, params: Params, files: Files) -> Params:
        return {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }

    def send_message(self, params: Params, files: Files) -> Params:
        chat_id = self._chat_id(params)
        parsed = render_text(params.get("text"), params.get("parse_mode"), limit=MAX_TEXT_LENGTH)
        message = SentMessage(
            chat_id=chat_id,
            message_id=next(self._ids),
            text=params["text"],
            parse_mode=params.get("parse_mode"),
            plain_text=parsed.text,
            entities=parsed.entities or list(params.get("entities") or []),
            reply_markup=check_reply_markup(params.get("reply_markup")),
        )
        self.messages.setdefault(chat_id, {})[message.message_id] = message
        return self._sent_message_dict(message)

    def edit_message_text(self, params: Params, files: Files) -> Params | bool:
        parsed = render_text(params.get("text"), params.get("parse_mode"), limit=MAX_TEXT_LENGTH)
        markup = check_reply_markup(params.get("reply_markup"))
        if params.get("inline_message_id"):
            return True
        chat_id = self._chat_id(params)
        old = self.messages.get(chat_id, {}).get(params.get("message_id", -1))
        if old is None:
            raise bad_request("message to edit not found")
        entities = parsed.entities or list(params.get("entities") or [])
        if (parsed.text, entities, markup) == (old.plain_text, old.entities, old.reply_markup):
            raise TelegramApiError(NOT_MODIFIED)
        new = replace(
            old,
            text=params["text"],
            parse_mode=params.get("parse_mode"),
            plain_text=parsed.text,
            entities=entities,
            reply_markup=markup,
            edits=old.edits + 1,
        )
        self.messages[chat_id][new.message_id] = new
        return self._sent_message_dict(new)

    def send_chat_action(self, params: Params, files: Files) -> bool:
        self._chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def answer_callback_query(self, params: Params, files: Files) -> bool:
        if not params.get("callback_query_id"):
            raise bad_request("QUERY_ID_INVALID")
        return True

    def answer_inline_query(self, params: Params, files: Files) -> bool:
        results = params.get("results") or []
        if len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        for result in results:
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                render_text(
                    content["message_text"], content.get("parse_mode"), limit=MAX_TEXT_LENGTH
                )
            check_reply_markup(result.get("reply_markup"))
        return True

    def send_document(self, params: Params, files: Files) -> Params:
        chat_id = self._chat_id(params)
        caption = params.get("caption")
        parsed = render_text(
            caption, params.get("parse_mode"), limit=MAX_CAPTION_LENGTH, caption=True
        )
        markup = check_reply_markup(params.get("reply_markup"))
        stored = self._document_file(params, files)
        sent = SentDocument(
            chat_id=chat_id,
            message_id=next(self._ids),
            file_id=stored.file_id,
            file_name=stored.file_name,
            data=stored.data,
            mime_type=stored.mime_type,
            caption=caption,
            parse_mode=params.get("parse_mode"),
        )
        self.documents.setdefault(chat_id, []).append(sent)
        return self._message_dict(
            chat_id,
            sent.message_id,
            document=stored.document(),
            caption=parsed.text,
            caption_entities=parsed.entities,
            reply_markup=markup,
        )

    def get_file(self, params: Params, files: Files) -> Params:
        stored = self.files.get(str(params.get("file_id", "")))
        if stored is None:
            raise bad_request("invalid file_id")
        if len(stored.data) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": stored.file_id,
            "file_unique_id": f"u{stored.file_id}",
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def set_my_commands(self, params: Params, files: Files) -> bool:
        commands = list(params.get("commands") or [])
        check_commands(commands)
        self.commands[_commands_key(params)] = commands
        return True

    def get_my_commands(self, params: Params, files: Files) -> list[Params]:
        return self.commands.get(_commands_key(params), [])

    def delete_my_commands(self, params: Params, files: Files) -> bool:
        self.commands.pop(_commands_key(params), None)
        return True

    def ok(self, params: Params, files: Files) -> bool:
        return True


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), str(params.get("language_code", ""))


Handler = Callable[[BotApiState, Params, Files], Any]

# Lower-cased method name -> handler; Telegram method names are case-insensitive.
# getUpdates is served by FakeTelegram itself (async long poll).
HANDLERS: dict[str, Handler] = {
    "getme": BotApiState.get_me,
    "setwebhook": BotApiState.set_webhook,
    "deletewebhook": BotApiState.delete_webhook,
    "getwebhookinfo": BotApiState.get_webhook_info,
    "sendmessage": BotApiState.send_message,
    "editmessagetext": BotApiState.edit_message_text,
    "sendchataction": BotApiState.send_chat_action,
    "answercallbackquery": BotApiState.answer_callback_query,
    "answerinlinequery": BotApiState.answer_inline_query,
    "senddocument": BotApiState.send_document,
    "getfile": BotApiState.get_file,
    "setmycommands": BotApiState.set_my_commands,
    "getmycommands": BotApiState.get_my_commands,
    "deletemycommands": BotApiState.delete_my_commands,
    "close": BotApiState.ok,
    "logout": BotApiState.ok,
}
