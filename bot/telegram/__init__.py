"""The Telegram front end: python-telegram-bot handlers, rendering and delivery."""

from bot.telegram.app import build_application, run_bot

__all__ = ["build_application", "run_bot"]
