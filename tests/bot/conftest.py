"""Fixtures of the bot's tests: one fake Bot API server, a running bot per test, databases."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.database import Database, PostgresDatabase, SQLiteDatabase
from bot.settings import Settings
from bot.wiring import build_answerer, build_library
from retrieval import Answerer
from tests.bot.harness import RunningBot, started_bot
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.http_server import ServerHandle, serve_in_thread
from tests.helpers.postgres import PostgresServer, running_postgres


@pytest.fixture(autouse=True)
def ptb_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    """Opt in to PTB's timedelta durations; otherwise each RetryAfter warns (an error here)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture(scope="session")
def hcmc_notice() -> Path:
    """A small notice of TP. Hồ Chí Minh, a province the bundled notices do not cover."""
    return Path(__file__).resolve().parents[1] / "data" / "tphcm-quan-an.txt"


@pytest.fixture(scope="module")
def data_dir(bundled_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the bundled index for one test module (its tests may change it)."""
    target = tmp_path_factory.mktemp("module") / "data"
    shutil.copytree(bundled_index_dir, target)
    return target


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[tuple[FakeTelegram, ServerHandle]]:
    fake = FakeTelegram()
    with serve_in_thread(fake) as server:
        yield fake, server


@pytest.fixture
def tg(telegram_server: tuple[FakeTelegram, ServerHandle]) -> FakeTelegram:
    """The fake Bot API, emptied for this test."""
    telegram_server[0].reset()
    return telegram_server[0]


@pytest.fixture
def url(telegram_server: tuple[FakeTelegram, ServerHandle]) -> str:
    return telegram_server[1].url


@pytest.fixture
async def bot(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    """The bot over the shared read-only bundled index, polling the fake Bot API."""
    async with started_bot(tg, url, answerer, tmp_path / "data") as running_bot:
        yield running_bot


@pytest.fixture
def writable_answerer(index_copy: Path, notices_dir: Path) -> Answerer:
    """An answerer over a private copy of the index, for uploads and removals."""
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(index_copy), "CHITHI_NOTICES_DIR": str(notices_dir)}
    )
    return build_answerer(settings, build_library(settings))


@pytest.fixture
async def admin_bot(
    tg: FakeTelegram, url: str, writable_answerer: Answerer, index_copy: Path, notices_dir: Path
) -> AsyncIterator[RunningBot]:
    """The bot over a writable index (its data folder is the index copy)."""
    async with started_bot(
        tg, url, writable_answerer, index_copy, CHITHI_NOTICES_DIR=str(notices_dir)
    ) as running_bot:
        yield running_bot


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the session (Debian's binaries, a unix socket)."""
    with running_postgres() as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """The question log's database, empty: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield SQLiteDatabase(tmp_path / "questions.sqlite3")
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.create_database()
    yield PostgresDatabase(url)
    server.drop_database(url)
