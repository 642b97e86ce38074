"""The two Zalo calls the channel makes: send a customer-service text, refresh the tokens.

Zalo answers HTTP 200 with a JSON body whose "error" is 0 on success and a negative code
otherwise; `_checked` turns the codes into `ZaloApiError`s in one place. Transient failures
(the request never reached Zalo, Zalo's own gateway failed, the per-minute rate limit) are
retried with tenacity; a request whose answer was lost (a read timeout) is not, since Zalo
may have shown the message: a reply is sent at most once.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from bot.zalo.errors import ZaloApiError, ZaloUnknownError
from bot.zalo.store import Tokens

logger = logging.getLogger(__name__)

MAX_TEXT = 2000  # characters of a text message, as Zalo's message API states it
SEND_PATH = "/v3.0/oa/message/cs"
REFRESH_PATH = "/v4/oa/access_token"
TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def _transient(failure: BaseException) -> bool:
    return isinstance(failure, ZaloApiError) and failure.transient


class ZaloApi:
    """Zalo's OA Open API and OAuth v4 over one httpx client.

    Args:
        api_url: the OA Open API (https://openapi.zalo.me, or a stand-in).
        oauth_url: the OAuth server (https://oauth.zaloapp.com, or a stand-in).
        app_id: the app linked to the OA.
        app_secret: the app's secret key (sent only to the OAuth server).
        attempts: tries of a call that fails transiently.
        backoff: seconds before the first retry (doubled for each next one).
    """

    def __init__(
        self,
        *,
        api_url: str,
        oauth_url: str,
        app_id: str,
        app_secret: str,
        attempts: int = 6,
        backoff: float = 0.5,
    ) -> None:
        self._api_url = api_url.rstrip("/")
        self._oauth_url = oauth_url.rstrip("/")
        self._app_id = app_id
        self._app_secret = app_secret
        self._attempts = attempts
        self._backoff = backoff
        self._client: httpx.AsyncClient | None = None

    async def aclose(self) -> None:
        """Close the HTTP client (at shutdown)."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        # Made on first use, inside the serving event loop that will use it.
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=TIMEOUT)
        return self._client

    async def send_text(self, access_token: str, user_id: str, text: str) -> str:
        """Send one customer-service text message; returns Zalo's message id.

        Args:
            access_token: the OA's access token.
            user_id: the recipient (the id the OA's webhook events give).
            text: at most 2,000 characters.

        Raises:
            ZaloApiError: Zalo refused it (its code says why), after retries if transient.
            ZaloUnknownError: no answer came; the message may have been shown.
        """
        if len(text) > MAX_TEXT:
            raise ValueError(f"a Zalo text holds {MAX_TEXT} characters; got {len(text)}")
        body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
        data = await self._retrying(
            "send",
            lambda: self._http().post(
                self._api_url + SEND_PATH, json=body, headers={"access_token": access_token}
            ),
        )
        inner = data.get("data")
        return str(inner.get("message_id", "")) if isinstance(inner, dict) else ""

    async def refresh(self, refresh_token: str) -> Tokens:
        """Trade the (single-use) refresh token for a new access token and refresh token.

        Raises:
            ZaloApiError: the OAuth server refused (a spent or revoked refresh token).
            ZaloUnknownError: no answer came; the refresh token may be spent.
        """
        form = {"refresh_token": refresh_token, "app_id": self._app_id,
                "grant_type": "refresh_token"}  # fmt: skip
        data = await self._retrying(
            "refresh",
            lambda: self._http().post(
                self._oauth_url + REFRESH_PATH,
                data=form,
                headers={"secret_key": self._app_secret},
            ),  # fmt: skip
        )
        try:
            return Tokens(
                access_token=str(data["access_token"]),
                refresh_token=str(data["refresh_token"]),
                expires_at=time.time() + float(data["expires_in"]),
            )
        except (KeyError, ValueError, TypeError):
            raise ZaloApiError(0, "the token answer has no access_token/refresh_token/expires_in"
                               ) from None  # fmt: skip

    async def _retrying(self, call: str, request: Any) -> dict[str, Any]:
        def log_retry(state: RetryCallState) -> None:
            failure = state.outcome.exception() if state.outcome else None
            logger.warning(
                "Zalo %s failed (%s); retry %d of %d",
                call, failure, state.attempt_number, self._attempts - 1,
            )  # fmt: skip

        retrying = AsyncRetrying(
            retry=retry_if_exception(_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._backoff, max=8),
            before_sleep=log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return _checked(await _sent(request))
        raise AssertionError("unreachable: tenacity reraises")  # pragma: no cover


async def _sent(request: Any) -> httpx.Response:
    """The response, with transport failures sorted into "never sent" and "maybe sent"."""
    try:
        response: httpx.Response = await request()
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ZaloApiError(0, f"not sent: {type(exc).__name__}", transient=True) from exc
    except httpx.HTTPError as exc:
        raise ZaloUnknownError(f"no answer: {type(exc).__name__}") from exc
    return response


def _checked(response: httpx.Response) -> dict[str, Any]:
    if response.status_code in (502, 503, 504):  # Zalo's gateway did not pass it on
        raise ZaloApiError(0, f"HTTP {response.status_code}", transient=True)
    try:
        data = response.json()
    except ValueError:
        raise ZaloApiError(0, f"HTTP {response.status_code}, not JSON") from None
    if not isinstance(data, dict):
        raise ZaloApiError(0, f"HTTP {response.status_code}, not a JSON object")
    code = data.get("error", 0)
    if isinstance(code, int) and code != 0:
        message = str(data.get("message") or data.get("error_name") or "")
        raise ZaloApiError(code, message)
    if response.status_code != 200:
        raise ZaloApiError(0, f"HTTP {response.status_code}")
    return data
