"""A broadcast survives kill -9: after a restart every follower has the alert exactly once.

`chithi bot` runs as a real process against the local Bot API (with Telegram's flood limits
on, so the broadcast takes seconds); `chithi ingest` queues the alert as an administrator's
ingest would. The bot is killed with SIGKILL a third of the way through, then started again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.alerts import AlertStore
from tests.bot.test_telegram_admin import MARKET
from tests.helpers.fake_telegram import Call, FakeTelegram
from tests.helpers.http_server import ServerHandle, serve_in_thread

FOLLOWERS = list(range(700_001, 700_301))  # 300 chats: 11 s at 28 messages a second
CHITHI = Path(sys.executable).with_name("chithi")
TOKEN = "123456:CRASH-test-token"


@pytest.fixture
def limited_api() -> Iterator[tuple[FakeTelegram, ServerHandle]]:
    fake = FakeTelegram(flood_limits=True)
    with serve_in_thread(fake) as server:
        yield fake, server


def _environment(data_dir: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CHITHI_", "TELEGRAM_"))}
    env.update(
        CHITHI_DATA_DIR=str(data_dir), TELEGRAM_BOT_TOKEN=TOKEN,
        CHITHI_TELEGRAM_API_URL=f"{url}/bot", CHITHI_TELEGRAM_FILE_URL=f"{url}/file/bot",
        CHITHI_ALERT_LEASE_SECONDS="2", PTB_TIMEDELTA="1",
    )  # fmt: skip
    return env


def _alerts(fake: FakeTelegram) -> dict[int, int]:
    """Chat -> alerts the Bot API accepted for it."""
    counts: dict[int, int] = {}
    for call in fake.calls("sendMessage"):
        if call.status == 200 and str(call.params.get("text", "")).startswith("🔔 Văn bản"):
            chat = int(call.params["chat_id"])
            counts[chat] = counts.get(chat, 0) + 1
    return counts


def _wait(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the broadcast did not get there in time")
        time.sleep(0.005)


def test_a_broadcast_killed_midway_is_finished_after_restart_each_alert_once(
    index_copy: Path, tmp_path: Path, limited_api: tuple[FakeTelegram, ServerHandle]
) -> None:
    fake, server = limited_api
    env = _environment(index_copy, server.url)
    store = AlertStore(index_copy / "questions.sqlite3")
    store.subscribe_many(FOLLOWERS, "Bến Tre")
    notice = tmp_path / "ben-tre-cho.txt"
    notice.write_text(MARKET, encoding="utf-8")
    ingest = subprocess.run([CHITHI, "ingest", str(notice)], env=env, capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr
    assert "alerts queued for 300 subscribed chats" in ingest.stderr

    first = subprocess.Popen([CHITHI, "bot"], env=env, stderr=subprocess.DEVNULL)
    killed = threading.Event()

    def kill_between_sends(call: Call) -> None:
        # Just after the Bot API answered the 100th alert: the bot marks it sent, then waits
        # for the rate limiter (1/28 s) before its next request.
        if not killed.is_set() and len(_alerts(fake)) >= len(FOLLOWERS) // 3:
            killed.set()
            time.sleep(0.005)
            first.send_signal(signal.SIGKILL)

    fake.after_call = kill_between_sends
    try:
        _wait(killed.is_set, timeout=180)
    finally:
        first.wait(timeout=60)
        fake.after_call = None
    assert len(_alerts(fake)) < len(FOLLOWERS)

    second = subprocess.Popen([CHITHI, "bot"], env=env, stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: len(_alerts(fake)) == len(FOLLOWERS), timeout=180)
        time.sleep(2)  # a duplicate would come now
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    delivered = _alerts(fake)
    assert sorted(delivered) == FOLLOWERS
    assert set(delivered.values()) == {1}
    counts = store.counts()
    assert counts.pending == counts.sending == 0
    assert counts.sent == len(FOLLOWERS)  # none was in flight when killed: none is unknown
