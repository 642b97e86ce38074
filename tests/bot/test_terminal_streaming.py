"""`chithi chat` in LLM mode: the model's lead appears as it is written, then the quotes."""

from __future__ import annotations

import pytest

from bot import messages
from bot.cli import render_answer
from bot.terminal import answer_streaming
from retrieval import Answerer, Library
from tests.helpers.asking import ask
from tests.helpers.fake_openai import FakeOpenAI, stream
from tests.helpers.http_server import ServerHandle
from tests.helpers.lead_writers import fast_writer

QUESTION = "Thông điệp 5K gồm những gì?"
LEAD = "Thông điệp 5K gồm khẩu trang, khử khuẩn, khoảng cách, không tập trung, khai báo y tế [1]."


@pytest.fixture
def llm_answerer(
    openai_server: tuple[FakeOpenAI, ServerHandle], bundled_library: Library
) -> Answerer:
    openai_server[0].reset()
    writer = fast_writer(f"{openai_server[1].url}/v1", timeout=3.0)
    return Answerer(bundled_library, hotline="1900 9095", lead_writer=writer)


async def test_the_lead_is_printed_piece_by_piece_then_the_quotes(
    openai_server: tuple[FakeOpenAI, ServerHandle], llm_answerer: Answerer
) -> None:
    openai_server[0].script(stream(LEAD, chunks=4, delay=0.2))
    printed: list[str] = []
    answer = await answer_streaming(llm_answerer, QUESTION, render_answer, echo=printed.append)
    assert answer.mode == "llm"
    assert len(printed) >= 3  # pieces of the lead, then the rest
    assert LEAD.startswith(printed[0])
    assert printed[0] != LEAD
    output = "".join(printed)
    assert output == render_answer(answer) + "\n\n"
    assert output.count(LEAD) == 1
    assert "\n\n[1] Gia Lai · " in output


async def test_a_lead_that_fails_its_check_is_followed_by_the_quoted_answer(
    openai_server: tuple[FakeOpenAI, ServerHandle], llm_answerer: Answerer, answerer: Answerer
) -> None:
    uncited = "Thông điệp 5K gồm năm điều mà ai cũng cần nhớ và làm theo mỗi ngày."
    openai_server[0].script(stream(uncited, chunks=3, delay=0.1))
    printed: list[str] = []
    answer = await answer_streaming(llm_answerer, QUESTION, render_answer, echo=printed.append)
    output = "".join(printed)
    assert answer.mode == "extractive"
    assert answer.fallback_reason
    shown, rest = output.split(messages.CHAT_LEAD_REPLACED)
    assert shown.strip()  # the model's words were on screen before the check failed
    assert uncited.startswith(shown.strip())
    assert rest.strip() == render_answer(ask(answerer, QUESTION)).strip()
