"""The question log (on SQLite and PostgreSQL), the per-user rate limiter, Telegram settings."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from bot.chat_log import ChatLog
from bot.database import Database
from bot.errors import ConfigError
from bot.settings import Settings
from bot.telegram.rate_limit import RateLimiter, Verdict
from retrieval import Answer, Citation
from retrieval.search import Query
from retrieval.types import Status

NOW = dt.datetime(2026, 3, 10, 12, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def answered(question: str, *paragraph_ids: str) -> Answer:
    citations = tuple(
        Citation(doc_id=p.split(":")[0], paragraph_id=p, title="T", date=None, section=None,
                 quote="q", score=1.0)
        for p in paragraph_ids
    )  # fmt: skip
    return Answer(question, "answered", "lead", citations=citations, latency_ms=12.5)


def asked(question: str, status: Status) -> Answer:
    """An answer without citations, keyed as the Answerer keys it."""
    return Answer(question, status, "x", key=Query.parse(question).key)


def test_log_counts_feedback_and_lists_the_most_asked_unanswered(database: Database) -> None:
    clock = Clock()
    log = ChatLog(database, clock=clock)
    key = log.record(answered("5K là gì?", "a:1", "b:2"), user_id=1, chat_id=1, chat_type="private")
    for spelling in ["Giá vàng hôm nay?", "gia vang hom nay", "GIÁ VÀNG HÔM NAY!!"]:
        log.record(asked(spelling, "not_found"), user_id=2, chat_id=2, chat_type="private")
    log.record(asked("Thời tiết?", "not_found"), user_id=2, chat_id=2, chat_type="group")
    log.record(asked("viết thơ", "refused"), user_id=3, chat_id=3, chat_type="private")
    log.record_feedback(key, 1, helpful=False)
    log.record_feedback(key, 1, helpful=True)  # a changed mind replaces the first vote
    log.record_feedback(key, 2, helpful=True)
    stats = log.stats()
    assert (stats.asked, stats.answered, stats.not_found, stats.refused) == (6, 1, 4, 1)
    assert (stats.helpful, stats.unhelpful) == (2, 0)
    assert stats.unanswered[0][1] == 3
    assert Query.parse(stats.unanswered[0][0]).key == "gia vang hom nay"
    assert stats.unanswered[1] == ("Thời tiết?", 1)
    assert log.last_citations(1) == ["a:1", "b:2"]
    assert log.last_citations(2) == []


def test_stats_cover_a_period(database: Database) -> None:
    clock = Clock(NOW - dt.timedelta(days=10))
    log = ChatLog(database, clock=clock)
    log.record(asked("cũ", "not_found"), user_id=1, chat_id=1, chat_type="private")
    clock.now = NOW
    log.record(answered("mới", "a:1"), user_id=1, chat_id=1, chat_type="private")
    assert log.stats(NOW - dt.timedelta(days=7)).asked == 1
    assert log.stats().asked == 2


def test_csv_export_has_ids_not_names_and_reads_back(database: Database) -> None:
    log = ChatLog(database, clock=Clock())
    key = log.record(
        answered('Cách ly, "tập trung"\nbao lâu?', "a:1"), user_id=77, chat_id=-5,
        chat_type="group", province="Kiên Giang",
    )  # fmt: skip
    log.record_feedback(key, 77, helpful=True)
    data = log.export_csv()
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        {
            "asked_at": "2026-03-10T12:00:00+00:00", "user_id": "77", "chat_id": "-5",
            "chat_type": "group", "question": 'Cách ly, "tập trung"\nbao lâu?',
            "status": "answered", "mode": "extractive", "province": "Kiên Giang",
            "citations": "a:1", "latency_ms": "12.5", "helpful": "1", "unhelpful": "0",
        }
    ]  # fmt: skip


def test_chat_province_and_document_are_remembered_and_cleared(database: Database) -> None:
    log = ChatLog(database)
    assert (log.province(9), log.focus(9)) == (None, None)
    log.set_province(9, "Gia Lai")
    log.set_focus(9, "001_abc")
    assert ChatLog(database).province(9) == "Gia Lai"
    assert ChatLog(database).focus(9) == "001_abc"
    log.set_province(9, None)
    log.set_focus(9, None)
    assert (log.province(9), log.focus(9)) == (None, None)


def test_a_logged_question_is_found_by_its_key_in_its_own_chat_only(database: Database) -> None:
    log = ChatLog(database)
    group = -1001234567890  # a supergroup's id does not fit in 32 bits
    key = log.record(answered("5K là gì?", "a:1"), user_id=1, chat_id=group, chat_type="supergroup")
    assert log.question(key, group) == "5K là gì?"
    assert log.question(key, 5) is None


def test_rate_limiter_allows_n_a_minute_and_warns_once() -> None:
    now = [0.0]
    limiter = RateLimiter(2, clock=lambda: now[0])
    assert [limiter.check(1) for _ in range(4)] == [
        Verdict.ALLOW, Verdict.ALLOW, Verdict.LIMIT, Verdict.LIMIT_QUIETLY,
    ]  # fmt: skip
    assert limiter.check(2) is Verdict.ALLOW  # other users are not affected
    now[0] = 30.0
    assert limiter.retry_in(1) == pytest.approx(30.0)
    assert limiter.check(1) is Verdict.LIMIT_QUIETLY
    now[0] = 60.0
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.retry_in(3) == 0.0


def test_rate_limiter_forgets_idle_users() -> None:
    now = [0.0]
    limiter = RateLimiter(1, clock=lambda: now[0])
    for user in range(RateLimiter._SWEEP_EVERY - 1):
        limiter.check(user)
    now[0] = 120.0
    limiter.check(10**6)
    assert len(limiter._asked) == 1


def test_telegram_settings_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "CHITHI_DATA_DIR": "/tmp/x", "CHITHI_TELEGRAM_API_URL": "http://127.0.0.1:9/bot",
            "CHITHI_WEBHOOK_URL": "https://bot.example.vn/telegram/hook",
            "CHITHI_WEBHOOK_SECRET": "s3cret_-X", "CHITHI_ADMIN_IDS": "1, 2",
            "CHITHI_RATE_LIMIT": "5",
        }
    )  # fmt: skip
    assert settings.telegram_file_url == "http://127.0.0.1:9/file/bot"
    assert settings.admin_ids == frozenset({1, 2})
    assert settings.rate_limit == 5
    assert settings.question_log_path == Path("/tmp/x/questions.sqlite3")
    assert "s3cret" not in repr(settings)
    default = Settings.from_env({"CHITHI_DATA_DIR": "/tmp/x"})
    assert default.telegram_file_url == "https://api.telegram.org/file/bot"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CHITHI_WEBHOOK_URL": "https://x.vn/h"}, "CHITHI_WEBHOOK_SECRET is missing"),
        (
            {"CHITHI_WEBHOOK_URL": "https://x.vn/h", "CHITHI_WEBHOOK_SECRET": "có dấu"},
            "CHITHI_WEBHOOK_SECRET is invalid",
        ),
        ({"CHITHI_WEBHOOK_URL": "x.vn/h", "CHITHI_WEBHOOK_SECRET": "s"}, "https:// URL"),
    ],
)
def test_webhook_mode_needs_a_valid_secret(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"CHITHI_DATA_DIR": "/tmp/x", **env})
