"""An answer as sent to a chat: short source lines, titles inside the quotes, one row of buttons."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import telegram

from bot.telegram.replies import send_answer
from retrieval import Answerer
from tests.bot.harness import plain_bot
from tests.helpers.asking import ask
from tests.helpers.documents import mobile_vaccination_notice, mobile_vaccination_paragraph
from tests.helpers.fake_telegram import FakeTelegram, SentMessage

TOKEN = "123456:TEST-sources-token"
CHAT_ID = 5006
# About 2,200 characters: longer than a quote (compose.MAX_QUOTE_CHARS).
LONG_PARAGRAPH = mobile_vaccination_paragraph(15)
MOBILE = mobile_vaccination_notice(LONG_PARAGRAPH)


@pytest.fixture
async def tg_bot(tg: FakeTelegram, url: str) -> AsyncIterator[telegram.Bot]:
    async with plain_bot(tg, url, TOKEN, CHAT_ID) as bot:
        yield bot


def keyboard(message: SentMessage) -> list[list[str]]:
    return [[b["text"] for b in row] for row in (message.reply_markup or {})["inline_keyboard"]]


async def test_whole_paragraphs_get_no_full_view_button(
    tg: FakeTelegram, tg_bot: telegram.Bot, answerer: Answerer
) -> None:
    answer = ask(answerer, "5K là gì?")
    await send_answer(tg_bot, CHAT_ID, answer, key="k1", library=answerer.library)
    [message] = tg.messages(CHAT_ID)
    lead, first, second = message.plain_text.split("\n\n")
    assert lead == answer.text
    source, title, quote = first.split("\n", 2)
    assert source == "[1] Gia Lai · TB 16/9/2021 · mục 8"
    assert title == answerer.library.catalog[answer.citations[0].doc_id].title
    assert quote == answer.citations[0].quote
    assert second.startswith("[2] Gia Lai · CT không ghi ngày · mục 1\nChỉ thị của Ban")
    quotes = [e for e in message.entities if e["type"] == "expandable_blockquote"]
    assert len(quotes) == 2
    assert quotes[0]["offset"] == len(lead) + 2 + len(source) + 1  # the title opens the quote
    assert keyboard(message) == [
        ["📎 Văn bản gốc [1]", "📎 Văn bản gốc [2]"],
        ["👍 Hữu ích", "👎 Chưa đúng"],
    ]


async def test_a_cut_quote_gets_the_full_view_button(
    tg: FakeTelegram, tg_bot: telegram.Bot, writable_answerer: Answerer, tmp_path: Path
) -> None:
    notice = tmp_path / "tiem-luu-dong.txt"
    notice.write_text(MOBILE, encoding="utf-8")
    [result] = writable_answerer.library.ingest([notice])
    assert result.error is None
    answer = ask(writable_answerer, "Tổ tiêm lưu động xã Phú Mỹ tiêm cho ai?")
    cited = answer.citations[0]
    assert cited.paragraph_id == "tiem-luu-dong:1"
    assert cited.quote != f"1. {LONG_PARAGRAPH}"  # cut to the sentences around the best one
    await send_answer(tg_bot, CHAT_ID, answer, key="k2", library=writable_answerer.library)
    [message] = tg.messages(CHAT_ID)
    [sources, _] = keyboard(message)
    assert sources[0] == "📄 Xem đầy đủ [1]"
    assert len(sources) <= 3
    data = [b["callback_data"] for b in (message.reply_markup or {})["inline_keyboard"][0]]
    assert data[0] == "p:tiem-luu-dong:1"
