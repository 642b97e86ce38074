"""The Zalo OA channel end to end: signed events posted to the real webhook of `chithi serve`,
answers sent to a local stand-in of Zalo's API that enforces Zalo's limits."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot import messages
from bot.alerts import AlertStore
from bot.chat_log import ChatLog
from bot.settings import Settings
from bot.web import build_app
from bot.zalo import MAX_TEXT, ZaloStore
from retrieval import Answerer, Library
from tests.bot.harness import wait_until
from tests.helpers.fake_zalo import APP_ID, APP_SECRET, OA_SECRET, FakeZalo
from tests.helpers.http_server import ServerHandle, serve_in_thread

FIVE_K = "Khẩu trang - Khử khuẩn - Khoảng cách - Không tập trung - Khai báo y tế"
PUBLIC = "https://hoidap.example.gov.vn"


@pytest.fixture(scope="module")
def zalo_server() -> Iterator[tuple[FakeZalo, ServerHandle]]:
    fake = FakeZalo()
    with serve_in_thread(fake) as server:
        yield fake, server


async def eventually(condition: Callable[[], bool], *, timeout: float = 60.0) -> None:
    """Wait until the condition holds (the channel records an outcome after Zalo answers)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true"
        await asyncio.sleep(0.02)


@dataclass
class Channel:
    """The running web app with its Zalo webhook, the stand-in, and what they share."""

    zalo: FakeZalo
    webhook: str
    url: str
    http: httpx.AsyncClient
    log: ChatLog
    store: ZaloStore

    async def user(self, name: str, user_id: str, text: str = "") -> httpx.Response:
        return await self.zalo.post(self.webhook, name, user_id, text=text, client=self.http)

    async def ask(self, user_id: str, text: str) -> str:
        """The user writes; the OA's next text to them."""
        before = len(self.zalo.texts(user_id))
        response = await self.user("user_send_text", user_id, text)
        assert response.status_code == 200, response.text
        return (await self.zalo.await_texts(user_id, before + 1))[before]


@pytest.fixture
async def channel(
    zalo_server: tuple[FakeZalo, ServerHandle],
    tmp_path: Path,
    bundled_library: Library,
    answerer: Answerer,
) -> AsyncIterator[Channel]:
    fake, server = zalo_server
    fake.reset()
    settings = Settings.from_env(
        {
            "CHITHI_DATA_DIR": str(tmp_path),
            "CHITHI_ADMIN_TOKEN": "admin-secret",
            "CHITHI_PUBLIC_URL": PUBLIC,
            "CHITHI_ZALO_APP_ID": APP_ID,
            "CHITHI_ZALO_APP_SECRET": APP_SECRET,
            "CHITHI_ZALO_OA_SECRET": OA_SECRET,
            "CHITHI_ZALO_REFRESH_TOKEN": fake.refresh_token,
            "CHITHI_ZALO_API_URL": server.url,
            "CHITHI_ZALO_OAUTH_URL": server.url,
        }
    )
    log = ChatLog(tmp_path / "questions.sqlite3")
    app = build_app(settings, library=bundled_library, answerer=answerer, chat_log=log)
    with serve_in_thread(app, lifespan=True) as web:
        async with httpx.AsyncClient(timeout=60) as http:
            yield Channel(
                fake, f"{web.url}/zalo/webhook", web.url, http, log, ZaloStore(log.database)
            )


async def test_a_citizen_follows_asks_5k_and_gets_the_compact_answer(
    channel: Channel, answerer: Answerer
) -> None:
    await channel.user("follow", "1001")
    [welcome] = await channel.zalo.await_texts("1001", 1)
    assert welcome.startswith("Xin chào!")
    assert "• 5K là gì?" in welcome

    reply = await channel.ask("1001", "5k la gi")

    assert len(reply) <= MAX_TEXT
    lead, source = reply.split("\n\n")[:2]
    assert FIVE_K in lead
    assert source.startswith("[1] Gia Lai · TB 16/9/2021 · mục 8\n“")
    quote = source.split("\n", 1)[1].strip("“”").removesuffix("…")
    expected = await answerer.answer("5k la gi")
    assert quote in expected.citations[0].quote  # verbatim, maybe cut at a sentence
    assert FIVE_K in quote
    assert reply.endswith(messages.ZALO_FULL_ANSWER.format(url=f"{PUBLIC}/?q=5k%20la%20gi"))
    wait_until(lambda: channel.log.stats().asked == 1)  # written after the reply
    scraped = (await channel.http.get(f"{channel.url}/metrics")).text
    assert 'chithi_answers_total{channel="zalo",mode="extractive",status="answered"} 1.0' in scraped


async def test_a_follow_up_sent_before_the_first_answer_is_read_in_its_conversation(
    channel: Channel,
) -> None:
    await channel.user("user_send_text", "1002", "Huyện An Biên giãn cách theo chỉ thị nào?")
    await channel.user("user_send_text", "1002", "Còn Rạch Giá thì sao?")  # no wait between
    first, reply = await channel.zalo.await_texts("1002", 2)
    assert "An Biên" in first
    assert reply.startswith(
        messages.UNDERSTOOD_AS.format(question="Rạch Giá giãn cách theo chỉ thị nào?")
    )
    assert "Chỉ thị 16/CT-TTg" in reply
    other = await channel.ask("1003", "Còn Rạch Giá thì sao?")  # another user: no context
    assert not other.startswith(messages.UNDERSTOOD_AS.split("{")[0])


async def test_a_forged_a_stale_or_a_replayed_event_changes_nothing(channel: Channel) -> None:
    zalo, http = channel.zalo, channel.http
    zalo.user_acts("follow", "1004")  # a follower writes; Zalo opens the reply window
    forged = zalo.event("user_send_text", "1004", text="5k la gi", secret="guessed")
    other_app = zalo.event("user_send_text", "1004", text="5k la gi", app_id="42")
    stale = zalo.event("user_send_text", "1004", text="5k la gi", age=3600)
    tampered_body, headers = zalo.event("user_send_text", "1004", text="5k la gi")
    tampered = (tampered_body.replace(b"5k la gi", b"5t la gi"), headers)
    statuses = [
        (await http.post(channel.webhook, content=body, headers=headers)).status_code
        for body, headers in (forged, other_app, stale, tampered)
    ]
    unsigned = await http.post(channel.webhook, content=forged[0])
    deep = await http.post(channel.webhook, content=b"[" * 5000 + b"]" * 5000)
    assert statuses == [401, 401, 403, 401]
    assert unsigned.status_code == 401
    assert deep.status_code == 400  # JSON nested thousands deep: refused, not a crash

    genuine = zalo.event("user_send_text", "1004", text="5k la gi")
    first = await http.post(channel.webhook, content=genuine[0], headers=genuine[1])
    again = await http.post(channel.webhook, content=genuine[0], headers=genuine[1])
    assert (first.json(), again.json()) == ({"status": "ok"}, {"status": "duplicate"})
    await zalo.await_texts("1004", 1)
    await channel.ask("1004", "hướng dẫn")  # later events are answered in order
    assert len(zalo.texts("1004")) == 2  # the replay got no second answer
    wait_until(lambda: channel.log.stats().asked == 1)  # written after the reply


async def test_an_expired_token_is_refreshed_without_losing_the_reply(channel: Channel) -> None:
    first = await channel.ask("1005", "5k la gi")
    assert FIVE_K in first
    seeded = channel.zalo.refreshes
    channel.zalo.expire_tokens()  # Zalo now refuses the token the channel holds

    second = await channel.ask("1005", "cach ly tap trung bao nhieu ngay")

    assert "ngày" in second
    assert channel.zalo.refreshes == seeded + 1
    assert [code for _, code in channel.zalo.refused] == [-216]
    stored = channel.store.tokens()
    assert stored is not None
    assert stored.refresh_token == channel.zalo.refresh_token
    await eventually(lambda: channel.store.counts().sent == 2)


async def test_a_quota_error_is_reported_and_not_retried(channel: Channel) -> None:
    channel.zalo.quota = 0
    response = await channel.user("user_send_text", "1006", "5k la gi")
    assert response.status_code == 200
    await channel.zalo.await_refusals(1)
    await channel.user("user_send_text", "1007", "huong dan")  # Zalo refuses this one too
    await channel.zalo.await_refusals(2)
    channel.zalo.quota = None
    await channel.ask("1006", "huong dan")
    assert channel.zalo.refused == [("1006", -211), ("1007", -211)]  # each tried once
    await eventually(lambda: channel.store.counts().refused == ((-211, 2),))
    await eventually(lambda: channel.store.counts().sent == 1)
    stats = (
        await channel.http.get(
            f"{channel.url}/api/stats", headers={"Authorization": "Bearer admin-secret"}
        )
    ).json()
    assert (stats["zalo_sent"], stats["zalo_refused"]) == (1, 2)
    assert stats["zalo_refused_codes"] == {"-211": 2}


async def test_fifty_users_asking_at_once_are_each_answered_once(channel: Channel) -> None:
    channel.zalo.rate_per_second = 10  # Zalo's rate error, retried until it lets them through
    users = [str(2000 + n) for n in range(50)]
    responses = await asyncio.gather(
        *(channel.user("user_send_text", u, "5k la gi") for u in users)
    )
    assert {r.status_code for r in responses} == {200}
    for user in users:
        await channel.zalo.await_texts(user, 1, timeout=180)
    await channel.ask(users[0], "huong dan")  # anything still in flight for users[0] is out
    assert all(len(channel.zalo.texts(u)) == 1 for u in users[1:])
    assert all(FIVE_K in channel.zalo.texts(u)[0] for u in users)


async def test_province_filter_and_follows_in_words(channel: Channel) -> None:
    done = await channel.ask("1008", "tinh kien giang")
    assert done == messages.ZALO_PROVINCE_SET.format(province="Kiên Giang")
    answer = await channel.ask("1008", "giãn cách từ ngày nào?")
    assert "Kiên Giang" in answer
    question = await channel.ask("1008", "tỉnh Kiên Giang giãn cách từ ngày nào?")
    assert "Kiên Giang" in question
    assert "Từ giờ" not in question

    followed = await channel.ask("1008", "theo dõi Gia Lai")
    assert followed.startswith("🔔 Đã theo dõi Gia Lai.")
    alerts = AlertStore(channel.log.database)
    alerts.queue("doc-x", "v1", "Gia Lai", "🔔 Văn bản mới của Gia Lai:\n<b>Thông báo &amp; x</b>")
    alerts.queue("doc-y", "v1", "Bến Tre", "🔔 Văn bản mới của Bến Tre:\n<b>Khác</b>")
    await channel.user("user_send_text", "1008", "huong dan")  # in Zalo's window, the alert
    texts = await channel.zalo.await_texts("1008", 6)  # follows a reply (this one or the last)
    assert "🔔 Văn bản mới của Gia Lai:\nThông báo & x" in texts[4:]
    await channel.ask("1008", "huong dan")  # …and once only
    assert sum("🔔 Văn bản mới" in t for t in channel.zalo.texts("1008")) == 1
    assert await channel.ask("1008", "theo doi") == messages.ZALO_FOLLOW_LIST.format(
        provinces="Gia Lai"
    )
    unknown = await channel.ask("1008", "theo doi Atlantis")
    assert unknown == messages.ZALO_FOLLOW_UNKNOWN.format(name="Atlantis")

    await channel.user("unfollow", "1008")
    await channel.user("follow", "1008")
    await channel.zalo.await_texts("1008", 10)  # the welcome again
    assert channel.store.follows("1008") == []
    assert channel.store.province("1008") is None


async def test_an_image_or_a_file_gets_a_polite_line(channel: Channel) -> None:
    await channel.user("user_send_image", "1009")
    await channel.user("user_send_file", "1009")
    assert await channel.zalo.await_texts("1009", 2) == [messages.ZALO_NON_TEXT] * 2


async def test_a_long_message_is_refused_politely_and_a_huge_body_unread(channel: Channel) -> None:
    reply = await channel.ask("1010", "cách ly " * 400)
    assert "1000" in reply
    assert len(reply) <= MAX_TEXT
    body, headers = channel.zalo.event("user_send_text", "1010", text="x" * 70_000)
    response = await channel.http.post(channel.webhook, content=body, headers=headers)
    assert response.status_code == 413


async def test_tokens_secrets_and_questions_stay_out_of_the_info_log(
    channel: Channel, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    channel.zalo.expire_tokens()  # a refresh happens while the log is captured
    await channel.ask("1011", "cach ly tap trung bao nhieu ngay")
    stored = channel.store.tokens()
    assert stored is not None
    logged = caplog.text
    assert "user=1011" in logged
    secrets = (stored.access_token, stored.refresh_token, APP_SECRET, OA_SECRET)
    for secret in (*secrets, "cach ly tap trung"):
        assert secret not in logged
