"""The HTTP API and web console for hotline staff and administrators (`chithi serve`)."""

from bot.web.app import build_app

__all__ = ["build_app"]
