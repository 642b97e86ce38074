"""Test helpers: fake Telegram and OpenAI servers, update builders, embedders.

Import from the modules, e.g. ``from tests.helpers.fake_telegram import FakeTelegram``.
"""
