"""OpenAILeadWriter against a scripted OpenAI-compatible server: answers, checks, retries, time."""

from __future__ import annotations

import asyncio
import time

import pytest

from retrieval import (
    LeadDraft,
    LLMError,
    LLMRejectedError,
    LLMResponseError,
    LLMUnavailableError,
    OpenAILeadWriter,
)
from retrieval.llm.prompt import system_prompt
from tests.helpers.fake_openai import (
    FakeOpenAI,
    RecordedRequest,
    Stream,
    empty,
    hang,
    malformed,
    reply,
    status,
    stream,
)
from tests.helpers.http_server import ServerHandle, closed_port_url
from tests.helpers.lead_writers import GOOD_LEAD, PASSAGES, fast_writer

QUESTION = "5K là gì?"


@pytest.fixture
def base_url(server: tuple[FakeOpenAI, ServerHandle]) -> str:
    return f"{server[1].url}/v1"


def lead_of(writer: OpenAILeadWriter) -> str:
    """The checked lead, as the Answerer takes it: the final draft of the stream."""
    [*_, last] = asyncio.run(drafts_of(writer))
    assert last.final
    return last.text


def failure(writer: OpenAILeadWriter) -> LLMError:
    with pytest.raises(LLMError) as caught:
        lead_of(writer)
    return caught.value


# -- answers and their checks ---------------------------------------------------------------


def test_a_good_answer_is_returned_from_one_well_formed_request(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(reply(GOOD_LEAD))
    assert lead_of(fast_writer(base_url)) == GOOD_LEAD
    [request] = fake.chat_requests
    body = request.body or {}
    assert body["model"] == "gpt-4o-mini"
    assert body["temperature"] == 0.0
    # Compatible servers (llama.cpp's among them) know max_tokens, not max_completion_tokens.
    assert body["max_tokens"] == 300
    assert "max_completion_tokens" not in body
    assert body["stream"] is True  # one path: the lead is always streamed
    system, user = request.messages
    assert system == {"role": "system", "content": system_prompt()}
    assert user["role"] == "user"
    assert "[1] Thông báo kết luận của Thường trực Tỉnh ủy, 16/9/2021, mục 8" in user["content"]
    assert "[2] Thông báo kết luận của Thường trực Tỉnh ủy, 16/9/2021, mục 9" in user["content"]
    assert "<<<\n5K là gì?\n>>>" in user["content"]
    assert request.headers["authorization"] == "<redacted>"


def test_any_model_name_is_asked_through_chat_completions(fake: FakeOpenAI, base_url: str) -> None:
    # langchain would send some model names (codex, *-pro) to the Responses API, which
    # compatible servers do not have.
    fake.script(reply(GOOD_LEAD))
    writer = OpenAILeadWriter("codex-7b-instruct", base_url=base_url, timeout=5.0)
    assert lead_of(writer) == GOOD_LEAD
    assert (fake.chat_requests[0].body or {})["model"] == "codex-7b-instruct"


@pytest.mark.parametrize(
    ("text", "error", "reason"),
    [
        ("5K gồm khẩu trang và khử khuẩn [3].", LLMRejectedError, "citation out of range"),
        ("5K gồm khẩu trang và khử khuẩn.", LLMRejectedError, "no citation"),
        ("KHÔNG CÓ TRONG VĂN BẢN", LLMRejectedError, "model found no answer in passages"),
    ],
)
def test_an_answer_that_fails_the_checks_is_refused_without_retrying(
    fake: FakeOpenAI, base_url: str, text: str, error: type[LLMError], reason: str
) -> None:
    fake.script(reply(text))
    caught = failure(fast_writer(base_url))
    assert isinstance(caught, error)
    assert str(caught) == reason
    assert fake.request_count == 1


@pytest.mark.parametrize(
    ("step", "reason"),
    [(malformed(), "malformed response"), (empty(), "empty answer"), (empty(no_choices=True),
     "malformed response")],
)  # fmt: skip
def test_an_unusable_response_is_a_response_error_without_retrying(
    fake: FakeOpenAI, base_url: str, step: object, reason: str
) -> None:
    fake.script(step)  # type: ignore[arg-type]
    caught = failure(fast_writer(base_url))
    assert isinstance(caught, LLMResponseError)
    assert str(caught) == reason
    assert fake.request_count == 1


# -- retries --------------------------------------------------------------------------------


def test_a_500_is_retried_and_the_second_answer_used(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(status(500), reply(GOOD_LEAD))
    assert lead_of(fast_writer(base_url)) == GOOD_LEAD
    assert fake.request_count == 2


def test_a_server_that_keeps_failing_gets_max_retries_then_an_error(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(*[status(503)] * 10)
    caught = failure(fast_writer(base_url, max_retries=2))
    assert isinstance(caught, LLMUnavailableError)
    assert str(caught) == "server error (HTTP 503)"
    assert caught.attempts == 3
    assert fake.request_count == 3


def test_a_429_waits_as_long_as_retry_after_says(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(status(429, retry_after=1.0), reply(GOOD_LEAD))
    assert lead_of(fast_writer(base_url)) == GOOD_LEAD
    first, second = fake.chat_requests
    # The client's own first wait is at most 0.5 s; only Retry-After explains a 1 s pause.
    assert second.time - first.time >= 0.95


@pytest.mark.parametrize(
    ("retry_after", "reason", "seconds"),
    [
        (600, "rate limited (HTTP 429)", 1.0),  # longer than the client ever waits: at once
        (60, "timeout", 10.0),  # the client would wait; the 1.5 s budget ends the answer first
    ],
)
def test_a_long_retry_after_never_keeps_the_user_waiting_past_the_budget(
    fake: FakeOpenAI, base_url: str, retry_after: float, reason: str, seconds: float
) -> None:
    fake.script(status(429, retry_after=retry_after), reply(GOOD_LEAD))
    started = time.monotonic()
    caught = failure(fast_writer(base_url, timeout=1.5))
    assert isinstance(caught, LLMUnavailableError)
    assert str(caught) == reason
    assert fake.request_count == 1
    assert time.monotonic() - started < seconds


@pytest.mark.parametrize("code", [400, 401, 404, 422])
def test_other_4xx_are_not_retried(fake: FakeOpenAI, base_url: str, code: int) -> None:
    fake.script(status(code), reply(GOOD_LEAD))
    caught = failure(fast_writer(base_url))
    assert str(caught) == f"refused (HTTP {code})"
    assert fake.request_count == 1


def test_a_refused_connection_is_retried_then_reported() -> None:
    writer = fast_writer(f"{closed_port_url()}/v1", max_retries=2)
    started = time.monotonic()
    caught = failure(writer)
    assert isinstance(caught, LLMUnavailableError)
    assert str(caught) == "connection failed"
    assert caught.attempts == 3
    assert time.monotonic() - started < writer.timeout


def test_a_hanging_server_is_abandoned_within_the_budget(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(hang(60, reply(GOOD_LEAD)), reply(GOOD_LEAD))
    started = time.monotonic()
    caught = failure(fast_writer(base_url, timeout=1.5))
    elapsed = time.monotonic() - started
    assert isinstance(caught, LLMUnavailableError)
    assert str(caught) == "timeout"
    # The hanging server would answer after 60 s; the writer gave up within its budget
    # (plus scheduling slack) and did not start a retry it had no time for.
    assert elapsed < 10
    assert fake.request_count == 1


def test_retries_share_one_budget(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(status(500), hang(60), reply(GOOD_LEAD))
    started = time.monotonic()
    caught = failure(fast_writer(base_url, timeout=1.5))
    assert str(caught) == "timeout"
    assert fake.request_count == 2
    assert time.monotonic() - started < 10


OVERFLOW = status(
    400,
    body={
        "error": {
            "message": "This model's maximum context length is 2048 tokens. However, you "
            "requested 2500 tokens (2100 in the messages, 400 in the completion).",
            "type": "invalid_request_error",
            "param": "messages",
            "code": "context_length_exceeded",
        }
    },
)


def passage_text(request: RecordedRequest) -> str:
    return str(request.messages[1]["content"]).split("<<<")[1]


def test_a_prompt_too_long_for_the_server_is_sent_once_more_shortened(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(OVERFLOW, reply(GOOD_LEAD))
    writer = fast_writer(base_url, max_passage_chars=60)
    assert lead_of(writer) == GOOD_LEAD
    first, second = fake.chat_requests
    assert len(passage_text(second)) < len(passage_text(first))
    assert "[2] " in second.messages[1]["content"]  # every passage keeps its number


def test_a_prompt_that_never_fits_is_reported_as_too_long(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(OVERFLOW, OVERFLOW, reply(GOOD_LEAD))
    caught = failure(fast_writer(base_url))
    assert str(caught) == "prompt too long for the model"
    assert fake.request_count == 2


# -- streaming ------------------------------------------------------------------------------


async def drafts_of(writer: OpenAILeadWriter) -> list[LeadDraft]:
    return await collect(writer, [])


async def collect(writer: OpenAILeadWriter, into: list[LeadDraft]) -> list[LeadDraft]:
    """Gather drafts into `into`, so a test still sees them when the stream raises."""
    async for draft in writer.stream_lead(QUESTION, PASSAGES):
        into.append(draft)
    return into


async def test_streaming_yields_growing_drafts_then_the_checked_lead(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(stream("  " + GOOD_LEAD, chunks=4))
    writer = fast_writer(base_url)
    drafts = await drafts_of(writer)
    texts = [d.text for d in drafts if not d.final]
    assert len(texts) == 4
    assert all(b.startswith(a) for a, b in zip(texts, texts[1:], strict=False))
    assert drafts[-1] == LeadDraft(GOOD_LEAD, final=True)
    assert [d.final for d in drafts].count(True) == 1
    assert (fake.chat_requests[0].body or {})["stream"] is True


async def test_streaming_retries_before_the_first_text(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(status(502), stream(GOOD_LEAD, chunks=2))
    drafts = await drafts_of(fast_writer(base_url))
    assert drafts[-1] == LeadDraft(GOOD_LEAD, final=True)
    assert fake.request_count == 2


async def test_a_streamed_answer_failing_the_checks_raises_after_its_drafts(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(stream("5K gồm khẩu trang [4].", chunks=2))
    seen: list[LeadDraft] = []
    with pytest.raises(LLMRejectedError, match="citation out of range"):
        await collect(fast_writer(base_url), seen)
    assert seen
    assert not any(d.final for d in seen)


async def test_a_stream_that_stalls_is_cut_at_the_budget(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(Stream(GOOD_LEAD, chunks=3, delay=30))
    seen: list[LeadDraft] = []
    started = time.monotonic()
    with pytest.raises(LLMUnavailableError, match="timeout"):
        await collect(fast_writer(base_url, timeout=1.5), seen)
    assert time.monotonic() - started < 10
    assert [d.text for d in seen] == [GOOD_LEAD[: len(seen[0].text)]]
    assert fake.request_count == 1


async def test_a_stream_that_never_starts_is_cut_at_the_budget(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(hang(60))
    started = time.monotonic()
    with pytest.raises(LLMUnavailableError, match="timeout"):
        await drafts_of(fast_writer(base_url, timeout=1.5))
    assert time.monotonic() - started < 10


async def test_a_streamed_prompt_too_long_is_sent_once_more_shortened(
    fake: FakeOpenAI, base_url: str
) -> None:
    fake.script(OVERFLOW, stream(GOOD_LEAD, chunks=2))
    drafts = await drafts_of(fast_writer(base_url, max_passage_chars=60))
    assert drafts[-1] == LeadDraft(GOOD_LEAD, final=True)
    first, second = fake.chat_requests
    assert len(passage_text(second)) < len(passage_text(first))


def test_one_writer_answers_in_one_event_loop_after_another(
    fake: FakeOpenAI, base_url: str
) -> None:
    """Each `chithi ask` or test runs its questions in an event loop of its own."""
    writer = fast_writer(base_url)
    for _ in range(3):
        fake.script(stream(GOOD_LEAD, chunks=2))
        assert asyncio.run(drafts_of(writer))[-1] == LeadDraft(GOOD_LEAD, final=True)
        fake.script(reply(GOOD_LEAD))
        assert lead_of(writer) == GOOD_LEAD
    assert fake.request_count == 6


async def test_a_malformed_stream_is_a_response_error(fake: FakeOpenAI, base_url: str) -> None:
    fake.script(malformed())
    with pytest.raises(LLMResponseError, match="malformed response"):
        await drafts_of(fast_writer(base_url))
    assert fake.request_count == 1
