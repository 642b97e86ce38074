"""Per-user question rate limit: a sliding window of N questions a minute."""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable


class Verdict(enum.Enum):
    """What to do with a question."""

    ALLOW = "allow"
    LIMIT = "limit"  # over the limit: tell the user once
    LIMIT_QUIETLY = "limit_quietly"  # over the limit and already told


class RateLimiter:
    """At most `limit` questions per user in any `period` seconds.

    Args:
        limit: questions allowed per period.
        period: window length in seconds.
        clock: monotonic seconds; tests may pass their own.
    """

    _SWEEP_EVERY = 1000

    def __init__(
        self, limit: int, *, period: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._asked: dict[int, deque[float]] = {}
        self._told: set[int] = set()
        self._calls = 0

    def check(self, user_id: int) -> Verdict:
        """Count a question by this user, unless it is over the limit."""
        now = self._clock()
        self._calls += 1
        if self._calls % self._SWEEP_EVERY == 0:
            self._sweep(now)
        asked = self._asked.setdefault(user_id, deque())
        while asked and now - asked[0] >= self.period:
            asked.popleft()
        if len(asked) < self.limit:
            asked.append(now)
            self._told.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._told:
            return Verdict.LIMIT_QUIETLY
        self._told.add(user_id)
        return Verdict.LIMIT

    def retry_in(self, user_id: int) -> float:
        """Seconds until this user may ask again (0 when they may ask now)."""
        asked = self._asked.get(user_id)
        if not asked or len(asked) < self.limit:
            return 0.0
        return max(0.0, self.period - (self._clock() - asked[0]))

    def _sweep(self, now: float) -> None:
        # Forget users whose whole window has passed, so memory follows active users only.
        idle = [
            u for u, asked in self._asked.items() if not asked or now - asked[-1] >= self.period
        ]
        for user_id in idle:
            del self._asked[user_id]
            self._told.discard(user_id)
