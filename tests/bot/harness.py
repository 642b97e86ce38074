"""Run the real bot Application against the fake Bot API and wait for what users see."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Bot

from bot.settings import Settings
from bot.telegram.app import ALLOWED_UPDATES, BotApplication, build_application
from bot.telegram.context import SERVICES_KEY, Services
from retrieval import Answerer
from tests.helpers.fake_telegram import Call, FakeTelegram, SentDocument, SentMessage
from tests.helpers.telegram_updates import BOT_USERNAME, text_update

TOKEN = "123456:TEST-secret-token"
ADMIN_ID = 4242
REPLY_TIMEOUT = 60.0  # generous: the machine may be busy; nothing asserts on time
# The lead for "5K là gì?": whose notice, then the definition as the paragraph writes it.
FIVE_K = (
    "Gia Lai, thông báo kết luận 16/9/2021: "
    "5K là “Khẩu trang - Khử khuẩn - Khoảng cách - Không tập trung - Khai báo y tế”"
)


def buttons(message: SentMessage) -> list[tuple[str, str]]:
    """(text, callback data) of every inline button, row by row."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return [(b["text"], b.get("callback_data", "")) for row in rows for b in row]


def bot_settings(url: str, data_dir: Path, **env: str) -> Settings:
    """Settings for a bot that talks to the fake Bot API at `url`."""
    return Settings.from_env(
        {
            "CHITHI_DATA_DIR": str(data_dir),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "CHITHI_TELEGRAM_API_URL": f"{url}/bot",
            "CHITHI_ADMIN_IDS": str(ADMIN_ID),
            **env,
        }
    )


def chat_of(update: dict[str, Any]) -> int:
    """The chat id an update belongs to."""
    for key in ("message", "callback_query"):
        if key in update:
            message = update[key].get("message", update[key])
            return int(message["chat"]["id"])
    raise ValueError(f"update has no chat: {sorted(update)}")


class RunningBot:
    """A started Application plus helpers to send updates and collect replies."""

    def __init__(self, app: BotApplication, fake: FakeTelegram) -> None:
        self.app = app
        self.fake = fake
        self.username = BOT_USERNAME

    async def send(self, update: dict[str, Any], *, replies: int = 1) -> list[SentMessage]:
        """Queue an update and return the next `replies` text messages in its chat."""
        chat_id = chat_of(update)
        before = len(self.fake.messages(chat_id))
        self.fake.queue_update(update)
        return await self.replies(chat_id, before, replies)

    async def replies(self, chat_id: int, before: int, count: int) -> list[SentMessage]:
        """Wait until the chat has `count` messages after the first `before`."""
        await self.fake.await_for(
            lambda call: len(self.fake.messages(chat_id)) >= before + count,
            timeout=REPLY_TIMEOUT,
        )
        return self.fake.messages(chat_id)[before:]

    @property
    def services(self) -> Services:
        """What the handlers share (the log, the bookkeeper, ...)."""
        services: Services = self.app.bot_data[SERVICES_KEY]
        return services

    async def settled(self) -> None:
        """Wait for the log writes that follow the replies sent so far."""
        await self.services.books.settled(timeout=REPLY_TIMEOUT)

    async def send_for_document(self, update: dict[str, Any]) -> SentDocument:
        """Queue an update and return the document the bot sends in reply."""
        chat_id = chat_of(update)
        before = len(self.fake.documents(chat_id))
        self.fake.queue_update(update)
        await self.fake.await_for(
            lambda call: len(self.fake.documents(chat_id)) > before, timeout=REPLY_TIMEOUT
        )
        return self.fake.documents(chat_id)[before]

    async def call(self, update: dict[str, Any], method: str) -> Call:
        """Queue an update and return the bot's next successful call of `method`."""
        count = len([c for c in self.fake.calls(method) if c.status == 200]) + 1
        self.fake.queue_update(update)
        return await self.fake.await_for(method, count=count, timeout=REPLY_TIMEOUT)


@asynccontextmanager
async def running(
    app: BotApplication, fake: FakeTelegram, *, webhook: dict[str, Any] | None = None
) -> AsyncIterator[RunningBot]:
    """Start the app as ``run_polling``/``run_webhook`` would, and stop it cleanly."""
    async with app:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        assert app.updater is not None
        if webhook is None:
            await app.updater.start_polling(
                poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
            )
        else:
            await app.updater.start_webhook(**webhook)
        try:
            yield RunningBot(app, fake)
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)


@asynccontextmanager
async def started_bot(
    fake: FakeTelegram,
    url: str,
    answerer: Answerer,
    data_dir: Path,
    *,
    typing_delay: float = 0.3,
    **env: str,
) -> AsyncIterator[RunningBot]:
    """Build the bot from settings and run it in polling mode."""
    app = build_application(bot_settings(url, data_dir, **env), answerer, typing_delay=typing_delay)
    async with running(app, fake) as bot:
        yield bot


def wait_until(predicate: Any, timeout: float = REPLY_TIMEOUT) -> None:
    """Block until predicate() is true (for the subprocess tests)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


@asynccontextmanager
async def plain_bot(tg: FakeTelegram, url: str, token: str, chat_id: int) -> AsyncIterator[Bot]:
    """A bare telegram.Bot on the fake Bot API, for delivery tests without an Application."""
    tg.queue_update(text_update("xin chào", chat_id))  # the fake knows chats from updates
    async with Bot(token, base_url=f"{url}/bot") as bot:
        yield bot
