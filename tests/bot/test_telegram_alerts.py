"""Alerts: chats follow provinces (/theodoi, /huy) and get one message per new notice version.

The real Application against the local Bot API, which enforces Telegram's flood limits here;
the admin uploads the notice as on Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from bot import messages
from bot.alerts import AlertStore
from tests.bot.harness import ADMIN_ID, RunningBot, buttons
from tests.bot.test_telegram_admin import MARKET, send_upload, upload
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import callback_update, text_update

BEN_TRE = "🔔 Văn bản mới của Bến Tre:"
SETTLE_SECONDS = 2.0  # a broadcaster idles 1 s between looks: anything more would be a bug


@pytest.fixture
def limited(tg: FakeTelegram) -> Iterator[FakeTelegram]:
    """The local Bot API with Telegram's flood limits on, for this test."""
    tg.enforce_flood_limits = True
    yield tg
    tg.enforce_flood_limits = False


def alerts_in(tg: FakeTelegram, chat_id: int) -> list[Any]:
    return [m for m in tg.messages(chat_id) if m.plain_text.startswith("🔔 Văn bản")]


async def follow(bot: RunningBot, chat_id: int, province: str) -> str:
    [reply] = await bot.send(text_update(f"/theodoi {province}", chat_id, chat_id))
    return reply.plain_text


async def wait_alerts(tg: FakeTelegram, chats: list[int]) -> None:
    await tg.await_for(lambda _: all(alerts_in(tg, c) for c in chats), timeout=60)
    await asyncio.sleep(SETTLE_SECONDS)


async def test_followers_get_one_alert_each_and_others_none(
    admin_bot: RunningBot, limited: FakeTelegram
) -> None:
    followers, other, nobody = [2001, 2002], 2003, 2004
    for chat in followers:
        assert (await follow(admin_bot, chat, "ben tre")).startswith("🔔 Đã theo dõi Bến Tre.")
    await follow(admin_bot, other, "Gia Lai")
    await admin_bot.send(text_update("/start", nobody, nobody))

    added = await send_upload(admin_bot, upload(limited, "ben-tre-cho.txt", MARKET.encode()))
    assert added.startswith(messages.UPLOAD_ADDED)
    await wait_alerts(limited, followers)
    for chat in followers:
        [alert] = alerts_in(limited, chat)
        lines = alert.plain_text.splitlines()
        assert lines[0] == BEN_TRE
        assert lines[1].startswith("Thông báo kết luận của Ban Chỉ đạo phòng, chống dịch tỉnh")
        assert lines[2] == "Ngày 5/3/2022"
        assert lines[3] == "Điểm chính:"
        assert lines[4].startswith("• Chợ đầu mối Bình Điền mở cửa từ 4 giờ đến 10 giờ sáng")
        assert buttons(alert) == [("❓ Hỏi về văn bản này", "a:ben-tre-cho"),
                                  ("📎 Văn bản gốc", "d:ben-tre-cho")]  # fmt: skip
    assert not alerts_in(limited, other)
    assert not alerts_in(limited, nobody)

    again = await send_upload(admin_bot, upload(limited, "ben-tre-cho.txt", MARKET.encode()))
    assert again.startswith(messages.UPLOAD_UNCHANGED)
    changed = MARKET.replace("10 giờ sáng", "11 giờ trưa").encode()
    await send_upload(admin_bot, upload(limited, "ben-tre-cho.txt", changed))
    await limited.await_for(lambda _: len(alerts_in(limited, 2001)) == 2, timeout=60)
    await asyncio.sleep(SETTLE_SECONDS)
    for chat in followers:  # the unchanged file sent nothing; the new version one alert
        assert [a.plain_text.splitlines()[0] for a in alerts_in(limited, chat)] == [
            BEN_TRE, "🔔 Văn bản của Bến Tre vừa được cập nhật:"
        ]  # fmt: skip


async def test_ask_about_this_document_narrows_the_next_questions_until_cleared(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    chat = 2101
    await follow(admin_bot, chat, "Bến Tre")
    await send_upload(admin_bot, upload(tg, "ben-tre-cho.txt", MARKET.encode()))
    await wait_alerts(tg, [chat])
    [focus] = await admin_bot.send(callback_update("a:ben-tre-cho", chat, chat))
    assert focus.plain_text.startswith("Các câu hỏi tiếp theo ở đây chỉ tìm trong văn bản: ")
    [answer] = await admin_bot.send(text_update("5K là gì?", chat, chat))
    assert "Gia Lai" not in answer.plain_text  # 5K is Gia Lai's; this chat asks the market
    [cleared] = await admin_bot.send(text_update("/boloc", chat, chat))
    assert cleared.plain_text == messages.FOCUS_CLEARED
    [answer] = await admin_bot.send(text_update("5K là gì?", chat, chat))
    assert "Gia Lai" in answer.plain_text


async def test_theodoi_lists_huy_and_its_button_cancel(bot: RunningBot) -> None:
    chat = 2201
    assert (await follow(bot, chat, "Atlantis")).startswith("Không biết tỉnh “Atlantis”")
    await follow(bot, chat, "Gia Lai")
    assert (await follow(bot, chat, "gia lai")) == "Cuộc trò chuyện này đã theo dõi Gia Lai."
    await follow(bot, chat, "tphcm")  # a province with no notice yet can be followed
    [listing] = await bot.send(text_update("/theodoi", chat, chat))
    assert listing.plain_text.startswith("Cuộc trò chuyện này đang theo dõi: Gia Lai, TP. Hồ Chí")
    assert buttons(listing) == [
        ("🔕 Thôi theo dõi Gia Lai", "u:Gia Lai"),
        ("🔕 Thôi theo dõi TP. Hồ Chí Minh", "u:TP. Hồ Chí Minh"),
    ]
    [done] = await bot.send(callback_update("u:Gia Lai", chat, chat))
    assert done.plain_text == "Đã thôi theo dõi Gia Lai."
    [done] = await bot.send(text_update("/huy Sài Gòn", chat, chat))
    assert done.plain_text == "Đã thôi theo dõi TP. Hồ Chí Minh."
    [none] = await bot.send(text_update("/theodoi", chat, chat))
    assert none.plain_text.startswith("Cuộc trò chuyện này chưa theo dõi tỉnh nào.")


async def test_a_429_is_waited_out_and_a_403_unsubscribes_that_chat(
    admin_bot: RunningBot, limited: FakeTelegram
) -> None:
    chats = [2301, 2302, 2303]
    for chat in chats:
        await follow(admin_bot, chat, "Bến Tre")
    limited.block(2302)
    limited.fail_next("sendMessage", 429, retry_after=1, times=2)
    await send_upload(admin_bot, upload(limited, "ben-tre-cho.txt", MARKET.encode()))
    await wait_alerts(limited, [2301, 2303])
    assert [len(alerts_in(limited, c)) for c in chats] == [1, 0, 1]
    assert any(c.status == 429 for c in limited.calls("sendMessage"))
    store = AlertStore(admin_bot.app.bot_data["services"].log.database)
    assert store.subscriptions(2302) == []  # blocked the bot: no longer followed
    assert store.subscriptions(2301) == ["Bến Tre"]
    counts = store.counts()
    assert (counts.sent, counts.gone, counts.pending, counts.unknown) == (2, 1, 0, 0)
    stats, _gaps = await admin_bot.send(text_update("/thongke", ADMIN_ID, ADMIN_ID), replies=2)
    assert (
        "Tin báo văn bản mới (từ trước đến nay)\nĐã gửi: 2 · Đang chờ: 0 · Người dùng đã chặn"
        " bot: 1" in stats.plain_text
    )
