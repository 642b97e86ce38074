"""POST /zalo/webhook: check the call, acknowledge at once, handle the event after.

Zalo waits about two seconds for the webhook's 200 and otherwise sends the event again (and
in the end stops calling a webhook that keeps failing), while an answer can take longer: so
the event is recorded, acknowledged, and handled in a task. A call Zalo did not sign, or one
too old, is refused and changes nothing; an event taken before (Zalo's retry, a replay, or
a replica that got it too) is acknowledged and ignored.
"""

from __future__ import annotations

import asyncio
import logging
import time

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot import database
from bot.zalo.api import ZaloApi
from bot.zalo.channel import ZaloChannel
from bot.zalo.errors import WebhookError, ZaloError
from bot.zalo.events import MAX_AGE_SECONDS, ZaloEvent, read_event
from bot.zalo.store import ZaloStore
from bot.zalo.tokens import TokenKeeper

logger = logging.getLogger(__name__)

# What a background round survives: Zalo refusing, the database (SQLite or PostgreSQL) failing.
ROUND_ERRORS: tuple[type[Exception], ...] = (ZaloError, *database.ERRORS)

BACKGROUND_SECONDS = 60.0  # how often the token is checked and owed alerts are sent
STOP_SECONDS = 20.0  # at shutdown, how long events in hand may take to finish


class ZaloWebhook:
    """The webhook route and the channel's background work, for the web app's lifespan.

    Args:
        channel: handles the events.
        store: remembers the events taken.
        tokens: refreshed in the background before the access token expires.
        api: Zalo's API client, closed at shutdown.
        app_id: the app the OA is linked to.
        oa_secret: the OA secret key (signs the events).
        every: seconds between background rounds.
    """

    def __init__(
        self,
        channel: ZaloChannel,
        *,
        store: ZaloStore,
        tokens: TokenKeeper,
        api: ZaloApi,
        app_id: str,
        oa_secret: str,
        every: float = BACKGROUND_SECONDS,
    ) -> None:
        self.channel = channel
        self._store = store
        self._tokens = tokens
        self._api = api
        self._app_id = app_id
        self._oa_secret = oa_secret
        self._every = every
        self._tasks: set[asyncio.Task[None]] = set()
        self._background: asyncio.Task[None] | None = None

    async def endpoint(self, request: Request) -> Response:
        """The webhook: 200 for an event taken (or taken before), 4xx for a refused call."""
        # Bounded while read by the web app's BodyLimit (MAX_BODY_BYTES on this route: 413).
        body = await request.body()
        try:
            event = read_event(
                body, request.headers.get("X-ZEvent-Signature"),
                app_id=self._app_id, oa_secret=self._oa_secret, now=time.time(),
            )  # fmt: skip
        except WebhookError as exc:
            logger.warning("Zalo webhook call refused (%d): %s", exc.status, exc.reason)
            return JSONResponse({"error": exc.reason}, status_code=exc.status)
        if event is None:
            return JSONResponse({"status": "ignored"})
        keep = 2 * MAX_AGE_SECONDS  # past that, a replay is refused as stale anyway
        if not await asyncio.to_thread(self._store.first_time, event.mac, keep_seconds=keep):
            logger.info("Zalo event %s of user=%s taken before: ignored", event.name,
                        event.user_id)  # fmt: skip
            return JSONResponse({"status": "duplicate"})
        logger.info("Zalo event %s of user=%s", event.name, event.user_id)
        task = asyncio.create_task(self._run(event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return JSONResponse({"status": "ok"})

    async def _run(self, event: ZaloEvent) -> None:
        try:
            await self.channel.handle(event)
        except Exception:  # the channel's one error handler, as the bot's: log, apologise
            logger.exception("Zalo event %s of user=%s failed", event.name, event.user_id)
            await self.channel.apologise(event.user_id)

    async def start(self) -> None:
        """Start the background rounds (token refresh ahead of expiry, owed alerts)."""
        self._background = asyncio.create_task(self._rounds())

    async def stop(self) -> None:
        """Stop the rounds and let the events in hand finish (each reply is sent once)."""
        if self._background is not None:
            self._background.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_SECONDS)
        await self._api.aclose()

    async def _rounds(self) -> None:
        while True:
            try:
                await self._tokens.access_token()
                await self.channel.deliver_owed_alerts()
            except ROUND_ERRORS as exc:  # the next round may succeed
                logger.warning("Zalo background round failed: %s", exc)
            await asyncio.sleep(self._every)
