"""Replicas on several hosts, sharing nothing but one PostgreSQL database (CHITHI_DATABASE_URL).

Each replica builds its stores from its own Settings, as `chithi bot` and `chithi serve` do:
its own data folder, the same database URL. What one replica records, the other reads; an
alert is sent by one of them, once to each follower, whichever replica queued it; and a chat
that moves from one host's bot to the other's goes on where it was.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from telegram import Bot

from bot import messages
from bot.alerts import AlertStore
from bot.chat_log import ChatLog
from bot.conversations import ConversationStore
from bot.database import PostgresDatabase
from bot.errors import ConfigError
from bot.settings import Settings
from bot.telegram.broadcast import Broadcaster
from bot.telegram.marking import MarkingRequest
from bot.wiring import build_conversations, build_database
from retrieval import Answer, Answerer, Turn
from tests.bot.harness import TOKEN, buttons, started_bot
from tests.bot.test_followups import AN_BIEN, RACH_GIA, READ_AS_RACH_GIA
from tests.helpers.fake_telegram import Call, FakeTelegram
from tests.helpers.postgres import PostgresServer
from tests.helpers.telegram_updates import callback_update, text_update

FOLLOWERS = list(range(800_001, 800_031))


@dataclass
class Replica:
    """The stores one process builds from its settings."""

    settings: Settings
    log: ChatLog
    alerts: AlertStore
    conversations: ConversationStore


def replica(data_dir: Path, url: str) -> Replica:
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(data_dir), "CHITHI_DATABASE_URL": url})
    database = build_database(settings)
    return Replica(settings, ChatLog(database), AlertStore(database), build_conversations(settings))


@pytest.fixture
def replicas(postgres: PostgresServer, tmp_path: Path) -> tuple[Replica, Replica]:
    url = postgres.create_database()
    return replica(tmp_path / "host-a", url), replica(tmp_path / "host-b", url)


def test_two_replicas_share_follows_the_question_log_and_conversations(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    assert a.alerts.subscribe(7, "Gia Lai")
    assert not b.alerts.subscribe(7, "Gia Lai")  # already followed, through the other replica
    assert b.alerts.subscriptions(7) == ["Gia Lai"]
    key = a.log.record(Answer("5K là gì?", "answered", "x"), user_id=7, chat_id=7,
                       chat_type="private")  # fmt: skip
    b.log.record_feedback(key, 7, helpful=True)  # the 👍 button reached the other replica
    assert b.log.question(key, 7) == "5K là gì?"
    assert (a.log.stats().asked, a.log.stats().helpful) == (1, 1)
    a.conversations.add("tg:7", Turn("Huyện An Biên giãn cách theo chỉ thị nào?", ("001",)))
    assert b.conversations.load("tg:7").last == Turn(
        "Huyện An Biên giãn cách theo chỉ thị nào?", ("001",)
    )
    for host in (a, b):  # nothing of it on either host's disk
        assert not (host.settings.data_dir / "questions.sqlite3").exists()


def test_of_many_replicas_racing_for_the_alert_lease_one_holds_it(
    replicas: tuple[Replica, Replica],
) -> None:
    a, b = replicas
    stores = [a.alerts, b.alerts, AlertStore(a.alerts.database), AlertStore(b.alerts.database)]
    start = threading.Barrier(len(stores))
    winners: list[str] = []

    def race(n: int) -> None:
        start.wait()
        for _ in range(10):
            if stores[n].hold_lease(f"replica-{n}", 60):
                winners.append(f"replica-{n}")

    threads = [threading.Thread(target=race, args=(n,)) for n in range(len(stores))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(winners)) == 1  # the first holder renews it; nobody else gets it
    assert len(winners) == 10


def alerts_sent(fake: FakeTelegram, text: str) -> dict[int, int]:
    """Chat -> how many times the Bot API accepted `text` for it."""
    counts: dict[int, int] = {}
    for call in fake.calls("sendMessage"):
        if call.status == 200 and call.params.get("text") == text:
            chat = int(call.params["chat_id"])
            counts[chat] = counts.get(chat, 0) + 1
    return counts


async def test_two_replicas_broadcasting_send_each_alert_once_and_one_carries_on_alone(
    replicas: tuple[Replica, Replica], tg: FakeTelegram, url: str
) -> None:
    a, b = replicas
    a.alerts.subscribe_many(FOLLOWERS, "Bến Tre")

    def delivered(text: str) -> Callable[[Call], bool]:
        return lambda call: len(alerts_sent(tg, text)) == len(FOLLOWERS)

    async with (
        Bot(TOKEN, base_url=f"{url}/bot", request=MarkingRequest()) as bot_a,
        Bot(TOKEN, base_url=f"{url}/bot", request=MarkingRequest()) as bot_b,
    ):
        sender_a = Broadcaster(a.alerts, bot_a, lease_seconds=5)
        sender_b = Broadcaster(b.alerts, bot_b, lease_seconds=5)
        task_a = asyncio.create_task(sender_a.run())
        task_b = asyncio.create_task(sender_b.run())
        try:
            assert b.alerts.queue("bt", "v1", "Bến Tre", "Chợ Bến Tre mở lại") == len(FOLLOWERS)
            await tg.await_for(delivered("Chợ Bến Tre mở lại"), timeout=60)
            sender_a.stop()  # host A is shut down cleanly: it gives the lease up
            await task_a
            assert a.alerts.queue("bt", "v2", "Bến Tre", "Chợ Bến Tre đóng") == len(FOLLOWERS)
            await tg.await_for(delivered("Chợ Bến Tre đóng"), timeout=60)
        finally:
            sender_a.stop()
            sender_b.stop()
            await asyncio.gather(task_a, task_b)
    for text in ("Chợ Bến Tre mở lại", "Chợ Bến Tre đóng"):
        sent = alerts_sent(tg, text)
        assert sorted(sent) == FOLLOWERS
        assert set(sent.values()) == {1}
    counts = b.alerts.counts()
    assert (counts.sent, counts.pending, counts.claimed, counts.sending) == (
        2 * len(FOLLOWERS), 0, 0, 0,
    )  # fmt: skip


def test_the_database_password_is_never_shown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "pa55-word-never-logged"
    url = f"postgresql://chithi:{secret}@/nowhere?host={tmp_path}"  # no server there
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(tmp_path), "CHITHI_DATABASE_URL": url})
    assert secret not in repr(settings)
    assert secret not in repr(build_database(settings))
    assert secret not in repr(PostgresDatabase(f"postgresql:///chithi?password={secret}&host=h"))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(Exception) as failure:  # noqa: PT011 - whatever the driver raises
        ChatLog(build_database(settings))
    assert secret not in str(failure.value)
    assert secret not in caplog.text
    for wrong in (f"mysql://chithi:{secret}@db/chithi", f"postgresql://chithi:{secret}%zz@db/x"):
        with pytest.raises(ConfigError) as bad:
            Settings.from_env({"CHITHI_DATABASE_URL": wrong})
        assert "CHITHI_DATABASE_URL" in str(bad.value)
        assert secret not in str(bad.value)
        assert secret not in "".join(traceback.format_exception(bad.value))


async def test_a_chat_moves_between_bots_on_two_hosts_and_nothing_is_lost(
    postgres: PostgresServer, tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    """The Telegram front end on PostgreSQL: host B's bot reads what host A's bot recorded."""
    database_url = postgres.create_database()
    async with started_bot(
        tg, url, answerer, tmp_path / "host-a", CHITHI_DATABASE_URL=database_url
    ) as on_a:
        [answer] = await on_a.send(text_update(AN_BIEN))
        await on_a.send(text_update("/theodoi Gia Lai"))
    async with started_bot(
        tg, url, answerer, tmp_path / "host-b", CHITHI_DATABASE_URL=database_url
    ) as on_b:
        [follow_up] = await on_b.send(text_update(RACH_GIA))
        thanks = await on_b.call(callback_update(dict(buttons(answer))["👍 Hữu ích"]),
                                 "answerCallbackQuery")  # fmt: skip
        [listing] = await on_b.send(text_update("/theodoi"))
    assert follow_up.plain_text.startswith(READ_AS_RACH_GIA)
    assert thanks.params["text"] == messages.FEEDBACK_THANKS
    assert listing.plain_text.startswith("Cuộc trò chuyện này đang theo dõi: Gia Lai")
    stats = ChatLog(PostgresDatabase(database_url)).stats()
    assert (stats.asked, stats.helpful) == (2, 1)
    assert not list(tmp_path.glob("host-*/questions.sqlite3"))


def test_the_urls_own_options_are_kept(postgres: PostgresServer) -> None:
    """An operator's `options` in the URL (here a schema of its own) still apply."""
    url = postgres.create_database()
    with PostgresDatabase(url).connect() as conn:
        conn.execute("CREATE SCHEMA chithi")
    ChatLog(PostgresDatabase(f"{url}&options=-c%20search_path%3Dchithi")).set_province(1, "Huế")
    with PostgresDatabase(url).connect() as conn:
        [(schema,)] = conn.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = ?",
            ("chat_settings",),
        ).fetchall()
    assert schema == "chithi"
