"""Webhook mode (in process), and `chithi bot` run from the command line (polling, webhook)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.telegram.app import build_application, webhook_options
from retrieval import Answerer
from tests.bot.harness import ADMIN_ID, FIVE_K, TOKEN, bot_settings, running, wait_until
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.http_server import free_port
from tests.helpers.telegram_updates import DEFAULT_CHAT_ID, text_update

SECRET = "s3cret-Token_1"


def webhook_env(port: int) -> dict[str, str]:
    return {
        "CHITHI_WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/hook",
        "CHITHI_WEBHOOK_LISTEN": "127.0.0.1",
        "CHITHI_WEBHOOK_PORT": str(port),
        "CHITHI_WEBHOOK_SECRET": SECRET,
    }


async def test_webhook_mode_answers_posted_updates_and_rejects_forged_ones(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    port = free_port()
    settings = bot_settings(url, tmp_path, **webhook_env(port))
    app = build_application(settings, answerer)
    async with running(app, tg, webhook=webhook_options(settings)) as bot:
        assert tg.webhook["url"] == f"http://127.0.0.1:{port}/telegram/hook"
        assert tg.webhook["secret_token"] == SECRET
        assert await tg.post_update_to_webhook(text_update("5K là gì?")) == 200
        [reply] = await bot.replies(DEFAULT_CHAT_ID, 0, 1)
        assert reply.plain_text.startswith(FIVE_K)

        forged = text_update("/xoa 000_95f2b98f29028119", ADMIN_ID, ADMIN_ID)
        async with httpx.AsyncClient(trust_env=False) as client:
            wrong = await client.post(
                tg.webhook["url"], json=forged,
                headers={"X-Telegram-Bot-Api-Secret-Token": "guessed"},
            )  # fmt: skip
            missing = await client.post(tg.webhook["url"], json=forged)
        assert (wrong.status_code, missing.status_code) == (403, 403)
        assert await tg.post_update_to_webhook(text_update("/vanban", ADMIN_ID, ADMIN_ID)) == 200
        [listing] = await bot.replies(ADMIN_ID, 0, 1)
        assert listing.plain_text.startswith("Các văn bản đang có (5)")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
def test_chithi_bot_runs_answers_and_stops_on_ctrl_c_without_logging_secrets(
    tg: FakeTelegram, url: str, index_copy: Path, tmp_path: Path, mode: str
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "CHITHI_DATA_DIR": str(index_copy),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "CHITHI_TELEGRAM_API_URL": f"{url}/bot",
        **(webhook_env(port) if mode == "webhook" else {}),
    }
    question = "Cách ly tập trung bao nhiêu ngày?"
    log = tmp_path / "bot.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", "from bot.cli import cli; cli()", "bot"],
            env=env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            tg.wait_for("setMyCommands", timeout=120)
            if mode == "webhook":
                wait_until(lambda: bool(tg.webhook))
                assert tg.post_update_to_webhook_sync(text_update(question)) == 200
            else:
                tg.queue_update(text_update(question))
            wait_until(lambda: bool(tg.messages(DEFAULT_CHAT_ID)), timeout=120)
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    [reply] = tg.messages(DEFAULT_CHAT_ID)
    assert "cách ly tập trung" in reply.plain_text.lower()
    output_text = log.read_text()
    assert "Answered chat=1001 user=1001 status=answered" in output_text
    assert TOKEN not in output_text
    assert TOKEN.split(":")[1] not in output_text
    assert question not in output_text
    assert SECRET not in output_text
