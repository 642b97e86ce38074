"""The broadcaster: sends the alerts the store owes, within Telegram's flood limits.

It runs in the bot process, as a task beside the handlers, and sends through the bot's own
PTB `ExtBot`, whose rate limiter keeps to Telegram's limits (about 30 messages a second in
all, 20 a minute to one group) and waits out a 429's retry_after. A 403 (the bot was blocked,
the chat is gone) forgets the chat. With webhook replicas each one runs a broadcaster, and
only the holder of the store's lease sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.alerts import AlertStore, Delivery
from bot.bookkeeping import STORE_ERRORS
from bot.telegram.buttons import alert_buttons
from bot.telegram.marking import SENDING, Marks

logger = logging.getLogger(__name__)

BATCH = 200  # deliveries read at a time
IDLE_SECONDS = 1.0  # how often an idle broadcaster looks for new alerts
_GONE = ("chat not found", "user is deactivated", "bot was kicked", "chat_id is empty")


class Broadcaster:
    """Deliver owed alerts until stopped.

    Args:
        store: the alert tables.
        bot: the bot to send with (its rate limiter applies; its request must be a
            MarkingRequest for the "sending" mark to be exact).
        lease_seconds: how long a lease lasts without renewal; after a crash another
            process (or the restarted one) takes over when it runs out.
        concurrency: requests in flight at once (the rate limiter paces them).
    """

    def __init__(
        self, store: AlertStore, bot: Bot, *, lease_seconds: float = 30.0, concurrency: int = 4
    ) -> None:
        self.store = store
        self.bot = bot
        self.lease_seconds = lease_seconds
        self.concurrency = concurrency
        self.holder = f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """Send while holding the lease; look again every IDLE_SECONDS; return when stopped."""
        try:
            while not self._stopping.is_set():
                try:
                    await self._round()
                except Exception:  # a locked or vanished database: never end the broadcasts
                    logger.exception("Alert broadcast round failed; trying again")
                    await self._pause(IDLE_SECONDS)
        finally:
            try:
                await asyncio.to_thread(self.store.release_lease, self.holder)
            except STORE_ERRORS as exc:  # a full disk must not stop the bot from stopping
                logger.warning("Alert lease not released (%s); it runs out by itself", exc)

    async def _round(self) -> None:
        held = await asyncio.to_thread(self.store.hold_lease, self.holder, self.lease_seconds)
        due = await asyncio.to_thread(self.store.due, BATCH) if held else []
        if due:
            await self._deliver(due)
        else:
            await self._pause(IDLE_SECONDS)

    def stop(self) -> None:
        """Finish the requests in flight, then return from run()."""
        self._stopping.set()

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _deliver(self, due: list[Delivery]) -> None:
        queue: asyncio.Queue[Delivery] = asyncio.Queue()
        for delivery in due:
            queue.put_nowait(delivery)
        renewed = time.monotonic()

        async def worker() -> None:
            nonlocal renewed
            while not queue.empty() and not self._stopping.is_set():
                # A batch can outlast the lease (429s, group limits): renew it on the way, and
                # stop when another process took it over (it sends the rest).
                if time.monotonic() - renewed > self.lease_seconds / 3:
                    renewed = time.monotonic()
                    if not await asyncio.to_thread(self.store.hold_lease, self.holder,
                                                   self.lease_seconds):  # fmt: skip
                        logger.warning("Alert lease lost to another process; it sends the rest")
                        return
                await self._send(queue.get_nowait())

        await asyncio.gather(*(worker() for _ in range(self.concurrency)))

    async def _send(self, delivery: Delivery) -> None:
        if not await asyncio.to_thread(self.store.claim, delivery):
            return  # another sender has it (a replica that took the lease over), or it is done
        token = SENDING.set(
            Marks(sending=lambda: self.store.sending(delivery),
                  refused=lambda: self.store.again(delivery))
        )  # fmt: skip
        try:
            message = await self.bot.send_message(
                delivery.chat_id, delivery.text, reply_markup=alert_buttons(delivery.doc_id)
            )
        except Forbidden:
            lost = self.store.gone(delivery.chat_id)
            logger.info("Alert chat=%s gone (403); unsubscribed, %d alerts dropped",
                        delivery.chat_id, lost)  # fmt: skip
        except RetryAfter as exc:  # still limited after PTB's own retries
            self.store.again(delivery)
            await self._pause(_seconds(exc.retry_after))
        except TimedOut:
            self.store.unknown(delivery)
            logger.warning("Alert %s chat=%s timed out; not sent again (at most once)",
                           delivery.alert_id, delivery.chat_id)  # fmt: skip
        except BadRequest as exc:
            if any(reason in str(exc).lower() for reason in _GONE):
                self.store.gone(delivery.chat_id)
            else:
                self.store.failed(delivery)
                logger.warning("Alert %s chat=%s refused: %s", delivery.alert_id,
                               delivery.chat_id, exc)  # fmt: skip
        except NetworkError as exc:
            self.store.again(delivery)
            logger.warning("Alert chat=%s not sent (%s); will retry", delivery.chat_id, exc)
            await self._pause(IDLE_SECONDS)
        else:
            self.store.sent(delivery, message.message_id)
        finally:
            SENDING.reset(token)


def _seconds(value: object) -> float:
    total = getattr(value, "total_seconds", None)
    return float(total()) if callable(total) else float(value)  # type: ignore[arg-type]
