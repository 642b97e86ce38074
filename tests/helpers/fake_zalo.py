"""A local stand-in of Zalo's OA Open API and OAuth v4 that enforces Zalo's limits.

It sends signed webhook events the way Zalo does (X-ZEvent-Signature over app id, body,
timestamp and OA secret), and answers the customer-service message API as Zalo would:
2,000 characters a text, access tokens that expire, single-use refresh tokens, the reply
window (8 replies within 48 hours of the user's last message), a monthly quota and a rate
limit. Point the channel at it with CHITHI_ZALO_API_URL and CHITHI_ZALO_OAUTH_URL.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.zalo import signature

__all__ = ["APP_ID", "APP_SECRET", "OA_ID", "OA_SECRET", "FakeZalo", "SentText"]

APP_ID = "1234567890123456789"
APP_SECRET = "app-secret-for-tests"
OA_SECRET = "oa-secret-for-tests"
OA_ID = "579745863508352884"
WINDOW_SECONDS = 48 * 3600
REPLIES_PER_WINDOW = 8
MAX_TEXT = 2000
# Zalo's codes, as bot/zalo/errors.py and docs/zalo.md list them.
INVALID_PARAMETER, OUT_OF_QUOTA, NOT_FOLLOWER, OUTSIDE_WINDOW = -201, -211, -213, -230
RATE_LIMITED, TOKEN_INVALID, REFRESH_INVALID = -32, -216, -14014


@dataclass(frozen=True)
class SentText:
    """A text the OA sent to a user, as Zalo accepted it."""

    user_id: str
    text: str
    message_id: str


class FakeZalo(Starlette):
    """Zalo's two servers on one app: /v3.0/oa/message/cs and /v4/oa/access_token.

    Args:
        token_seconds: how long an access token lives (Zalo: about 25 hours).
    """

    def __init__(self, *, token_seconds: float = 90000) -> None:
        super().__init__(
            routes=[
                Route("/v3.0/oa/message/cs", self._send, methods=["POST"]),
                Route("/v4/oa/access_token", self._refresh, methods=["POST"]),
            ]
        )
        self.token_seconds = token_seconds
        self._lock = threading.Lock()
        self.reset()

    # -- set-up and inspection (from the test's thread) ---------------------------------------

    def reset(self) -> None:
        """Forget everything; one valid refresh token (`refresh_token`) and no access token."""
        with self._lock:
            self.refresh_token = "refresh-" + secrets.token_hex(8)
            self._access: dict[str, float] = {}
            self._followers: set[str] = set()
            self._last_message: dict[str, float] = {}
            self._replies: dict[str, int] = {}
            self.sent: list[SentText] = []
            self.refused: list[tuple[str, int]] = []  # (user id, code)
            self.refreshes = 0
            self.quota: int | None = None  # messages left this month; None: no limit
            self.rate_per_second: int | None = None
            self._recent: deque[float] = deque()
            self._failures: list[int] = []

    def expire_tokens(self) -> None:
        """Every access token handed out so far expires now."""
        with self._lock:
            self._access = dict.fromkeys(self._access, 0.0)

    def fail_next(self, code: int, times: int = 1) -> None:
        """Refuse the next `times` sends with `code`."""
        with self._lock:
            self._failures += [code] * times

    def texts(self, user_id: str) -> list[str]:
        """The texts the OA sent this user, in order."""
        with self._lock:
            return [s.text for s in self.sent if s.user_id == user_id]

    async def await_texts(self, user_id: str, count: int, *, timeout: float = 60.0) -> list[str]:
        """Wait until the user has `count` texts; return them all."""
        deadline = time.monotonic() + timeout
        while len(self.texts(user_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"user {user_id} got {self.texts(user_id)} after {timeout} s, not {count}"
                )
            await asyncio.sleep(0.02)
        return self.texts(user_id)

    async def await_refusals(self, count: int, *, timeout: float = 60.0) -> None:
        """Wait until `count` sends were refused."""
        deadline = time.monotonic() + timeout
        while len(self.refused) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.refused} after {timeout} s")
            await asyncio.sleep(0.02)

    # -- the user's side: signed webhook events ------------------------------------------------

    def event(
        self,
        name: str,
        user_id: str,
        *,
        text: str = "",
        age: float = 0.0,
        app_id: str = APP_ID,
        secret: str = OA_SECRET,
    ) -> tuple[bytes, dict[str, str]]:
        """The body and headers Zalo posts for a user's event (`age` seconds old)."""
        stamp = str(int((time.time() - age) * 1000))
        data: dict[str, Any] = {
            "app_id": app_id,
            "event_name": name,
            "timestamp": stamp,
            "user_id_by_app": "9" + user_id[1:],
        }
        who = {"id": user_id}
        if name in ("follow", "unfollow"):
            data |= {"oa_id": OA_ID, "follower": who, "source": "testing"}
        else:
            data |= {"sender": who, "recipient": {"id": OA_ID}}
            message: dict[str, Any] = {"msg_id": secrets.token_hex(10)}
            if name == "user_send_text":
                message["text"] = text
            else:
                message["attachments"] = [
                    {
                        "type": name.removeprefix("user_send_"),
                        "payload": {"url": "https://example.invalid/x"},
                    }
                ]
            data["message"] = message
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        headers = {
            "X-ZEvent-Signature": signature(app_id, body, stamp, secret),
            "Content-Type": "application/json",
        }
        return body, headers

    def user_acts(self, name: str, user_id: str) -> None:
        """What Zalo itself notes when a user follows, unfollows or writes."""
        with self._lock:
            if name == "follow":
                self._followers.add(user_id)
            elif name == "unfollow":
                self._followers.discard(user_id)
            if name != "unfollow":
                self._last_message[user_id] = time.time()
                self._replies[user_id] = 0

    async def post(
        self, webhook: str, name: str, user_id: str, *, text: str = "", client: httpx.AsyncClient
    ) -> httpx.Response:
        """Post a user's event to the webhook, as Zalo would (the user is a follower)."""
        if name != "unfollow":
            with self._lock:
                self._followers.add(user_id)
        self.user_acts(name, user_id)
        body, headers = self.event(name, user_id, text=text)
        return await client.post(webhook, content=body, headers=headers)

    # -- Zalo's side ----------------------------------------------------------------------------

    def _error(self, code: int, message: str, user_id: str = "") -> Response:
        if user_id:
            self.refused.append((user_id, code))
        return JSONResponse({"error": code, "message": message})

    async def _send(self, request: Request) -> Response:
        token = request.headers.get("access_token", "")
        body = await request.json()
        user_id = str(body.get("recipient", {}).get("user_id", ""))
        text = str(body.get("message", {}).get("text", ""))
        now = time.time()
        with self._lock:
            if self._access.get(token, 0.0) <= now:
                return self._error(TOKEN_INVALID, "Access token is invalid", user_id)
            if self.rate_per_second is not None:
                while self._recent and self._recent[0] < now - 1:
                    self._recent.popleft()
                if len(self._recent) >= self.rate_per_second:
                    return self._error(RATE_LIMITED, "Exceed request limit", user_id)
                self._recent.append(now)
            if self._failures:
                code = self._failures.pop(0)
                return self._error(code, "Refused (scripted)", user_id)
            if not text or len(text) > MAX_TEXT:
                return self._error(INVALID_PARAMETER, "Text length must be 1-2000", user_id)
            if user_id not in self._followers:
                return self._error(NOT_FOLLOWER, "User has not followed OA", user_id)
            if now - self._last_message.get(user_id, 0) > WINDOW_SECONDS or (
                self._replies.get(user_id, 0) >= REPLIES_PER_WINDOW
            ):
                return self._error(OUTSIDE_WINDOW, "Outside the reply window", user_id)
            if self.quota is not None:
                if self.quota <= 0:
                    return self._error(OUT_OF_QUOTA, "Out of quota", user_id)
                self.quota -= 1
            self._replies[user_id] = self._replies.get(user_id, 0) + 1
            sent = SentText(user_id, text, secrets.token_hex(10))
            self.sent.append(sent)
        return JSONResponse(
            {
                "data": {"message_id": sent.message_id, "user_id": user_id},
                "error": 0,
                "message": "Success",
            }
        )

    async def _refresh(self, request: Request) -> Response:
        form = await request.form()
        with self._lock:
            if request.headers.get("secret_key") != APP_SECRET or form.get("app_id") != APP_ID:
                return JSONResponse({"error": -14002, "error_name": "Invalid app"})
            if form.get("grant_type") != "refresh_token" or (
                form.get("refresh_token") != self.refresh_token
            ):
                return JSONResponse(
                    {"error": REFRESH_INVALID, "error_name": "Invalid refresh token"}
                )
            self.refreshes += 1
            access = "access-" + secrets.token_hex(8)
            self._access[access] = time.time() + self.token_seconds
            self.refresh_token = "refresh-" + secrets.token_hex(8)  # the old one is spent
            return JSONResponse(
                {
                    "access_token": access,
                    "refresh_token": self.refresh_token,
                    "expires_in": str(int(self.token_seconds)),
                }
            )
