"""Errors of the Zalo channel, and the Zalo error codes it acts on.

BotError
└── ZaloError
    ├── ZaloApiError      Zalo refused a call (its code), or it never reached Zalo
    ├── ZaloUnknownError  no answer came: the message may have been shown
    └── WebhookError      a webhook call that is not a genuine, fresh Zalo event

Zalo's codes (docs/zalo.md lists the sources): the channel treats the rate limit as
transient and an invalid access token as "refresh and try once more"; every other code is
a refusal that is logged and counted, never retried.
"""

from __future__ import annotations

from bot.errors import BotError

RATE_LIMITED = -32  # too many requests a minute: wait and retry
TOKEN_INVALID = frozenset({-216, -124})  # access token invalid or expired: refresh it
# For the record (docs/zalo.md): -201 invalid parameter (such as a text over 2,000
# characters), -211 out of quota, -213 the user does not follow the OA, -230 the user has
# not written to the OA recently enough (outside the reply window).


class ZaloError(BotError):
    """Base class of the Zalo channel's errors."""


class ZaloApiError(ZaloError):
    """Zalo refused a call, or the call never reached Zalo (code 0).

    Args:
        code: Zalo's error code (negative), or 0 when Zalo gave none.
        message: Zalo's message, or what went wrong on the way; never a token.
        transient: worth retrying; by default only the rate limit is.
    """

    def __init__(self, code: int, message: str, *, transient: bool | None = None) -> None:
        super().__init__(f"Zalo error {code}: {message}")
        self.code = code
        self.transient = code == RATE_LIMITED if transient is None else transient

    @property
    def token_invalid(self) -> bool:
        """The access token was refused: refresh it, then the call may succeed."""
        return self.code in TOKEN_INVALID


class ZaloUnknownError(ZaloError):
    """The request went out but no answer came back; it is not sent again."""


class WebhookError(ZaloError):
    """A webhook call refused before anything is done with it.

    Args:
        status: the HTTP status to answer (400 unreadable, 401 forged, 403 stale).
        reason: what was wrong, for the log (never the body or the secret).
    """

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
