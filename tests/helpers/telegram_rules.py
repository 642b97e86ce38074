"""Telegram's limits and error texts, as the fake Bot API enforces them."""

from __future__ import annotations

from typing import Any

from tests.helpers.telegram_html import EntityParseError, ParsedText, parse_html, utf16_len

__all__ = [
    "CHAT_ACTIONS",
    "MAX_CAPTION_LENGTH",
    "MAX_DOWNLOAD_BYTES",
    "MAX_INLINE_RESULTS",
    "MAX_TEXT_LENGTH",
    "NOT_MODIFIED",
    "TelegramApiError",
    "bad_request",
    "check_commands",
    "check_reply_markup",
    "default_description",
    "render_text",
]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class TelegramApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": status, "description": ...}``."""

    def __init__(
        self, description: str, status: int = 400, parameters: dict[str, Any] | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram sends for this error."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> TelegramApiError:
    """``400 Bad Request: {detail}``."""
    return TelegramApiError(f"Bad Request: {detail}")


def default_description(status: int) -> str:
    """A plausible Telegram description for an error status."""
    return _DESCRIPTIONS.get(status, f"Error {status}")


def render_text(text: Any, parse_mode: Any, *, limit: int, caption: bool = False) -> ParsedText:
    """Parse and check a message text or caption as Telegram does.

    Args:
        text: The ``text`` or ``caption`` parameter.
        parse_mode: ``HTML`` is parsed strictly; Markdown modes are passed through unparsed.
        limit: Maximum length in UTF-16 code units after parsing.
        caption: Captions may be empty and have their own "too long" text.

    Returns:
        The text as a user sees it, with entities.

    Raises:
        TelegramApiError: Empty text, too long, bad parse mode, or unparsable entities.
    """
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    parsed = ParsedText(text)
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            parsed = parse_html(text)
        except EntityParseError as err:
            raise bad_request(f"can't parse entities: {err}") from err
    elif mode not in {"", "markdown", "markdownv2"}:
        raise bad_request("unsupported parse_mode")
    if not caption and not parsed.text.strip():
        raise bad_request("message text is empty")
    if utf16_len(parsed.text) > limit:
        raise bad_request("message caption is too long" if caption else "message is too long")
    return parsed


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate inline keyboard buttons.

    Returns:
        The markup to echo in the sent message (only inline keyboards are echoed), or None.

    Raises:
        TelegramApiError: ``BUTTON_DATA_INVALID`` for callback data outside 1-64 bytes.
    """
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
            if not button.get("text"):
                raise bad_request("BUTTON_TEXT_INVALID")
    return markup


def check_commands(commands: list[dict[str, Any]]) -> None:
    """Validate ``setMyCommands``: names 1-32 of ``a-z0-9_``, descriptions 1-256 chars.

    Raises:
        TelegramApiError: ``BOT_COMMAND_INVALID`` or ``BOT_COMMAND_DESCRIPTION_INVALID``.
    """
    for command in commands:
        name = str(command.get("command", ""))
        if not 1 <= len(name) <= 32 or name.strip("abcdefghijklmnopqrstuvwxyz0123456789_"):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description", ""))) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
