"""Writes that follow an answer (question log, feedback, conversation turns), never in its way.

A citizen's answer must not depend on the bookkeeping around it: a question log locked by
another process (`BEGIN EXCLUSIVE`), a full disk or a database that is down would otherwise
turn a computed answer into an apology. So the channels send the reply first and hand the
writes to a `Bookkeeper`: each write runs on the bookkeeper's own thread (never one of the
worker threads answers run on, which a write stuck on a lock for its busy timeout would
take), is retried with tenacity, and if it still fails it is dropped, counted by kind and
logged once, without the user's text.

Writes run one after another, in the order they were queued: a feedback vote is checked
against its question after that question's write, as SQLite (one writer at a time) would
order them anyway. `settled` lets a reader that must see them (the follow-up reading the
last turn, /thongke, /nguon) wait for what is queued, for a bounded time. The one write a
reply waits for is the conversation's new turn, and for TURN_WAIT at most: another replica
may get the next message of that conversation, and should find the turn.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from bot import database

if TYPE_CHECKING:
    from bot.conversations import ConversationStore
    from retrieval import Conversation, Turn

logger = logging.getLogger(__name__)

# What a store raises when it cannot write: the database's errors (SQLite's locked, disk full,
# I/O; PostgreSQL's: bot.database.ERRORS) and the operating system's.
STORE_ERRORS: tuple[type[Exception], ...] = (*database.ERRORS, OSError)
ATTEMPTS = 3
BACKOFF = 0.5  # seconds before the second attempt, doubled before each next one
TURN_WAIT = 1.0  # seconds a reply waits for its conversation turn to be written, at most
MAX_QUEUED = 10_000  # beyond this many waiting writes, new ones are dropped (memory bounded)

T = TypeVar("T")


def new_key() -> str:
    """A question's key, chosen before it is logged, so its 👍 / 👎 buttons can name it."""
    return secrets.token_urlsafe(6)


async def read_or(default: T, read: Callable[[], T], *, kind: str) -> T:
    """A chat's setting or last turns, read in a worker thread; `default` if the store fails.

    What an answer reads of the chat (its province, its document, its last turns) narrows
    or explains the answer; without it the answer is still worth sending.
    """
    try:
        return await asyncio.to_thread(read)
    except STORE_ERRORS as exc:
        logger.warning("Reading the %s failed (%s); answering without it", kind, exc)
        return default


class Bookkeeper:
    """Runs the writes that follow answers, after them, retried, dropped and counted on failure.

    Args:
        attempts: tries of each write before it is dropped.
        backoff: seconds before the second try, doubled before each next one.
        errors: the failures that are retried and then dropped; anything else is a bug and
            is logged with its traceback (and dropped: the answer was sent already).
    """

    def __init__(
        self,
        *,
        attempts: int = ATTEMPTS,
        backoff: float = BACKOFF,
        errors: tuple[type[Exception], ...] = STORE_ERRORS,
    ) -> None:
        self.attempts = attempts
        self.backoff = backoff
        self.errors = errors
        self.dropped: Counter[str] = Counter()
        self.on_drop: Callable[[str], None] | None = None  # e.g. a metrics counter
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bookkeeping")
        self._queued: dict[asyncio.Future[bool], str | None] = {}

    def later(
        self, kind: str, write: Callable[[], Any], *, about: str | None = None
    ) -> asyncio.Future[bool]:
        """Queue a write ("question", "feedback", "conversation"); it never raises.

        Args:
            kind: what is written, for the drop counter and the log line.
            write: the store call, with its arguments bound (a lambda or functools.partial).
            about: the conversation the write belongs to, for `settled(about=)`.

        Returns:
            Done when the write is: True if written, False if dropped. Nobody has to wait.
        """
        loop = asyncio.get_running_loop()
        if len(self._queued) >= MAX_QUEUED:
            self._drop(kind, "queue full", 0)
            done: asyncio.Future[bool] = loop.create_future()
            done.set_result(False)
            return done
        future = loop.run_in_executor(self._executor, self._write, kind, write)
        self._queued[future] = about
        future.add_done_callback(self._queued.pop)
        return future

    @staticmethod
    async def within(write: asyncio.Future[bool], seconds: float) -> None:
        """Wait for one queued write for at most `seconds`; it goes on after that."""
        await asyncio.wait([write], timeout=seconds)

    async def settled(self, *, about: str | None = None, timeout: float = 2.0) -> None:
        """Wait (at most `timeout` seconds) for the queued writes, or those `about` one key."""
        waiting = [f for f, key in self._queued.items() if about is None or key == about]
        if waiting:
            await asyncio.wait(waiting, timeout=timeout)

    async def last_turns(
        self, conversations: ConversationStore, key: str, *, timeout: float = 2.0
    ) -> Conversation | None:
        """A conversation's turns once the writes queued for it are in (`timeout` at most).

        None when the store cannot be read: the message is then read as a question alone.
        """
        await self.settled(about=key, timeout=timeout)
        return await read_or(None, partial(conversations.load, key), kind="conversation")

    async def keep_turn(self, conversations: ConversationStore, key: str, turn: Turn) -> None:
        """Queue an answer's turn and wait for it TURN_WAIT at most, not more.

        A replica that gets the conversation's next message must find the turn there; a
        locked database costs that second, never the answer.
        """
        written = self.later("conversation", partial(conversations.add, key, turn), about=key)
        await self.within(written, TURN_WAIT)

    async def close(self, *, timeout: float = 5.0) -> None:
        """On shutdown: let the queued writes finish for a while, then drop the rest."""
        await self.settled(timeout=timeout)
        left = len(self._queued)
        if left:
            self.dropped["unfinished"] += left
            logger.warning("Dropped %d bookkeeping writes still queued at shutdown", left)
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _write(self, kind: str, write: Callable[[], Any]) -> bool:
        def log_retry(state: Any) -> None:
            failure = state.outcome.exception() if state.outcome else None
            logger.info(
                "A %s write failed (%s); try %d of %d",
                kind, type(failure).__name__, state.attempt_number + 1, self.attempts,
            )  # fmt: skip

        retrying = Retrying(
            retry=retry_if_exception_type(self.errors),
            stop=stop_after_attempt(self.attempts),
            wait=wait_exponential(multiplier=self.backoff),
            before_sleep=log_retry,
            sleep=time.sleep,
            reraise=True,
        )
        try:
            retrying(write)
        except self.errors as exc:
            self._drop(kind, f"{type(exc).__name__}: {exc}", self.attempts)
            return False
        except Exception:  # the answer is sent; a bug here must not stop the next writes
            logger.exception("A %s write failed with an unexpected error; dropped", kind)
            self._drop(kind, "unexpected error", 1)
            return False
        return True

    def _drop(self, kind: str, why: str, attempts: int) -> None:
        self.dropped[kind] += 1
        if self.on_drop is not None:
            self.on_drop(kind)
        # Store errors name the failure ("database is locked"), never the row's content.
        logger.warning("Dropped a %s write after %d attempts: %s", kind, attempts, why)
