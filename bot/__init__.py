"""Front ends and wiring: settings, CLI, Telegram handlers, user-facing Vietnamese text."""

from bot.settings import Settings

__all__ = ["Settings"]
