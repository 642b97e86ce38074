"""The moment an alert's request goes to the Bot API, marked in the store.

PTB's rate limiter may hold a request for seconds before sending it. A delivery marked
"sending" before that wait would, after a crash during it, be counted as possibly shown and
never sent. So the mark is made here, in the HTTP layer, after the limiter let the request
through: only a request really on its way can be lost to a crash.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from telegram.request import HTTPXRequest

# The delivery whose request the current task is making (set by the broadcaster).
SENDING: contextvars.ContextVar[Callable[[], None] | None] = contextvars.ContextVar(
    "chithi_alert_sending", default=None
)


class MarkingRequest(HTTPXRequest):
    """PTB's HTTPX request that calls the current task's "sending" mark just before sending."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Mark the delivery (if this task is sending one), then make the HTTP request."""
        mark = SENDING.get()
        if mark is not None:
            mark()
        return await super().do_request(*args, **kwargs)
