"""Rate limits (ours per user, Telegram's flood control) and long replies."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot import messages
from retrieval import Answerer
from tests.bot.harness import FIVE_K, started_bot
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import DEFAULT_CHAT_ID, inline_update, text_update


async def test_per_user_rate_limit_replies_politely_once(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path, CHITHI_RATE_LIMIT="2") as bot:
        for question in ["5K là gì?", "5k la gi", "cach ly bao lau", "tiem vac xin"]:
            tg.queue_update(text_update(question))
        replies = await bot.replies(DEFAULT_CHAT_ID, 0, 3)
        [probe] = await bot.send(text_update("/help"))
        inline = await bot.call(inline_update("5k la gi"), "answerInlineQuery")
    assert replies[0].plain_text.startswith(FIVE_K)
    assert replies[1].plain_text.startswith(FIVE_K)
    assert replies[2].plain_text.startswith("Bạn hỏi nhanh quá: tối đa 2 câu mỗi phút.")
    assert probe.plain_text.startswith("Cách hỏi")  # the 4th question got no second warning
    assert inline.params["results"] == []
    assert inline.params["button"]["text"] == messages.INLINE_RATE_LIMITED


async def test_flood_control_429_is_waited_out_and_the_reply_still_arrives(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        tg.fail_next("sendMessage", retry_after=1)
        [reply] = await bot.send(text_update("5K là gì?"))
    assert reply.plain_text.startswith(FIVE_K)
    assert [call.status for call in tg.calls("sendMessage")] == [429, 200]


async def test_an_unexpected_failure_gets_a_generic_apology(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        tg.fail_next("sendMessage", 400, description="Bad Request: something unexpected")
        [reply] = await bot.send(text_update("5K là gì?"))
    assert reply.plain_text == messages.SORRY
    assert [call.status for call in tg.calls("sendMessage")] == [400, 200]


async def test_a_transient_network_failure_is_retried_and_the_reply_still_arrives(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        tg.fail_next("sendMessage", 502)
        [reply] = await bot.send(text_update("5K là gì?"))
    assert reply.plain_text.startswith(FIVE_K)
    assert [call.status for call in tg.calls("sendMessage")] == [502, 200]


async def test_a_network_failure_that_persists_gives_up_after_two_retries_and_apologises(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        tg.fail_next("sendMessage", 502, times=3)
        with caplog.at_level(logging.WARNING, logger="bot.telegram.retry"):
            [reply] = await bot.send(text_update("5K là gì?"))
    assert reply.plain_text == messages.SORRY
    assert [call.status for call in tg.calls("sendMessage")] == [502, 502, 502, 200]
    retries = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.retry"]
    assert retries == [
        "Bot API sendMessage failed (NetworkError); retry 1 of 2",
        "Bot API sendMessage failed (NetworkError); retry 2 of 2",
    ]
