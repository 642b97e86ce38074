"""Follow-ups in the front ends: Telegram chats and groups, /moi, a restart, two replicas.

The conversation lives in the question log's database, not in a process: a bot restarted
on the same data folder, and a second web replica, read the same one.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot import messages
from bot.conversations import ConversationStore
from bot.database import Database, PostgresDatabase, SQLiteDatabase
from bot.settings import Settings
from bot.web import build_app
from retrieval import Answerer, Turn
from tests.bot.harness import RunningBot, buttons, started_bot
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import GROUP_CHAT_ID, callback_update, text_update

AN_BIEN = "Huyện An Biên giãn cách theo chỉ thị nào?"
RACH_GIA = "Còn Rạch Giá thì sao?"
READ_AS_RACH_GIA = messages.UNDERSTOOD_AS.format(question="Rạch Giá giãn cách theo chỉ thị nào?")


async def test_a_follow_up_in_a_private_chat_says_how_it_was_read(bot: RunningBot) -> None:
    await bot.send(text_update(AN_BIEN))
    [reply] = await bot.send(text_update(RACH_GIA))
    text = reply.plain_text
    assert text.startswith(READ_AS_RACH_GIA + "\n")
    assert "Chỉ thị 16/CT-TTg" in text
    assert messages.ASK_ALONE_BUTTON in [label for label, _ in buttons(reply)]


async def test_ask_alone_answers_the_message_as_it_is(bot: RunningBot) -> None:
    await bot.send(text_update(AN_BIEN))
    [reply] = await bot.send(text_update(RACH_GIA))
    data = dict(buttons(reply))[messages.ASK_ALONE_BUTTON]
    [alone] = await bot.send(callback_update(data))
    assert messages.UNDERSTOOD_AS.split(":")[0] not in alone.plain_text
    # ... and the conversation starts over: the next message is not a follow-up either.
    [next_reply] = await bot.send(text_update(RACH_GIA))
    assert not next_reply.plain_text.startswith(READ_AS_RACH_GIA)


async def test_a_forged_ask_alone_button_answers_nothing(bot: RunningBot) -> None:
    await bot.send(text_update(AN_BIEN))
    [reply] = await bot.send(text_update(RACH_GIA))
    data = dict(buttons(reply))[messages.ASK_ALONE_BUTTON]
    other_chat = callback_update(data, chat_id=777, user_id=777)
    call = await bot.call(other_chat, "answerCallbackQuery")
    assert call.status == 200
    assert bot.fake.messages(777) == []


async def test_moi_starts_over(bot: RunningBot) -> None:
    await bot.send(text_update(AN_BIEN))
    [done] = await bot.send(text_update("/moi"))
    assert done.plain_text == messages.CONTEXT_RESET
    [reply] = await bot.send(text_update(RACH_GIA))
    assert not reply.plain_text.startswith(READ_AS_RACH_GIA)


def group_text(text: str, user_id: int) -> dict[str, object]:
    return text_update(f"@chithi_test_bot {text}", GROUP_CHAT_ID, user_id, chat_type="supergroup")


async def test_in_a_group_each_member_has_a_conversation_of_their_own(bot: RunningBot) -> None:
    await bot.send(group_text("Kiên Giang giãn cách theo chỉ thị nào?", 3001))
    await bot.send(group_text("Cách ly tập trung bao nhiêu ngày ở Gia Lai?", 3002))
    [first] = await bot.send(group_text("còn Rạch Giá thì sao?", 3001))
    [second] = await bot.send(group_text("bắt đầu từ ngày nào?", 3002))
    assert "Rạch Giá (Kiên Giang) giãn cách theo chỉ thị nào?" in first.plain_text.splitlines()[0]
    assert "Cách ly tập trung" in second.plain_text.splitlines()[0]
    assert "Gia Lai" in second.plain_text.splitlines()[0]


async def test_a_conversation_survives_a_restart_of_the_bot(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path / "data") as bot:
        await bot.send(text_update(AN_BIEN))
    async with started_bot(tg, url, answerer, tmp_path / "data") as restarted:
        [reply] = await restarted.send(text_update(RACH_GIA))
    assert reply.plain_text.startswith(READ_AS_RACH_GIA)


@pytest.fixture
def replicas(
    bundled_index_dir: Path, tmp_path: Path, database: Database
) -> Iterator[tuple[TestClient, TestClient]]:
    """Two web API processes' apps, as replicas behind a balancer.

    On one host sharing the data folder (SQLite), or on two hosts, each with its own data
    folder, sharing one PostgreSQL database.
    """
    hosts = ["data"] if isinstance(database, SQLiteDatabase) else ["host-a", "host-b"]
    settings = []
    for host in hosts:
        shutil.copytree(bundled_index_dir, tmp_path / host)
        env = {"CHITHI_DATA_DIR": str(tmp_path / host)}
        if isinstance(database, PostgresDatabase):
            env["CHITHI_DATABASE_URL"] = database.url
        settings.append(Settings.from_env(env))
    with (
        TestClient(build_app(settings[0])) as one,
        TestClient(build_app(settings[-1])) as two,
    ):
        yield one, two


def test_a_follow_up_sent_to_another_replica_is_read_in_context(
    replicas: tuple[TestClient, TestClient],
) -> None:
    one, two = replicas
    first = one.post("/api/ask", json={"question": AN_BIEN, "conversation_id": "tab-1"})
    assert first.status_code == 200
    follow = two.post("/api/ask", json={"question": RACH_GIA, "conversation_id": "tab-1"})
    assert follow.json()["understood_as"] == "Rạch Giá giãn cách theo chỉ thị nào?"
    other = two.post("/api/ask", json={"question": RACH_GIA, "conversation_id": "tab-2"})
    assert "understood_as" not in other.json()
    without = two.post("/api/ask", json={"question": RACH_GIA})
    assert "understood_as" not in without.json()


def test_a_bad_conversation_id_is_refused_with_a_reason(
    replicas: tuple[TestClient, TestClient],
) -> None:
    one, _ = replicas
    for bad in ("x" * 65, "có dấu", 42):
        response = one.post("/api/ask", json={"question": "5K là gì?", "conversation_id": bad})
        assert response.status_code == 400
        assert response.json() == {"error": messages.WEB_BAD_CONVERSATION}


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def test_a_conversation_is_forgotten_after_a_silence_and_keeps_few_turns(
    database: Database,
) -> None:
    clock = Clock()
    store = ConversationStore(database, clock=clock)
    for n in range(6):
        store.add("tg:1", Turn(f"câu {n}?", ("doc",)))
    assert [t.question for t in store.load("tg:1").turns] == [
        "câu 2?",
        "câu 3?",
        "câu 4?",
        "câu 5?",
    ]
    clock.now += dt.timedelta(minutes=29)
    assert store.load("tg:1").last == Turn("câu 5?", ("doc",))
    clock.now += dt.timedelta(minutes=2)
    assert store.load("tg:1").turns == ()
    assert store.forget_silent() == 1


def test_two_stores_on_one_database_share_conversations_and_survive_damage(
    database: Database,
) -> None:
    one = ConversationStore(database)
    two = ConversationStore(database)
    one.add("web:a", Turn("5K là gì?", ("000",), place=None))
    assert two.load("web:a").last == Turn("5K là gì?", ("000",))
    two.reset("web:a")
    assert one.load("web:a").turns == ()
    with database.connect() as conn:  # a damaged record: starts over
        conn.execute("INSERT INTO conversations VALUES ('web:b', '2099-01-01T00:00:00+00:00', '{')")
    assert one.load("web:b").turns == ()
