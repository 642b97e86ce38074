"""The moment an alert's request goes to the Bot API, marked in the store.

PTB's rate limiter may hold a request for seconds before sending it. A delivery marked
"sending" before that wait would, after a crash during it, be counted as possibly shown and
never sent. So the mark is made here, in the HTTP layer, after the limiter let the request
through; and an answer other than 200 (a 429 that PTB will retry, a 403) takes it back, since
Telegram showed nothing. Only a request really on its way can be lost to a crash.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.request import HTTPXRequest

OK = 200


@dataclass(frozen=True)
class Marks:
    """What to record when the current task's request goes out, and when it was refused."""

    sending: Callable[[], None]
    refused: Callable[[], None]


# The delivery whose request the current task is making (set by the broadcaster).
SENDING: contextvars.ContextVar[Marks | None] = contextvars.ContextVar(
    "chithi_alert_sending", default=None
)


class MarkingRequest(HTTPXRequest):
    """PTB's HTTPX request that marks the current task's delivery around the HTTP request."""

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Mark the delivery (if this task is sending one), then make the HTTP request."""
        marks = SENDING.get()
        if marks is not None:
            marks.sending()
        status, payload = await super().do_request(*args, **kwargs)
        if marks is not None and status != OK:
            marks.refused()
        return status, payload
