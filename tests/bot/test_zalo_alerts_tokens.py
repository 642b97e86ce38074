"""Province alerts on Zalo (only within Zalo's reply window) and the token kept fresh by one
replica at a time, against the local stand-in of Zalo's API."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.alerts import AlertStore
from bot.chat_log import ChatLog
from bot.database import Database
from bot.settings import Settings
from bot.wiring import build_conversations
from bot.zalo import ZaloApi, ZaloStore, ZaloWebhook, build_webhook
from bot.zalo.store import Tokens
from bot.zalo.tokens import TokenKeeper
from retrieval import Answerer
from tests.helpers.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo
from tests.helpers.http_server import ServerHandle, serve_in_thread


@pytest.fixture(scope="module")
def zalo_server() -> Iterator[tuple[FakeZalo, ServerHandle]]:
    fake = FakeZalo()
    with serve_in_thread(fake) as server:
        yield fake, server


@pytest.fixture
def fake(zalo_server: tuple[FakeZalo, ServerHandle]) -> FakeZalo:
    zalo_server[0].reset()
    return zalo_server[0]


def api(url: str) -> ZaloApi:
    return ZaloApi(api_url=url, oauth_url=url, app_id=APP_ID, app_secret=APP_SECRET)


@pytest.fixture
async def webhook(
    fake: FakeZalo, zalo_server: tuple[FakeZalo, ServerHandle], tmp_path: Path, answerer: Answerer
) -> AsyncIterator[ZaloWebhook]:
    url = zalo_server[1].url
    settings = Settings.from_env({
        "CHITHI_DATA_DIR": str(tmp_path), "CHITHI_ZALO_APP_ID": APP_ID,
        "CHITHI_ZALO_APP_SECRET": APP_SECRET, "CHITHI_ZALO_OA_SECRET": OA_SECRET,
        "CHITHI_ZALO_REFRESH_TOKEN": fake.refresh_token,
        "CHITHI_ZALO_API_URL": url, "CHITHI_ZALO_OAUTH_URL": url,
    })  # fmt: skip
    assert settings.zalo is not None
    log = ChatLog(settings.question_log_path)
    made = build_webhook(
        settings, settings.zalo, answerer, log=log,
        conversations=build_conversations(settings, log.database),
    )  # fmt: skip
    yield made
    await made.stop()


async def test_an_alert_reaches_a_follower_in_the_window_and_waits_for_one_outside_it(
    fake: FakeZalo, webhook: ZaloWebhook
) -> None:
    store = webhook.channel.store
    for user in ("3001", "3002"):
        fake.user_acts("follow", user)
        store.heard_from(user)
        store.follow(user, "Bến Tre", newest_alert=0)
    two_days_ago = time.time() - 49 * 3600
    store.heard_from("3002", now=two_days_ago)  # silent for two days: Zalo's window is shut
    AlertStore(store.database).queue(
        "bt", "v1", "Bến Tre", "🔔 Văn bản mới của Bến Tre:\n<b>Chợ</b>"
    )

    await webhook.channel.deliver_owed_alerts()
    await webhook.channel.deliver_owed_alerts()  # a second round sends nothing again

    assert fake.texts("3001") == ["🔔 Văn bản mới của Bến Tre:\nChợ"]
    assert fake.texts("3002") == []
    assert fake.refused == []  # nothing was even tried outside the window


async def test_the_token_is_refreshed_before_it_expires_by_one_replica(
    fake: FakeZalo, zalo_server: tuple[FakeZalo, ServerHandle], database: Database
) -> None:
    url = zalo_server[1].url
    shared = ZaloStore(database)
    shared.seed(fake.refresh_token)
    clients = [api(url), api(url)]
    replicas = [TokenKeeper(ZaloStore(database), client) for client in clients]  # two hosts
    try:
        first = await asyncio.gather(*(r.access_token() for r in replicas))
        assert fake.refreshes == 1  # the single-use refresh token was used once
        assert first[0] == first[1]

        stored = shared.tokens()
        assert stored is not None
        shared.save_tokens(Tokens(stored.access_token, stored.refresh_token, time.time() + 60))
        second = await asyncio.gather(*(r.access_token() for r in replicas))
        assert fake.refreshes == 2  # refreshed ahead of the expiry, once
        assert second[0] == second[1] != first[0]
        assert await replicas[0].access_token() == second[0]  # fresh: no refresh
        assert fake.refreshes == 2
    finally:
        for client in clients:
            await client.aclose()
