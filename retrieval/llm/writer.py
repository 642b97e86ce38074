"""Write the lead answer with a chat model behind any OpenAI-compatible endpoint, with retries.

langchain-openai's ChatOpenAI (the `openai` client underneath) talks to the server; tenacity
retries connection errors, timeouts, 429 and 5xx within one time budget for the whole answer;
every answer is checked (retrieval.llm.check) before it is returned. Failures raise LLMError
subclasses whose str() is a short reason, so the answerer can fall back and count why.

openai and langchain are imported when a writer is built, not with this module, so that
extractive deployments do not pay for them at start-up.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_any,
    wait_exponential_jitter,
)

from prompts import render
from retrieval.answer import LeadDraft
from retrieval.errors import LLMError, LLMResponseError, LLMUnavailableError
from retrieval.llm.check import EchoGuard, check_lead
from retrieval.llm.prompt import MAX_PASSAGE_CHARS, build_prompt, system_prompt
from retrieval.types import Passage

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage
    from langchain_openai import ChatOpenAI

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the client will not start without one.
PLACEHOLDER_API_KEY = "not-needed"
# An attempt is not started with less time than this left in the budget.
MIN_ATTEMPT_SECONDS = 0.2
# A server whose context is too small for the prompt gets it once more, passages cut this much.
SHORTEN_BY = 4
_OVERFLOW = re.compile(r"context|too long|too many tokens|exceed", re.IGNORECASE)
# What langchain raises for a 200 response it cannot read (bad JSON, no choices, ...).
_UNREADABLE = (ValueError, LookupError, TypeError)


class _OutOfTimeError(Exception):
    """The budget ran out between attempts (never leaves this module)."""


@dataclass
class _Call:
    """One answer's budget and how many requests it has made."""

    deadline: float
    attempts: int = 0


class OpenAILeadWriter:
    """A LeadWriter (and StreamingLeadWriter) for any OpenAI-compatible chat endpoint.

    Args:
        model: the model name the server knows (e.g. "gpt-4o-mini", "smollm2").
        base_url: the endpoint, e.g. "http://127.0.0.1:8080/v1"; OpenAI's when None.
        api_key: the key; None for local servers that need none.
        timeout: seconds for a whole answer, retries and waits included.
        max_attempts: requests per answer, the first one included.
        backoff_initial: first wait between attempts (doubling, with jitter) when the server
            gives no Retry-After.
        backoff_max: longest wait between attempts.
        max_tokens: longest answer the model may write.
        temperature: sampling temperature (0 keeps answers close to the passages).
        max_passage_chars: each passage is cut to this length in the prompt.
    """

    def __init__(
        self,
        model: str,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        timeout: float = 20.0,
        max_attempts: int = 4,
        backoff_initial: float = 0.5,
        backoff_max: float = 4.0,
        max_tokens: int = 300,
        temperature: float = 0.0,
        max_passage_chars: int = MAX_PASSAGE_CHARS,
    ) -> None:
        if timeout <= 0 or max_attempts < 1:
            raise ValueError(f"timeout={timeout} and max_attempts={max_attempts} must be positive")
        import httpx2
        import openai
        from langchain_openai import ChatOpenAI
        from pydantic import SecretStr

        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.max_passage_chars = max_passage_chars
        self._backoff = wait_exponential_jitter(
            multiplier=backoff_initial, max=backoff_max, jitter=backoff_initial
        )
        # Every option is explicit so that nothing is read from the environment here, and
        # max_retries=0 so that the only retries are ours (counted, and within the budget).
        self._chat: ChatOpenAI = ChatOpenAI(
            model=model,
            base_url=self.base_url,
            api_key=SecretStr(api_key or PLACEHOLDER_API_KEY),
            timeout=timeout,
            max_retries=0,
            temperature=temperature,
            **_token_limit(max_tokens, openai=base_url is None),
            openai_proxy=None,
            stream_usage=False,
            stream_chunk_timeout=timeout,
            # No idle connections for async calls: front ends and tests may run one event loop
            # after another, and a pooled connection belongs to the loop that opened it.
            http_async_client=openai.DefaultAsyncHttpxClient(
                limits=httpx2.Limits(max_connections=20, max_keepalive_connections=0)
            ),
        )
        self._echo = EchoGuard([system_prompt(), _answer_template_text()])

    def __repr__(self) -> str:
        return f"OpenAILeadWriter(model={self.model!r}, base_url={self.base_url!r})"

    # -- one answer, all at once ------------------------------------------------------------

    def write_lead(self, question: str, passages: Sequence[Passage]) -> str:
        """Ask the model for a lead citing the passages as [1], [2], ... and check it.

        Args:
            question: the user's question.
            passages: the passages the lead may cite; [n] is passages[n - 1].

        Returns:
            The checked lead.

        Raises:
            LLMError: the server failed within the budget, or the answer failed a check;
                str() is the short reason.
        """
        started = time.monotonic()
        call = _Call(started + self.timeout)
        try:
            try:
                message = self._invoke(self._messages(question, passages), call)
            except _client_errors() as exc:
                if not _context_overflow(exc):
                    raise
                message = self._invoke(self._messages(question, passages, short=True), call)
        except _client_errors() as exc:
            raise _failure(exc, call.attempts) from exc
        lead = check_lead(
            _content(message),
            passages=len(passages),
            echo=self._echo,
            finish_reason=message.response_metadata.get("finish_reason"),
        )
        logger.info(
            "LLM lead accepted: %d chars, %d attempt(s), %.0f ms",
            len(lead), call.attempts, (time.monotonic() - started) * 1000,
        )  # fmt: skip
        return lead

    def _invoke(self, messages: list[BaseMessage], call: _Call) -> Any:
        """One non-streaming completion, retried within the budget."""

        def attempt() -> Any:
            call.attempts += 1
            return self._chat.invoke(messages, timeout=_remaining(call.deadline))

        return Retrying(**self._retry_options(call.deadline))(attempt)

    # -- one answer, as it is written --------------------------------------------------------

    async def stream_lead(
        self, question: str, passages: Sequence[Passage]
    ) -> AsyncIterator[LeadDraft]:
        """Stream the lead: the text so far each time more arrives, then the checked lead.

        Retries happen only before the first piece of text; once text has been shown, a
        failure ends the stream. The whole stream, retries included, stays within the budget.

        Args:
            question: the user's question.
            passages: the passages the lead may cite; [n] is passages[n - 1].

        Yields:
            LeadDraft(text so far, final=False) as text arrives, then exactly one
            LeadDraft(checked lead, final=True) if the answer passes the checks.

        Raises:
            LLMError: the server failed, the budget ran out, or the answer failed a check
                (possibly after drafts were yielded: the caller replaces them).
        """
        started = time.monotonic()
        call = _Call(started + self.timeout)
        text = ""
        finish_reason: str | None = None
        try:
            try:
                chunks, chunk = await self._open(self._messages(question, passages), call)
            except _client_errors() as exc:
                if not _context_overflow(exc):
                    raise
                short = self._messages(question, passages, short=True)
                chunks, chunk = await self._open(short, call)
            async with aclosing(chunks):
                while chunk is not None:
                    finish_reason = chunk.response_metadata.get("finish_reason") or finish_reason
                    piece = _content(chunk)
                    if piece:
                        text += piece
                        yield LeadDraft(text)
                    chunk = await _next_chunk(chunks, call.deadline)
        except _client_errors() as exc:
            raise _failure(exc, call.attempts) from exc
        lead = check_lead(
            text, passages=len(passages), echo=self._echo, finish_reason=finish_reason
        )
        logger.info(
            "LLM streamed lead accepted: %d chars, %d attempt(s), %.0f ms",
            len(lead), call.attempts, (time.monotonic() - started) * 1000,
        )  # fmt: skip
        yield LeadDraft(lead, final=True)

    async def _open(
        self, messages: list[BaseMessage], call: _Call
    ) -> tuple[AsyncGenerator[Any, None], Any]:
        """Start a streamed completion, retried within the budget until its first chunk."""
        async for attempt in AsyncRetrying(**self._retry_options(call.deadline)):
            with attempt:
                call.attempts += 1
                chunks = cast(
                    AsyncGenerator[Any, None],
                    self._chat.astream(messages, timeout=_remaining(call.deadline)),
                )
                try:
                    first = await _next_chunk(chunks, call.deadline)
                except BaseException:
                    await chunks.aclose()
                    raise
        return chunks, first

    # -- shared ------------------------------------------------------------------------------

    def _messages(
        self, question: str, passages: Sequence[Passage], *, short: bool = False
    ) -> list[BaseMessage]:
        from langchain_core.messages import HumanMessage, SystemMessage

        if not passages:
            raise LLMResponseError("no passages", "the lead needs at least one passage")
        limit = self.max_passage_chars // SHORTEN_BY if short else self.max_passage_chars
        if short:
            logger.info("Prompt too long for the model's context; passages cut to %d chars", limit)
        prompt = build_prompt(question, passages, max_passage_chars=limit)
        logger.debug("LLM prompt for %d passages: %s", len(passages), prompt.user)
        return [SystemMessage(prompt.system), HumanMessage(prompt.user)]

    def _retry_options(self, deadline: float) -> dict[str, Any]:
        return {
            "retry": retry_if_exception(_transient),
            "wait": self._wait,
            "stop": stop_any(stop_after_attempt(self.max_attempts), _past(deadline)),
            "before_sleep": _log_retry,
            "reraise": True,
        }

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        retry_after = _retry_after(exc)
        return retry_after if retry_after is not None else float(self._backoff(state))


async def _next_chunk(chunks: AsyncIterator[Any], deadline: float) -> Any:
    """The next chunk, or None at the end; the budget bounds the wait (not just each read)."""
    try:
        async with asyncio.timeout(_remaining(deadline)):
            return await anext(chunks)
    except StopAsyncIteration:
        return None


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left < MIN_ATTEMPT_SECONDS:
        raise _OutOfTimeError
    return left


def _past(deadline: float) -> Any:
    """Stop when the coming wait would leave too little of the budget for another attempt."""

    def stop(state: RetryCallState) -> bool:
        return time.monotonic() + state.upcoming_sleep + MIN_ATTEMPT_SECONDS >= deadline

    return stop


def _transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return False


def _context_overflow(exc: BaseException) -> bool:
    """A 400 saying the prompt does not fit the model's context (OpenAI, vLLM, llama.cpp)."""
    import openai

    return (
        isinstance(exc, openai.APIStatusError)
        and exc.status_code in (400, 413)
        and bool(_OVERFLOW.search(exc.message))
    )


def _retry_after(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (Retry-After-Ms or Retry-After), if it did."""
    import openai

    if not isinstance(exc, openai.APIStatusError):
        return None
    headers = exc.response.headers
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return max(0.0, float(raw) * scale)
        except ValueError:
            parsed = email.utils.parsedate_to_datetime(raw) if scale == 1.0 else None
            if parsed is not None:
                return max(0.0, parsed.timestamp() - time.time())
    return None


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    logger.info(
        "LLM attempt %d failed (%s); retrying in %.2f s",
        state.attempt_number, _failure(exc, state.attempt_number) if exc else "?",
        state.upcoming_sleep,
    )  # fmt: skip


def _client_errors() -> tuple[type[BaseException], ...]:
    """What a request may raise that means "no usable answer" (see _failure)."""
    import openai

    return (openai.APIError, _OutOfTimeError, TimeoutError, *_UNREADABLE)


def _failure(exc: BaseException, attempts: int) -> LLMError:
    """The LLMError, with a short reason, for one of _client_errors()."""
    import openai

    if isinstance(exc, openai.APITimeoutError | _OutOfTimeError | TimeoutError):
        return LLMUnavailableError("timeout", attempts=attempts)
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError("connection failed", str(exc), attempts=attempts)
    if _context_overflow(exc):
        return LLMUnavailableError("prompt too long for the model", str(exc), attempts=attempts)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        reason = "rate limited" if code == 429 else "server error" if code >= 500 else "refused"
        return LLMUnavailableError(f"{reason} (HTTP {code})", exc.message, attempts=attempts)
    if isinstance(exc, (openai.APIResponseValidationError, *_UNREADABLE)):
        return LLMResponseError("malformed response", repr(exc)[:300], attempts=attempts)
    return LLMUnavailableError("client error", repr(exc)[:300], attempts=attempts)


def _token_limit(max_tokens: int, *, openai: bool) -> dict[str, Any]:
    """The answer-length option as the server understands it.

    OpenAI wants max_completion_tokens (its newer models refuse max_tokens); llama.cpp's
    Python server and other compatible servers know only max_tokens and would ignore the other,
    letting a small model ramble until its context is full.
    """
    if openai:
        return {"max_completion_tokens": max_tokens}
    return {"extra_body": {"max_tokens": max_tokens}}


def _content(message: Any) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    # Some servers answer a list of content parts.
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def _answer_template_text() -> str:
    """The fixed wording of prompts/answer.txt, for the echo check."""
    return render("answer", passages="", question="")
