"""Logging for the entry points: ids and numbers at INFO, never tokens or question text."""

from __future__ import annotations

import logging


def configure_logging(level: str = "INFO") -> None:
    """Configure the root logger once, and quiet libraries that log secrets or noise."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        level=getattr(logging, level, logging.INFO),
    )
    # httpx logs every request URL at INFO, and Telegram URLs contain the bot token.
    for noisy in ("httpx", "httpcore", "chromadb", "telegram.ext.Updater", "apscheduler", "bm25s"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
