"""Outgoing Bot API requests: Telegram's flood limits, and retries of failures on the way."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    retry_if_not_exception_type,
    stop_after_attempt,
    wait_exponential,
)

logger = logging.getLogger(__name__)

Result = bool | dict[str, Any] | list[dict[str, Any]]
# Telegram allows about 30 messages a second in all; a little under it, so that timing jitter
# between our clock and Telegram's does not earn a 429 (and a second's pause of every send).
OVERALL_PER_SECOND = 28


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (flood limits, 429 waited out) plus retries of network failures.

    A kept-alive connection that the server closes just as a request goes out fails with a
    read error before the request was handled; without a retry that reply would be lost.
    Bad requests are never retried: they would fail again.

    Args:
        max_retries: retries after a RetryAfter (HTTP 429), each after the announced wait.
        network_retries: retries after a network error or timeout.
        backoff: seconds before the first network retry (doubled for each next one).
    """

    def __init__(self, *, max_retries: int, network_retries: int = 2, backoff: float = 0.5) -> None:
        super().__init__(max_retries=max_retries, overall_max_rate=OVERALL_PER_SECOND)
        self._network_retries = network_retries
        self._backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        """Send through the flood limiter; retry a few times after a network failure."""

        def log_retry(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            logger.warning(
                "Bot API %s failed (%s); retry %d of %d",
                endpoint, type(failure).__name__, state.attempt_number, self._network_retries,
            )  # fmt: skip

        retrying = AsyncRetrying(
            retry=retry_if_exception_type(NetworkError) & retry_if_not_exception_type(BadRequest),
            stop=stop_after_attempt(1 + self._network_retries),
            wait=wait_exponential(multiplier=self._backoff),  # backoff, then doubled each time
            before_sleep=log_retry,
            reraise=True,  # the last NetworkError itself, not tenacity's RetryError
        )
        send = super().process_request
        return await retrying(send, callback, args, kwargs, endpoint, data, rate_limit_args)
