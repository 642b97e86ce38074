"""The OA's access token, refreshed before it expires, by one replica at a time.

Zalo's refresh token is single-use: two replicas refreshing with the same one would leave
one of them (and then everyone) with a spent token. So a refresh happens under a lease in
the shared database, and whoever waits for it reads the new pair from there.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time

from bot.zalo.api import ZaloApi
from bot.zalo.errors import ZaloApiError
from bot.zalo.store import Tokens, ZaloStore

logger = logging.getLogger(__name__)

# Refresh this long before the access token expires (Zalo's last for about 25 hours), so a
# reply never waits on an expired token, and the background check has many chances.
REFRESH_MARGIN = 3600.0
LEASE_SECONDS = 30.0
WAIT_STEP = 0.2


class TokenKeeper:
    """Hands out a valid access token; refreshes it when it is near its end or refused.

    Args:
        store: where the tokens live (shared by the replicas).
        api: Zalo's OAuth call.
        margin: seconds before expiry at which the token is refreshed.
    """

    def __init__(self, store: ZaloStore, api: ZaloApi, *, margin: float = REFRESH_MARGIN) -> None:
        self._store = store
        self._api = api
        self._margin = margin
        self._holder = secrets.token_hex(8)
        self._lock = asyncio.Lock()

    def _fresh(self, tokens: Tokens | None, *, not_this: str | None = None) -> bool:
        return (
            tokens is not None
            and bool(tokens.access_token)
            and tokens.access_token != not_this
            and tokens.expires_at - time.time() > self._margin
        )

    async def access_token(self) -> str:
        """A valid access token (refreshed first if it expires within the margin).

        Raises:
            ZaloApiError: the refresh failed (a spent refresh token: authorise again).
        """
        tokens = await asyncio.to_thread(self._store.tokens)
        if self._fresh(tokens) and tokens is not None:
            return tokens.access_token
        return await self.refresh()

    async def refresh(self, refused: str | None = None) -> str:
        """Refresh the tokens, unless another task or replica just did; returns the new one.

        Args:
            refused: an access token Zalo refused; it is not handed out again.
        """
        async with self._lock:  # one refresh per process; the lease does it across replicas
            if refused is not None:
                await asyncio.to_thread(self._store.expire, refused)
            deadline = time.monotonic() + 2 * LEASE_SECONDS
            while True:
                tokens = await asyncio.to_thread(self._store.tokens)
                if self._fresh(tokens, not_this=refused) and tokens is not None:
                    return tokens.access_token
                if await asyncio.to_thread(self._store.hold_lease, self._holder, LEASE_SECONDS):
                    break
                if time.monotonic() > deadline:
                    raise ZaloApiError(0, "another replica holds the token refresh too long")
                await asyncio.sleep(WAIT_STEP)
            try:
                tokens = await asyncio.to_thread(self._store.tokens)
                if self._fresh(tokens, not_this=refused) and tokens is not None:
                    return tokens.access_token
                if tokens is None:
                    raise ZaloApiError(0, "no refresh token stored (CHITHI_ZALO_REFRESH_TOKEN)")
                new = await self._api.refresh(tokens.refresh_token)
                await asyncio.to_thread(self._store.save_tokens, new)
                logger.info(
                    "Zalo access token refreshed; valid %.0f s", new.expires_at - time.time()
                )
                return new.access_token
            finally:
                await asyncio.to_thread(self._store.release_lease, self._holder)
