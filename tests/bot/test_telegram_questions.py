"""A citizen asks in a private chat: answers with quotes, buttons, not_found, odd input."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from retrieval import Answerer
from tests.bot.harness import FIVE_K, RunningBot, buttons, started_bot
from tests.helpers.fake_telegram import FakeTelegram, SentMessage
from tests.helpers.telegram_updates import (
    DEFAULT_CHAT_ID,
    location_update,
    photo_update,
    sticker_update,
    text_update,
    voice_update,
)


def entity_types(message: SentMessage) -> list[str]:
    return [e["type"] for e in message.entities]


async def test_question_with_diacritics_gets_lead_quotes_and_buttons(bot: RunningBot) -> None:
    [reply] = await bot.send(text_update("5K là gì?"))
    text = reply.plain_text
    assert text.startswith(FIVE_K)
    assert "\n\n[1] Gia Lai · " in text  # the province: whose rule it is
    assert "16/9/2021 · mục 8\nThông báo kết luận của Thường trực Tỉnh ủy" in text
    assert "Khẩu trang - Khử khuẩn - Khoảng cách" in text.split("[1]", 1)[1]
    assert "expandable_blockquote" in entity_types(reply)
    assert reply.parse_mode == "HTML"
    labels = [label for label, _ in buttons(reply)]
    assert labels[0] == "📎 Văn bản gốc [1]"  # the quotes are whole: no "Xem đầy đủ"
    assert not any(label.startswith("📄") for label in labels)
    assert labels[-2:] == ["👍 Hữu ích", "👎 Chưa đúng"]
    data = dict(buttons(reply))
    assert data["📎 Văn bản gốc [1]"] == "d:000_95f2b98f29028119"
    assert all(len(d.encode()) <= 64 for _, d in buttons(reply))


async def test_question_without_diacritics_gets_the_same_answer(bot: RunningBot) -> None:
    [accented] = await bot.send(text_update("5K là gì?"))
    [plain] = await bot.send(text_update("5k la gi"))
    assert plain.plain_text.startswith(FIVE_K)
    assert buttons(plain)[0] == buttons(accented)[0]


async def test_not_found_is_kind_names_the_hotline_and_suggests_topics(bot: RunningBot) -> None:
    [reply] = await bot.send(text_update("Giá vàng SJC hôm nay bao nhiêu?"))
    text = reply.plain_text
    assert "không đề cập" in text
    assert "1900 9095" in text
    assert messages.NOT_FOUND_RELATED in text or messages.NOT_FOUND_EXAMPLES in text
    assert "/vanban" in text
    labels = [label for label, _ in buttons(reply)]
    assert labels == ["👍 Hữu ích", "👎 Chưa đúng"]


async def test_question_full_of_markup_characters_is_answered_safely(
    bot: RunningBot, tg: FakeTelegram
) -> None:
    question = "<b>cach ly</b> & *tap trung* _bao nhieu_ ngay? <script>alert(1)</script> &amp;"
    [reply] = await bot.send(text_update(question))
    assert reply.plain_text
    assert all(call.status == 200 for call in tg.calls("sendMessage"))


async def test_typing_indicator_is_shown_before_a_slow_answer(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path, typing_delay=0) as bot:
        [reply] = await bot.send(text_update("Cách ly tập trung bao nhiêu ngày?"))
    typing = tg.calls("sendChatAction")
    assert typing
    assert typing[0].params == {"chat_id": DEFAULT_CHAT_ID, "action": "typing"}
    [answer_call] = [c for c in tg.calls("sendMessage") if c.status == 200]
    assert typing[0].time <= answer_call.time
    assert reply.reply_markup is not None


async def test_empty_and_too_long_questions_get_a_short_hint(bot: RunningBot) -> None:
    [empty] = await bot.send(text_update("/hoi"))
    assert empty.plain_text == messages.ASK_PROMPT
    [long] = await bot.send(text_update("cách ly " * 130))
    assert long.plain_text.startswith("Câu hỏi dài quá (1039 ký tự)")


@pytest.mark.parametrize("update", [photo_update, sticker_update, voice_update, location_update])
async def test_non_text_messages_get_a_short_helpful_reply(
    bot: RunningBot, update: Callable[[], dict[str, Any]]
) -> None:
    [reply] = await bot.send(update())
    assert reply.plain_text.startswith("Tôi chỉ đọc được câu hỏi bằng chữ.")


async def test_unknown_command_points_to_help(bot: RunningBot) -> None:
    [reply] = await bot.send(text_update("/abc"))
    assert reply.plain_text == messages.UNKNOWN_COMMAND


async def test_one_chat_gets_its_answers_in_the_order_asked(bot: RunningBot) -> None:
    questions = ["5K là gì?", "Giá vàng hôm nay?", "Cách ly tập trung bao nhiêu ngày?"]
    before = len(bot.fake.messages(DEFAULT_CHAT_ID))
    for question in questions:
        bot.fake.queue_update(text_update(question))
    replies = await bot.replies(DEFAULT_CHAT_ID, before, 3)
    assert replies[0].plain_text.startswith(FIVE_K)
    assert "1900 9095" in replies[1].plain_text
    assert "cách ly tập trung" in replies[2].plain_text.lower()
