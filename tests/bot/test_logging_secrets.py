"""No secret in any log line at any level: the bot run at DEBUG, its whole log read back."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logging_setup import configure_logging
from retrieval import Answerer
from tests.bot.harness import FIVE_K, TOKEN, bot_settings, started_bot
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import text_update

ADMIN_TOKEN = "web-admin-secret-1234"


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """Everything logged during the test, at DEBUG, through the app's own set-up."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    formatters = [h.formatter for h in handlers]
    quiet = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "telegram")}
    out = io.StringIO()
    yield out
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    for handler, formatter in zip(handlers, formatters, strict=True):
        handler.setFormatter(formatter)
    root.setLevel(level)
    for name, was in quiet.items():
        logging.getLogger(name).setLevel(was)


async def test_the_bot_token_is_in_no_line_even_at_debug(
    debug_log: io.StringIO, tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    settings = bot_settings(url, tmp_path, CHITHI_ADMIN_TOKEN=ADMIN_TOKEN)
    configure_logging("DEBUG", secrets=settings.secrets, stream=debug_log)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # even a library's URL lines
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    async with started_bot(tg, url, answerer, tmp_path, CHITHI_ADMIN_TOKEN=ADMIN_TOKEN) as bot:
        [answer] = await bot.send(text_update("5K là gì?"))
        assert answer.plain_text.startswith(FIVE_K)
    logged = debug_log.getvalue()
    assert "Set Bot API URL" in logged  # PTB's DEBUG line that carried the token
    assert "HTTP Request: POST" in logged  # httpx's URL lines, at DEBUG here
    assert "[secret]" in logged
    assert TOKEN not in logged
    assert TOKEN.split(":")[1] not in logged
    assert ADMIN_TOKEN not in logged


def test_secrets_are_what_settings_keep_out_of_repr(tmp_path: Path) -> None:
    settings = bot_settings("http://127.0.0.1:1", tmp_path, CHITHI_ADMIN_TOKEN=ADMIN_TOKEN,
                            OPENAI_API_KEY="sk-test-key")  # fmt: skip
    assert set(settings.secrets) == {TOKEN, ADMIN_TOKEN, "sk-test-key"}
    for secret in settings.secrets:
        assert secret not in repr(settings)
