"""An LLM lead streamed into Telegram: one draft message, throttled edits, then the quotes."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import telegram

from bot.telegram.replies import send_answer
from bot.telegram.stream import DRAFT_MARK, DraftMessage, ask_with_drafts
from retrieval import Answer, Answerer, Citation, Library
from tests.bot.harness import ADMIN_ID, REPLY_TIMEOUT, plain_bot, started_bot
from tests.helpers.asking import ask
from tests.helpers.fake_openai import FakeOpenAI, status, stream
from tests.helpers.fake_telegram import Call, FakeTelegram
from tests.helpers.http_server import ServerHandle
from tests.helpers.lead_writers import fast_writer
from tests.helpers.telegram_updates import text_update

TOKEN = "123456:TEST-stream-token"
CHAT_ID = 5005
QUESTION = "Thông điệp 5K gồm những gì?"
LEAD = "Thông điệp 5K gồm khẩu trang, khử khuẩn, khoảng cách, không tập trung, khai báo y tế [1]."


@pytest.fixture
def oai(openai_server: tuple[FakeOpenAI, ServerHandle]) -> FakeOpenAI:
    openai_server[0].reset()
    return openai_server[0]


@pytest.fixture
def llm_answerer(
    openai_server: tuple[FakeOpenAI, ServerHandle], bundled_library: Library
) -> Answerer:
    # fast_writer's 5 s budget holds the client's four requests and its waits (up to 3.5 s).
    writer = fast_writer(f"{openai_server[1].url}/v1")
    return Answerer(bundled_library, hotline="1900 9095", lead_writer=writer)


@pytest.fixture
async def tg_bot(tg: FakeTelegram, url: str) -> AsyncIterator[telegram.Bot]:
    async with plain_bot(tg, url, TOKEN, CHAT_ID) as bot:
        yield bot


async def test_the_lead_is_drafted_in_one_message_then_gets_its_quotes(
    oai: FakeOpenAI, tg: FakeTelegram, tg_bot: telegram.Bot, llm_answerer: Answerer
) -> None:
    oai.script(stream(LEAD, chunks=6, delay=0.05))
    # An interval longer than the stream: exactly one draft is sent, no draft edit.
    answer, draft = await ask_with_drafts(
        llm_answerer, tg_bot, CHAT_ID, QUESTION, interval=60, reply_to=None
    )
    assert answer.mode == "llm"
    [sent] = tg.calls("sendMessage")
    assert sent.params["text"].endswith(DRAFT_MARK)
    assert LEAD.startswith(sent.params["text"][: -len(DRAFT_MARK)])
    assert tg.calls("editMessageText") == []
    await send_answer(tg_bot, CHAT_ID, answer, key="k1", draft=draft.message_id)
    [message] = tg.messages(CHAT_ID)
    assert message.edits == 1
    assert message.plain_text.startswith(LEAD)
    assert "\n\n[1] Gia Lai · " in message.plain_text
    assert "Thông báo kết luận của Thường trực Tỉnh ủy" in message.plain_text
    assert answer.citations[0].quote[:80] in message.plain_text
    labels = [b["text"] for row in (message.reply_markup or {})["inline_keyboard"] for b in row]
    assert labels[-2:] == ["👍 Hữu ích", "👎 Chưa đúng"]


async def test_drafts_edit_the_message_as_text_arrives(
    oai: FakeOpenAI, tg: FakeTelegram, tg_bot: telegram.Bot, llm_answerer: Answerer
) -> None:
    oai.script(stream(LEAD, chunks=4, delay=0.3))
    answer, draft = await ask_with_drafts(llm_answerer, tg_bot, CHAT_ID, QUESTION, interval=0.25)
    assert len(tg.calls("sendMessage")) == 1
    assert draft.updates >= 2  # sent, then edited at least once while streaming
    assert len(tg.calls("editMessageText")) == draft.updates - 1
    await send_answer(
        tg_bot, CHAT_ID, answer, key=None, province="Kiên Giang", draft=draft.message_id
    )
    [message] = tg.messages(CHAT_ID)
    assert message.plain_text.startswith(LEAD)
    assert "Kiên Giang" in message.plain_text


async def test_a_lead_that_fails_its_check_is_replaced_by_the_extractive_one(
    oai: FakeOpenAI,
    tg: FakeTelegram,
    tg_bot: telegram.Bot,
    llm_answerer: Answerer,
    answerer: Answerer,
) -> None:
    bad = "Thông điệp 5K gồm nhiều biện pháp khác nhau mà ai cũng biết."
    oai.script(stream(bad, chunks=2))
    answer, draft = await ask_with_drafts(llm_answerer, tg_bot, CHAT_ID, QUESTION, interval=60)
    assert answer.fallback_reason == "no citation"
    assert draft.message_id is not None
    await send_answer(tg_bot, CHAT_ID, answer, key=None, draft=draft.message_id)
    [message] = tg.messages(CHAT_ID)
    assert message.plain_text.startswith(ask(answerer, QUESTION).text)
    assert "nhiều biện pháp" not in message.plain_text


async def test_without_any_draft_the_answer_is_sent_normally(
    oai: FakeOpenAI, tg: FakeTelegram, tg_bot: telegram.Bot, llm_answerer: Answerer
) -> None:
    oai.script(*[status(500)] * 4)
    answer, draft = await ask_with_drafts(llm_answerer, tg_bot, CHAT_ID, QUESTION, reply_to=77)
    assert answer.mode == "extractive"
    assert draft.message_id is None
    await send_answer(tg_bot, CHAT_ID, answer, key="k2", reply_to=77, draft=draft.message_id)
    [message] = tg.messages(CHAT_ID)
    assert tg.calls("editMessageText") == []
    assert tg.calls("sendMessage")[0].params["reply_parameters"]["message_id"] == 77
    assert "[1] " in message.plain_text


async def test_a_long_answer_edits_the_draft_and_sends_the_rest(
    tg: FakeTelegram, tg_bot: telegram.Bot
) -> None:
    citations = tuple(
        Citation("d", f"d:{n}", "Chỉ thị", dt.date(2021, 7, 9), str(n), "Đoạn trích dài. " * 150, 1)
        for n in range(1, 4)
    )
    answer = Answer(QUESTION, "answered", LEAD, mode="llm", citations=citations)
    draft = DraftMessage(tg_bot, CHAT_ID)
    await draft.show(LEAD[:20])
    await send_answer(tg_bot, CHAT_ID, answer, key="k3", draft=draft.message_id)
    sent = tg.messages(CHAT_ID)
    assert len(sent) >= 2
    assert sent[0].edits == 1
    assert sent[0].plain_text.startswith(LEAD)
    assert sent[0].reply_markup is None
    assert sent[-1].reply_markup is not None
    assert all(len(m.text) <= 4096 for m in sent)


# -- through the running bot ----------------------------------------------------------------


def finished(call: Call) -> bool:
    """The draft turned into the final answer: an edit that adds the buttons."""
    return call.method == "editMessageText" and "reply_markup" in call.params


async def test_the_bot_in_llm_mode_streams_its_lead_then_adds_the_quotes(
    oai: FakeOpenAI, tg: FakeTelegram, url: str, llm_answerer: Answerer, tmp_path: Path
) -> None:
    oai.script(stream(LEAD, chunks=4, delay=0.2))
    async with started_bot(tg, url, llm_answerer, tmp_path / "data") as bot:
        tg.queue_update(text_update(QUESTION, CHAT_ID))
        await tg.await_for(finished, timeout=REPLY_TIMEOUT)
        assert bot.app.running
    [message] = tg.messages(CHAT_ID)
    assert message.plain_text.startswith(LEAD)
    assert "\n\n[1] Gia Lai · " in message.plain_text
    assert "Thông báo kết luận của Thường trực Tỉnh ủy" in message.plain_text
    assert "expandable_blockquote" in [e["type"] for e in message.entities]
    [draft] = tg.calls("sendMessage")
    assert draft.params["text"].endswith(DRAFT_MARK)
    assert llm_answerer.stats.llm_used == 1


async def test_the_bot_in_llm_mode_falls_back_without_showing_an_error(
    oai: FakeOpenAI, tg: FakeTelegram, url: str, llm_answerer: Answerer, tmp_path: Path,
    answerer: Answerer,
) -> None:  # fmt: skip
    oai.script(*[status(503)] * 4)
    async with started_bot(tg, url, llm_answerer, tmp_path / "data") as bot:
        [reply] = await bot.send(text_update(QUESTION, CHAT_ID))
    assert reply.plain_text.startswith(ask(answerer, QUESTION).text)
    assert tg.calls("editMessageText") == []
    assert llm_answerer.stats.fallback_reasons == {"server error (HTTP 503)": 1}


async def test_thongke_shows_the_llm_counters(
    oai: FakeOpenAI, tg: FakeTelegram, url: str, llm_answerer: Answerer, tmp_path: Path
) -> None:
    oai.script(stream(LEAD, chunks=2), stream("Không có trích dẫn nào ở đây cả.", chunks=2))
    async with started_bot(tg, url, llm_answerer, tmp_path / "data") as bot:
        for n in (1, 2):
            tg.queue_update(text_update(QUESTION, ADMIN_ID, ADMIN_ID))
            await tg.await_for(finished, count=n, timeout=REPLY_TIMEOUT)
        [summary, _] = await bot.send(text_update("/thongke", ADMIN_ID, ADMIN_ID), replies=2)
    assert "Dùng: 1 · Quay về câu trích: 1" in summary.plain_text
    assert "• no citation: 1" in summary.plain_text
