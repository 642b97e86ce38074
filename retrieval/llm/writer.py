"""Write the lead answer with a chat model behind any OpenAI-compatible endpoint.

langchain-openai's ChatOpenAI sends chat_prompt() and retries connection errors, timeouts, 429
and 5xx itself (the openai client's backoff, honouring Retry-After). This module adds what the
client does not do: one time budget for the whole answer, retries and waits included; one more
request with shorter passages when the prompt does not fit the model's context; and the checks
of retrieval.llm.check. Failures raise LLMError subclasses whose str() is a short reason, so the
answerer can fall back and count why.

langchain and openai are imported when a writer is built, not with this module: they add about
a second to start-up, which extractive deployments need not pay.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import aclosing, contextmanager
from typing import TYPE_CHECKING, Any, TypeVar, cast

from retrieval.answer import LeadDraft
from retrieval.errors import LLMError, LLMResponseError, LLMUnavailableError
from retrieval.llm.check import EchoGuard, check_lead, check_rewrite
from retrieval.llm.prompt import (
    MAX_PASSAGE_CHARS,
    chat_prompt,
    condense_prompt,
    condense_variables,
    instructions,
    prompt_variables,
)
from retrieval.types import Passage

if TYPE_CHECKING:
    import openai

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
# Local servers ignore the key, but the client will not start without one.
PLACEHOLDER_API_KEY = "not-needed"
# A prompt too long for the model's context is sent once more, each passage cut this much.
SHORTEN_BY = 4
# How servers say the prompt does not fit: OpenAI and llama-cpp-python by code, vLLM and
# llama.cpp in words. langchain's ContextOverflowError recognises only some of them.
_OVERFLOW = re.compile(r"context_length_exceeded|context (length|size|window)", re.IGNORECASE)

REWRITE_SHARE = 0.25  # of the answer's budget, for rewriting a follow-up
T = TypeVar("T")
Chunks = AsyncGenerator[Any, None]


class OpenAILeadWriter:
    """A LeadWriter for any OpenAI-compatible chat endpoint.

    Args:
        model: the model name the server knows (e.g. "gpt-4o-mini", "smollm2").
        base_url: the endpoint, e.g. "http://127.0.0.1:8080/v1"; OpenAI's when None.
        api_key: the key; None for local servers that need none.
        timeout: seconds for a whole answer, retries and waits included.
        max_retries: requests after the first one, on connection errors, timeouts, 429 and 5xx.
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
        max_retries: int = 3,
        max_tokens: int = 300,
        temperature: float = 0.0,
        max_passage_chars: int = MAX_PASSAGE_CHARS,
    ) -> None:
        if timeout <= 0 or max_retries < 0:
            raise ValueError(f"timeout={timeout} must be positive, max_retries={max_retries} >= 0")
        from langchain_core.utils import convert_to_secret_str
        from langchain_openai import ChatOpenAI

        self.model = model
        self.base_url = base_url or DEFAULT_BASE_URL
        self.timeout = timeout
        self.max_passage_chars = max_passage_chars
        openai_itself = base_url is None
        chat = ChatOpenAI(
            model=model,
            base_url=self.base_url,
            api_key=convert_to_secret_str(api_key or PLACEHOLDER_API_KEY),
            timeout=timeout,
            max_retries=max_retries,
            temperature=temperature,
            # ChatOpenAI sends its limit as max_completion_tokens, which OpenAI wants; llama.cpp's
            # Python server and other compatible servers know only max_tokens and would ignore
            # it, letting a small model ramble until its context is full.
            max_completion_tokens=max_tokens if openai_itself else None,
            extra_body=None if openai_itself else {"max_tokens": max_tokens},
            # Compatible servers speak Chat Completions only, whatever the model is called.
            use_responses_api=False,
            # Answers may run in one event loop after another (`chithi ask`, a test), and a
            # pooled connection belongs to the loop that opened it: close each after its answer.
            default_headers={"Connection": "close"},
        )
        self._chain = chat_prompt() | chat
        self._condense = condense_prompt() | chat
        self._echo = EchoGuard(instructions())

    def __repr__(self) -> str:
        return f"OpenAILeadWriter(model={self.model!r}, base_url={self.base_url!r})"

    async def stream_lead(
        self, question: str, passages: Sequence[Passage]
    ) -> AsyncIterator[LeadDraft]:
        """Stream the lead: the text so far each time more arrives, then the checked lead.

        The client retries only before the first piece of text; once text has been shown, a
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
        # The budget bounds each wait for a chunk, not the whole generator: a timeout around a
        # yield would cancel the caller's code instead of this stream.
        deadline = asyncio.get_running_loop().time() + self.timeout
        text = ""
        finish_reason: str | None = None

        async def opened(variables: dict[str, str]) -> tuple[Chunks, Any]:
            chunks = cast(Chunks, self._chain.astream(variables))
            return chunks, await _next_chunk(chunks, deadline)

        with _llm_errors():
            chunks, chunk = await self._fitting(opened, question, passages)
            async with aclosing(chunks):
                while chunk is not None:
                    finish_reason = chunk.response_metadata.get("finish_reason") or finish_reason
                    if piece := _content(chunk):
                        text += piece
                        yield LeadDraft(text)
                    chunk = await _next_chunk(chunks, deadline)
        lead = check_lead(
            text, passages=len(passages), echo=self._echo, finish_reason=finish_reason,
            sources=[p.paragraph.text for p in passages],
        )  # fmt: skip
        logger.info("LLM streamed lead accepted: %d chars, %.0f ms", len(lead), _ms_since(started))
        yield LeadDraft(lead, final=True)

    async def rewrite_question(self, question: str, previous: str) -> str:
        """A follow-up as a standalone question, checked to add nothing (check_rewrite).

        It has a quarter of the answer's budget: the rewrite comes before the search, so
        its time is the user's wait on top of the answer's.

        Raises:
            LLMError: the server failed or was slow, or the rewrite brought words of its own.
        """
        started = time.monotonic()
        with _llm_errors():
            async with asyncio.timeout(self.timeout * REWRITE_SHARE):
                message = await self._condense.ainvoke(condense_variables(question, previous))
        rewrite = check_rewrite(_content(message), question=question, previous=previous)
        logger.info("LLM rewrite of a follow-up accepted in %.0f ms", _ms_since(started))
        return rewrite

    async def _fitting(
        self,
        call: Callable[[dict[str, str]], Awaitable[T]],
        question: str,
        passages: Sequence[Passage],
    ) -> T:
        """call(the prompt's variables); again with passages cut short if the prompt overflowed."""
        import openai

        if not passages:
            raise LLMResponseError("no passages", "the lead needs at least one passage")
        try:
            return await call(
                prompt_variables(question, passages, max_passage_chars=self.max_passage_chars)
            )
        except openai.APIError as exc:
            if not _context_overflow(exc):
                raise
        limit = self.max_passage_chars // SHORTEN_BY
        logger.info("Prompt too long for the model's context; passages cut to %d chars", limit)
        return await call(prompt_variables(question, passages, max_passage_chars=limit))


async def _next_chunk(chunks: Chunks, deadline: float) -> Any:
    """The next chunk, or None after the last one; the budget's end bounds the wait."""
    async with asyncio.timeout_at(deadline):
        return await anext(chunks, None)


@contextmanager
def _llm_errors() -> Iterator[None]:
    """Raise what the model call raised as an LLMError with a short, countable reason."""
    import openai

    try:
        yield
    except TimeoutError as exc:  # the budget ran out
        raise LLMUnavailableError("timeout") from exc
    except openai.APIError as exc:
        raise _failure(exc) from exc
    except (ValueError, IndexError) as exc:  # a 200 the client cannot read: bad JSON, no choices
        raise LLMResponseError("malformed response", repr(exc)[:300]) from exc


def _failure(exc: openai.APIError) -> LLMError:
    import openai

    # The openai client numbers its retries in a header of each request it sends.
    attempts = int(exc.request.headers.get("x-stainless-retry-count", 0)) + 1
    if isinstance(exc, openai.APITimeoutError):
        return LLMUnavailableError("timeout", attempts=attempts)
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError("connection failed", str(exc), attempts=attempts)
    if _context_overflow(exc):
        return LLMUnavailableError("prompt too long for the model", str(exc), attempts=attempts)
    if isinstance(exc, openai.APIStatusError):
        code = exc.status_code
        reason = "rate limited" if code == 429 else "server error" if code >= 500 else "refused"
        return LLMUnavailableError(f"{reason} (HTTP {code})", exc.message, attempts=attempts)
    return LLMResponseError("malformed response", repr(exc)[:300], attempts=attempts)


def _context_overflow(exc: openai.APIError) -> bool:
    """The server refused the prompt as longer than the model's context."""
    import openai
    from langchain_core.exceptions import ContextOverflowError

    if isinstance(exc, ContextOverflowError):
        return True
    return isinstance(exc, openai.BadRequestError) and bool(
        _OVERFLOW.search(f"{exc.code} {exc.message}")
    )


def _content(message: Any) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    # Some servers answer a list of content parts.
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)


def _ms_since(started: float) -> float:
    return (time.monotonic() - started) * 1000
