"""Every message the OA sends goes through `Sender.send`: window, token, outcome.

Zalo lets an OA reply free within a window after the user's last message (store.py holds
the figures); a message past it would be a paid proactive message, so it is not sent. An
access token Zalo refuses is refreshed and the message tried once more (Zalo refused it, so
it was not shown); any other refusal is logged with its code and counted, never retried.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from bot.zalo.api import ZaloApi
from bot.zalo.errors import ZaloApiError, ZaloUnknownError
from bot.zalo.store import ZaloStore
from bot.zalo.tokens import TokenKeeper

logger = logging.getLogger(__name__)

Kind = Literal["answer", "welcome", "command", "non_text", "alert"]
MAX_CONCURRENT_SENDS = 8  # a burst of answers waits here rather than in Zalo's rate limit


class Sender:
    """Sends texts to users within Zalo's rules, and records what happened to each.

    Args:
        store: the users' windows and the send counts.
        api: Zalo's message API.
        tokens: the access token.
    """

    def __init__(self, store: ZaloStore, api: ZaloApi, tokens: TokenKeeper) -> None:
        self._store = store
        self._api = api
        self._tokens = tokens
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_SENDS)

    async def send(self, user_id: str, text: str, *, kind: Kind) -> bool:
        """Send one text; True when Zalo accepted it.

        Args:
            user_id: the recipient.
            text: at most 2,000 characters (the renderers keep to it).
            kind: what the message is, for the counts.
        """
        if not await asyncio.to_thread(self._store.take_reply, user_id):
            logger.info("Zalo %s to user=%s not sent: outside the reply window", kind, user_id)
            await asyncio.to_thread(self._store.record_send, kind, "window_closed")
            return False
        async with self._slots:
            outcome, code = await self._deliver(user_id, text, kind)
        await asyncio.to_thread(self._store.record_send, kind, outcome, code)
        return outcome == "sent"

    async def _deliver(self, user_id: str, text: str, kind: Kind) -> tuple[str, int | None]:
        token = ""
        try:
            token = await self._tokens.access_token()
            try:
                message_id = await self._api.send_text(token, user_id, text)
            except ZaloApiError as exc:
                if not exc.token_invalid:
                    raise
                logger.info("Zalo refused the access token (code %d); refreshing", exc.code)
                token = await self._tokens.refresh(refused=token)
                message_id = await self._api.send_text(token, user_id, text)
        except ZaloApiError as exc:
            logger.warning("Zalo refused %s to user=%s: code %d (%s)", kind, user_id, exc.code, exc)
            return "refused", exc.code
        except ZaloUnknownError as exc:
            logger.warning("Zalo %s to user=%s: %s; not sent again", kind, user_id, exc)
            return "unknown", None
        logger.info("Zalo %s to user=%s sent: message=%s", kind, user_id, message_id)
        return "sent", None
