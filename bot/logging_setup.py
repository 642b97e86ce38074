"""Logging for the entry points: ids and numbers at INFO, never tokens or question text.

No secret reaches a log line at any level: libraries log URLs that hold one (PTB's "Set Bot
API URL: …/bot<token>" at DEBUG, httpx's request lines, an HTTP error's message inside a
traceback), so every line is redacted as it is formatted, message and traceback alike: the
secrets the settings hold, and anything shaped like a Telegram bot token.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "[secret]"
# "123456789:AAH…": a bot id, a colon, 30+ characters of the token alphabet.
_BOT_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}")


class RedactingFormatter(logging.Formatter):
    """A formatter that replaces the given secrets, and any bot token, in the whole line."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        # Longest first, so that a secret containing another is replaced whole.
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        """The line as logging.Formatter makes it, with every secret replaced."""
        return self.redact(super().format(record))

    def redact(self, text: str) -> str:
        """`text` without the secrets and bot tokens."""
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return _BOT_TOKEN.sub(REDACTED, text)


def configure_logging(
    level: str = "INFO", *, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> None:
    """Configure the root logger, redacting `secrets`, and quiet libraries' noise.

    Args:
        level: the root level name (DEBUG, INFO, ...).
        secrets: values never to write (the settings' tokens and keys).
        stream: also write lines there (by default, standard error if nothing else is set up).
    """
    root = logging.getLogger()
    if stream is not None or not root.handlers:  # as logging.basicConfig, and for a given stream
        root.addHandler(logging.StreamHandler(stream))
    root.setLevel(getattr(logging, level, logging.INFO))
    formatter = RedactingFormatter(FORMAT, secrets)
    for handler in root.handlers:  # every line, whichever handler writes it
        handler.setFormatter(formatter)
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token (the
    # formatter redacts it too: this is for the noise).
    for noisy in ("httpx", "httpcore", "chromadb", "telegram.ext.Updater", "apscheduler", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
