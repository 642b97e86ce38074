"""A fake Telegram Bot API server that enforces Telegram's limits and records every call.

Point python-telegram-bot at it with
``ApplicationBuilder().base_url(f"{url}/bot").base_file_url(f"{url}/file/bot")``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.helpers.flood_limits import SENDING_METHODS, FloodLimits
from tests.helpers.form_data import UploadedFile, read_params
from tests.helpers.telegram_rules import TelegramApiError, default_description
from tests.helpers.telegram_state import HANDLERS, BotApiState, SentDocument, SentMessage
from tests.helpers.telegram_updates import BOT_ID, BOT_USERNAME

__all__ = ["Call", "FakeTelegram", "SentDocument", "SentMessage", "TelegramApiError"]

Params = dict[str, Any]
CallMatch = str | Callable[["Call"], bool]
_POLL_INTERVAL = 0.01


@dataclass(frozen=True)
class Call:
    """One request: Bot API method name as sent, decoded params, arrival time, HTTP status."""

    method: str
    params: Params
    time: float
    status: int
    files: dict[str, UploadedFile] = field(default_factory=dict)


@dataclass
class _Failure:
    error: TelegramApiError
    remaining: int


class FakeTelegram(Starlette):
    """The Bot API for any token at ``/bot{token}/{method}``, files at ``/file/bot{token}/...``.

    Args:
        username: The bot's username answered by ``getMe``.
        bot_id: The bot's user id.
        max_poll_wait: Cap, in seconds, on how long ``getUpdates`` waits for an update.
        flood_limits: Answer 429 past Telegram's flood limits (30 messages a second in all,
            20 a minute to a group; see flood_limits.py).
    """

    def __init__(
        self,
        *,
        username: str = BOT_USERNAME,
        bot_id: int = BOT_ID,
        max_poll_wait: float = 1.0,
        flood_limits: bool = False,
    ) -> None:
        super().__init__(
            routes=[
                Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"]),
                Route("/file/bot{token}/{file_path:path}", self._download, methods=["GET"]),
            ]
        )
        self.username = username
        self.bot_id = bot_id
        self.max_poll_wait = max_poll_wait
        self.enforce_flood_limits = flood_limits
        # Called with each call after its response went out (a test's hook, e.g. to kill the
        # bot between two requests rather than during one).
        self.after_call: Callable[[Call], None] | None = None
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget calls, queued updates, messages, files, failures, webhook and commands."""
        with self._lock:
            self._state = BotApiState(username=self.username, bot_id=self.bot_id)
            self._calls: list[Call] = []
            self._failures: dict[str, list[_Failure]] = {}
            self._blocked: dict[int, TelegramApiError] = {}
            self.flood = FloodLimits()

    # -- input ---------------------------------------------------------------------------

    def queue_update(self, update: Params) -> None:
        """Queue an ``Update`` dict for ``getUpdates`` (build it with ``telegram_updates``)."""
        with self._lock:
            self._state.remember_chats(update)
            self._state.updates.append(update)

    def add_file(
        self, file_id: str, name: str, data: bytes, *, mime_type: str | None = None
    ) -> Params:
        """Register a downloadable file; return its ``Document`` dict for an update."""
        with self._lock:
            return self._state.store_file(file_id, name, data, mime_type).document()

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail with ``status``.

        Args:
            method: Bot API method name, e.g. ``"sendMessage"`` (case-insensitive).
            status: HTTP status and ``error_code``; 429 adds ``parameters.retry_after``.
            retry_after: Seconds announced for a 429.
            times: How many consecutive calls fail.
            description: Override of the error description.
        """
        if status == 429:
            description = description or f"Too Many Requests: retry after {retry_after}"
            error = TelegramApiError(description, status, {"retry_after": retry_after})
        else:
            error = TelegramApiError(description or default_description(status), status)
        with self._lock:
            self._failures.setdefault(method.lower(), []).append(_Failure(error, times))

    def block(self, chat_id: int, status: int = 403, description: str | None = None) -> None:
        """Every later message to this chat fails: 403, the user blocked the bot, by default."""
        error = TelegramApiError(description or default_description(status), status)
        with self._lock:
            self._blocked[int(chat_id)] = error

    # -- observation ---------------------------------------------------------------------

    @property
    def pending_updates(self) -> list[Params]:
        """Queued updates not yet confirmed by a ``getUpdates`` offset."""
        with self._lock:
            return list(self._state.updates)

    @property
    def webhook(self) -> Params:
        """The stored ``setWebhook`` parameters (``url``, ``secret_token``, ...); empty if none."""
        with self._lock:
            return dict(self._state.webhook)

    def calls(self, method: str | None = None) -> list[Call]:
        """All recorded calls, or those of one method (case-insensitive), oldest first."""
        with self._lock:
            calls = list(self._calls)
        if method is None:
            return calls
        return [call for call in calls if call.method.lower() == method.lower()]

    def messages(self, chat_id: int | str) -> list[SentMessage]:
        """The bot's text messages in a chat, in message-id order, as they are after edits."""
        with self._lock:
            sent = self._state.messages.get(chat_id, {}).values()
            return sorted(sent, key=lambda message: message.message_id)

    def documents(self, chat_id: int | str) -> list[SentDocument]:
        """Documents the bot sent to a chat, oldest first."""
        with self._lock:
            return list(self._state.documents.get(chat_id, []))

    def wait_for(self, match: CallMatch, *, timeout: float = 10.0, count: int = 1) -> Call:
        """Block until ``count`` calls match; return the ``count``-th.

        Args:
            match: A method name (only successful calls count) or a predicate on ``Call``.
            timeout: Seconds to wait.
            count: How many matching calls to wait for, counting those already recorded.

        Returns:
            The ``count``-th matching call.

        Raises:
            TimeoutError: No such call in time; the message lists the methods seen.
        """
        deadline = time.monotonic() + timeout
        while (found := self._find(match, count)) is None:
            if time.monotonic() > deadline:
                raise self._timeout(match, timeout)
            time.sleep(_POLL_INTERVAL)
        return found

    async def await_for(self, match: CallMatch, *, timeout: float = 10.0, count: int = 1) -> Call:
        """``wait_for`` for async tests: yields to the event loop while waiting."""
        deadline = time.monotonic() + timeout
        while (found := self._find(match, count)) is None:
            if time.monotonic() > deadline:
                raise self._timeout(match, timeout)
            await asyncio.sleep(_POLL_INTERVAL)
        return found

    def _find(self, match: CallMatch, count: int) -> Call | None:
        if isinstance(match, str):
            matches = [call for call in self.calls(match) if call.status == 200]
        else:
            matches = [call for call in self.calls() if match(call)]
        return matches[count - 1] if len(matches) >= count else None

    def _timeout(self, match: CallMatch, timeout: float) -> TimeoutError:
        seen = sorted({call.method for call in self.calls()})
        return TimeoutError(f"No call matching {match!r} within {timeout} s; methods seen: {seen}")

    # -- webhook -------------------------------------------------------------------------

    async def post_update_to_webhook(self, update: Params) -> int:
        """POST an update to the stored webhook URL with the secret header; return the status.

        Raises:
            RuntimeError: The bot has not called ``setWebhook``.
        """
        url, headers = self._webhook_target(update)
        async with httpx.AsyncClient(trust_env=False) as client:
            response = await client.post(url, json=update, headers=headers)
        return response.status_code

    def post_update_to_webhook_sync(self, update: Params) -> int:
        """Blocking ``post_update_to_webhook``."""
        url, headers = self._webhook_target(update)
        with httpx.Client(trust_env=False) as client:
            response = client.post(url, json=update, headers=headers)
        return response.status_code

    def _webhook_target(self, update: Params) -> tuple[str, dict[str, str]]:
        with self._lock:
            webhook = self._state.webhook
            if not webhook.get("url"):
                raise RuntimeError("No webhook is set; the bot must call setWebhook first")
            self._state.remember_chats(update)
            headers = {}
            if webhook.get("secret_token"):
                headers["X-Telegram-Bot-Api-Secret-Token"] = webhook["secret_token"]
            return webhook["url"], headers

    # -- HTTP ----------------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> Response:
        method = request.path_params["method"]
        arrived = time.time()
        params, files = await read_params(request)
        try:
            result = await self._answer(method.lower(), params, files)
            response = JSONResponse({"ok": True, "result": result})
        except TelegramApiError as err:
            response = JSONResponse(err.body(), status_code=err.status)
        call = Call(method, params, arrived, response.status_code, files)
        with self._lock:
            self._calls.append(call)
        if self.after_call is not None:
            response.background = BackgroundTask(self.after_call, call)
        return response

    async def _answer(self, method: str, params: Params, files: dict[str, UploadedFile]) -> Any:
        if method != "getupdates" and method not in HANDLERS:
            raise TelegramApiError("Not Found", 404)
        self._raise_scripted_failure(method)
        if method == "getupdates":
            return await self._get_updates(params)
        with self._lock:
            chat_id = _chat_id(params)
            if chat_id in self._blocked and method in SENDING_METHODS:
                raise self._blocked[chat_id]
            if self.enforce_flood_limits:
                self.flood.check(method, chat_id)
            return HANDLERS[method](self._state, params, files)

    def _raise_scripted_failure(self, method: str) -> None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return
            failure = queue[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                queue.pop(0)
        raise failure.error

    async def _get_updates(self, params: Params) -> list[Params]:
        wait = min(float(params.get("timeout", 0)), self.max_poll_wait)
        deadline = time.monotonic() + wait
        while True:
            with self._lock:
                updates = self._state.take_updates(params)
            if updates or time.monotonic() >= deadline:
                return updates
            await asyncio.sleep(_POLL_INTERVAL)

    async def _download(self, request: Request) -> Response:
        path = request.path_params["file_path"]
        with self._lock:
            files = list(self._state.files.values())
        stored = next((file for file in files if file.file_path == path), None)
        if stored is None:
            return JSONResponse(TelegramApiError("Not Found", 404).body(), status_code=404)
        return Response(stored.data, media_type=stored.mime_type)


def _chat_id(params: Params) -> int | None:
    try:
        return int(params["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None  # "@channel" names and methods without a chat
