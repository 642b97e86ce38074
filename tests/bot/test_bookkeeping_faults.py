"""The answer never depends on bookkeeping: a locked question log, a full disk, forged votes.

The question log, the feedback and the conversation's new turn are written after the reply
(bot/bookkeeping.py), retried, and dropped with a counter and one log line if they still
fail. Each case is made for real: another process holding `BEGIN EXCLUSIVE` on the log, a
tmpfs filled to the last byte (tests/helpers/disk_faults.py).
"""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from bot.chat_log import ChatLog
from bot.settings import Settings
from bot.web import build_app
from retrieval import Answerer, Library
from tests.bot.harness import FIVE_K, RunningBot, buttons, started_bot, wait_until
from tests.helpers.disk_faults import fill, locked_database, small_disk
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import callback_update, text_update

ADMIN = {"Authorization": "Bearer admin-secret"}


def dropped_lines(caplog: pytest.LogCaptureFixture, kind: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.bookkeeping" and r.getMessage().startswith(f"Dropped a {kind} write")
    ]


def web_client(library: Library, answerer: Answerer, data_dir: Path) -> TestClient:
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(data_dir), "CHITHI_ADMIN_TOKEN": "admin-secret"}
    )
    return TestClient(build_app(settings, library=library, answerer=answerer))


# -- a write lock held by another process ----------------------------------------------------


async def test_telegram_answers_while_another_process_locks_the_log(
    bot: RunningBot, tmp_path: Path
) -> None:
    log_path = tmp_path / "data" / "questions.sqlite3"
    with locked_database(log_path):
        [answer] = await bot.send(text_update("5K là gì?"))
        assert answer.plain_text.startswith(FIVE_K)
    await bot.settled()  # the lock is gone: the write that waited for it goes in
    assert ChatLog(log_path).stats().asked == 1


def test_the_web_api_answers_while_another_process_locks_the_log(
    bundled_library: Library, answerer: Answerer, tmp_path: Path
) -> None:
    with web_client(bundled_library, answerer, tmp_path) as client:
        with locked_database(tmp_path / "questions.sqlite3"):
            response = client.post("/api/ask", json={"question": "5K là gì?"})
            assert response.status_code == 200
            assert response.json()["status"] == "answered"
        wait_until(lambda: ChatLog(tmp_path / "questions.sqlite3").stats().asked == 1)


# -- a full disk ---------------------------------------------------------------------------


async def test_telegram_answers_on_a_full_disk_and_counts_the_dropped_writes(
    tg: FakeTelegram,
    url: str,
    answerer: Answerer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with small_disk(tmp_path / "disk") as disk:
        async with started_bot(tg, url, answerer, disk) as bot:
            fill(disk)
            with caplog.at_level(logging.WARNING, logger="bot.bookkeeping"):
                [answer] = await bot.send(text_update("5K là gì?"))
                assert answer.plain_text.startswith(FIVE_K)
                [again] = await bot.send(text_update("5K là gì?"))  # the bot keeps answering
                assert again.plain_text.startswith(FIVE_K)
                await bot.settled()
            assert bot.services.books.dropped["question"] == 2
    assert len(dropped_lines(caplog, "question")) == 2  # one line per dropped write
    assert "5K" not in caplog.text  # and never the question


def test_the_web_api_answers_on_a_full_disk(
    bundled_library: Library,
    answerer: Answerer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        small_disk(tmp_path / "disk") as disk,
        web_client(bundled_library, answerer, disk) as client,
    ):
        fill(disk)
        with caplog.at_level(logging.WARNING, logger="bot.bookkeeping"):
            response = client.post(
                "/api/ask", json={"question": "5K là gì?", "conversation_id": "tab-1"}
            )
            assert response.status_code == 200
            assert response.json()["status"] == "answered"
            wait_until(lambda: dropped_lines(caplog, "question"))
        assert dropped_lines(caplog, "conversation")  # the turn too, and nothing else lost
        metrics = client.get("/metrics").text
        assert 'chithi_bookkeeping_dropped_total{kind="question"} 1.0' in metrics
        again = client.post("/api/ask", json={"question": "5K là gì?", "conversation_id": "tab-1"})
        assert again.json()["status"] == "answered"


# -- votes on answers never given ----------------------------------------------------------


def _votes(path: Path) -> int:
    with closing(sqlite3.connect(path)) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM feedback").fetchone()[0])


async def test_feedback_is_stored_only_for_an_answer_given_in_that_chat(
    bot: RunningBot, tmp_path: Path
) -> None:
    [answer] = await bot.send(text_update("5K là gì?"))
    helpful = dict(buttons(answer))["👍 Hữu ích"]
    for data, chat in (("f:never-issued:1", 1001), (helpful, 2002), (helpful, 1001)):
        await bot.call(callback_update(data, chat_id=chat), "answerCallbackQuery")
    await bot.settled()
    assert _votes(tmp_path / "data" / "questions.sqlite3") == 1
