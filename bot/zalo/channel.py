"""What the OA does with each event: answer a question, run a command, greet, forget.

Every question goes through the one answer path, `Answerer.answer`, in the user's
conversation ("zalo:USER"), and the Answer is rendered by render.py. A user's events are
handled one at a time, in the order they came; different users' at the same time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot import messages
from bot.alerts import MAX_SUBSCRIPTIONS, AlertStore
from bot.bookkeeping import TURN_WAIT, Bookkeeper, read_or
from bot.chat_log import ChatLog
from bot.conversations import ConversationStore, conversation_key
from bot.metrics import Metrics
from bot.zalo import render
from bot.zalo.commands import Command, read_command
from bot.zalo.events import ZaloEvent
from bot.zalo.sender import Kind, Sender
from bot.zalo.store import ZaloStore
from retrieval import Answerer, SearchFilters
from retrieval.text import resolve_province

logger = logging.getLogger(__name__)

MAX_ALERTS_AT_ONCE = 3  # a user back after a week gets the three newest, not a flood


class ZaloChannel:
    """The OA's side of each conversation.

    Args:
        answerer: the one answer path.
        store: the users' filters, follows and windows.
        sender: sends within Zalo's rules.
        log: the question log (Zalo questions are logged with chat type "zalo", no ids).
        conversations: each user's recent turns.
        alerts: the alerts every ingest queues (read here, delivered in the reply window).
        hotline: named in the help text.
        public_url: the web console's public address, for the "full answer" link.
    """

    def __init__(
        self,
        answerer: Answerer,
        *,
        store: ZaloStore,
        sender: Sender,
        log: ChatLog,
        conversations: ConversationStore,
        books: Bookkeeper,
        alerts: AlertStore,
        hotline: str,
        public_url: str | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.answerer = answerer
        self.store = store
        self.sender = sender
        self.log = log
        self.conversations = conversations
        self.books = books
        self.metrics = metrics
        self.alerts = alerts
        self.hotline = hotline
        self.public_url = public_url
        self._turns: dict[str, tuple[asyncio.Lock, int]] = {}  # user: (lock, tasks using it)

    @asynccontextmanager
    async def _turn_of(self, user_id: str) -> AsyncIterator[None]:
        lock, users = self._turns.get(user_id, (asyncio.Lock(), 0))
        self._turns[user_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._turns[user_id]
            if users == 1:
                del self._turns[user_id]  # nobody else waits for this user: keep the map small
            else:
                self._turns[user_id] = (lock, users - 1)

    async def handle(self, event: ZaloEvent) -> None:
        """Act on one event (after the webhook acknowledged it)."""
        async with self._turn_of(event.user_id):
            if event.name == "unfollow":
                await asyncio.to_thread(self.store.forget, event.user_id)
                await asyncio.to_thread(self.conversations.reset, self._key(event.user_id))
                logger.info("Zalo user=%s unfollowed: forgotten", event.user_id)
                return
            await asyncio.to_thread(self.store.heard_from, event.user_id)
            if event.name == "follow":
                await self._say(event.user_id, self._welcome(), kind="welcome")
            elif event.non_text:
                await self._say(event.user_id, messages.ZALO_NON_TEXT, kind="non_text")
            else:
                await self._text(event.user_id, event.text)
            await self._deliver_alerts(event.user_id)

    async def apologise(self, user_id: str) -> None:
        """Tell the user something went wrong (the webhook's error handler calls this)."""
        await self._say(user_id, messages.SORRY, kind="command")

    async def deliver_owed_alerts(self) -> None:
        """Send followers the alerts owed to them while their reply window is open."""
        for user_id in await asyncio.to_thread(self.store.open_windows):
            async with self._turn_of(user_id):
                await self._deliver_alerts(user_id)

    # -- what a text is ---------------------------------------------------------------------

    async def _text(self, user_id: str, text: str) -> None:
        command = read_command(text)
        reply = await self._command(user_id, command) if command else None
        if reply is not None:
            await self._say(user_id, reply, kind="command")
        else:
            await self._answer(user_id, text)

    async def _command(self, user_id: str, command: Command) -> str | None:
        """The reply to a command; None when it turns out to be a question."""
        store, name = self.store, command.argument
        if command.kind == "help":
            return messages.ZALO_HELP.format(hotline=self.hotline)
        if command.kind == "reset":
            await asyncio.to_thread(self.conversations.reset, self._key(user_id))
            return messages.CONTEXT_RESET
        if command.kind == "all_provinces":
            await asyncio.to_thread(store.set_province, user_id, None)
            return messages.PROVINCE_CLEARED
        if command.kind == "follows":
            followed = await asyncio.to_thread(store.follows, user_id)
            if not followed:
                return messages.ZALO_FOLLOW_NONE
            return messages.ZALO_FOLLOW_LIST.format(provinces=", ".join(followed))
        province = resolve_province(name)
        if command.kind == "province":
            if province is None:
                return None  # "tỉnh nào giãn cách" and the like
            if province not in self.answerer.library.provinces:
                return messages.NO_DOCUMENTS_IN.format(province=province)
            await asyncio.to_thread(store.set_province, user_id, province)
            return messages.ZALO_PROVINCE_SET.format(province=province)
        if command.kind == "unfollow":
            if province is None:
                return None
            done = await asyncio.to_thread(store.unfollow, user_id, province)
            template = messages.UNFOLLOW_DONE if done else messages.UNFOLLOW_NOT
            return template.format(province=province)
        return await self._follow(user_id, name, province)

    async def _follow(self, user_id: str, name: str, province: str | None) -> str:
        if province is None:
            return messages.ZALO_FOLLOW_UNKNOWN.format(name=name)
        if province in await asyncio.to_thread(self.store.follows, user_id):
            return messages.FOLLOW_ALREADY.format(province=province)
        newest = await asyncio.to_thread(self.alerts.newest)
        if not await asyncio.to_thread(self.store.follow, user_id, province, newest_alert=newest):
            return messages.ZALO_FOLLOW_TOO_MANY.format(count=MAX_SUBSCRIPTIONS)
        logger.info("Zalo follow user=%s province=%s", user_id, province)
        return messages.ZALO_FOLLOW_DONE.format(province=province)

    # -- answering ----------------------------------------------------------------------------

    async def _answer(self, user_id: str, question: str) -> None:
        key = self._key(user_id)
        # What the answer reads of the chat narrows or explains it; without it (a locked or
        # full database) the answer is still worth sending.
        province = await read_or(None, lambda: self.store.province(user_id), kind="filter")
        conversation = await self.books.last_turns(self.conversations, key, timeout=TURN_WAIT)
        answer = await self.answerer.answer(
            question, filters=SearchFilters(province=province), conversation=conversation
        )
        if self.metrics is not None:
            self.metrics.answered("zalo", answer)
        text = render.answer_text(
            answer, catalog=self.answerer.library.catalog, public_url=self.public_url
        )
        await self._say(user_id, text, kind="answer")
        # After the reply, never in its way (bot.bookkeeping): the log, and the turn the next
        # message of this user is read against.
        self.books.later(
            "question",
            lambda: self.log.record(answer, user_id=None, chat_id=None, chat_type="zalo",
                                    province=province),
        )  # fmt: skip
        if answer.turn is not None:
            await self.books.keep_turn(self.conversations, key, answer.turn)

    async def _deliver_alerts(self, user_id: str) -> None:
        followed = await asyncio.to_thread(self.store.follows, user_id)
        if not followed:
            return
        seen = await asyncio.to_thread(self.store.last_alert, user_id)
        owed = await asyncio.to_thread(self.alerts.queued_since, seen, followed)
        free = await asyncio.to_thread(self.store.free_replies, user_id)
        if not owed or not free:
            return  # a shut window keeps them for the user's next message
        newest = owed[-1][0]
        if not await asyncio.to_thread(self.store.claim_alerts, user_id, seen, newest):
            return  # another replica is delivering them
        for _, text in owed[-min(MAX_ALERTS_AT_ONCE, free) :]:
            await self._say(user_id, render.alert_text(text), kind="alert")

    async def _say(self, user_id: str, text: str, *, kind: Kind) -> None:
        await self.sender.send(user_id, text, kind=kind)

    def _welcome(self) -> str:
        examples = "\n".join(
            messages.ZALO_EXAMPLE.format(question=q) for q in messages.EXAMPLE_QUESTIONS
        )
        return messages.ZALO_WELCOME.format(examples=examples)

    @staticmethod
    def _key(user_id: str) -> str:
        return conversation_key("zalo", user_id)
