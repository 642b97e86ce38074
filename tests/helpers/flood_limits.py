"""Telegram's flood limits, as the local Bot API enforces them when asked to.

Telegram asks bots to send "no more than 30 messages per second" in all and "no more than 20
messages per minute to the same group", and answers more with 429 and a retry_after. Here
each limit is a token bucket (a burst up to the limit, then the rate), the kind of limiter
PTB's AIORateLimiter keeps to; a message that finds its bucket empty gets the 429.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from tests.helpers.telegram_rules import TelegramApiError

OVERALL_PER_SECOND = 30
GROUP_PER_MINUTE = 20
SENDING_METHODS = frozenset({"sendmessage", "senddocument", "sendphoto", "copymessage"})


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float = -1.0
    at: float = field(default_factory=time.monotonic)

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is there."""
        if self.tokens < 0:
            self.tokens = self.capacity
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.per_second)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.per_second


class FloodLimits:
    """The overall and per-group limits; `check` raises the 429 Telegram would send."""

    def __init__(self) -> None:
        self._overall = _Bucket(OVERALL_PER_SECOND, OVERALL_PER_SECOND)
        self._groups: dict[int, _Bucket] = {}
        self.refused = 0  # how many 429s were sent

    def check(self, method: str, chat_id: int | None) -> None:
        """Count one message; raise TelegramApiError(429) if a limit is exceeded."""
        if method not in SENDING_METHODS:
            return
        now = time.monotonic()
        wait = 0.0
        if chat_id is not None and chat_id < 0:
            group = self._groups.setdefault(
                chat_id, _Bucket(GROUP_PER_MINUTE, GROUP_PER_MINUTE / 60)
            )
            wait = group.take(now)
        if wait == 0:
            wait = self._overall.take(now)
        if wait > 0:
            self.refused += 1
            retry_after = max(1, math.ceil(wait))
            raise TelegramApiError(
                f"Too Many Requests: retry after {retry_after}", 429, {"retry_after": retry_after}
            )
