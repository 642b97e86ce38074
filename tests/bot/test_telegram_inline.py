"""Inline mode: @bot câu hỏi in any chat offers the answer and its quotes."""

from __future__ import annotations

from bot import messages
from tests.bot.harness import RunningBot
from tests.helpers.telegram_updates import inline_update


async def test_inline_query_offers_the_answer_then_each_quote(bot: RunningBot) -> None:
    call = await bot.call(inline_update("5k la gi"), "answerInlineQuery")
    results = call.params["results"]
    first = results[0]
    assert first["type"] == "article"
    assert first["title"] == messages.INLINE_ANSWER_TITLE
    assert "5K là “Khẩu trang" in first["description"]
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert "5K là “Khẩu trang" in content["message_text"].split("\n")[0]
    assert "<blockquote expandable>" in content["message_text"]
    quotes = results[1:]
    assert quotes
    assert quotes[0]["title"].startswith("[1] Gia Lai · ")
    assert len({r["id"] for r in results}) == len(results)


async def test_inline_query_not_covered_says_so(bot: RunningBot) -> None:
    call = await bot.call(inline_update("giá vàng hôm nay"), "answerInlineQuery")
    [result] = call.params["results"]
    assert result["title"] == messages.INLINE_NOT_FOUND_TITLE
    assert "1900 9095" in result["input_message_content"]["message_text"]


async def test_empty_inline_query_shows_a_hint_button(bot: RunningBot) -> None:
    call = await bot.call(inline_update(""), "answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["text"] == messages.INLINE_HINT
