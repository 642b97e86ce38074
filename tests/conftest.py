"""Shared fixtures: a clean environment, and the bundled notices indexed once per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_answerer, build_library, ensure_bundled
from retrieval import Answerer, Library
from tests.helpers.fake_openai import FakeOpenAI
from tests.helpers.http_server import ServerHandle, serve_in_thread

REPO = Path(__file__).resolve().parent.parent
NOTICES = REPO / "data" / "notices"
TEST_DATA = REPO / "tests" / "data"  # what the tests need besides the bundled notices
DEV_SET = TEST_DATA / "dev.jsonl"  # a copy of ../shared/eval/dev.jsonl (15 questions)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No CHITHI_*, OPENAI_* or TELEGRAM_* variable leaks into a test."""
    for key in list(os.environ):
        if key.startswith(("CHITHI_", "OPENAI_", "TELEGRAM_")):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def bundled_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding the five bundled notices, embedded with the real e5 model (once)."""
    data_dir = tmp_path_factory.mktemp("bundled-index")
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(data_dir)})
    library = build_library(settings)
    results = ensure_bundled(library, settings)
    assert len(results) == 5, results
    assert all(r.error is None for r in results)
    return data_dir


@pytest.fixture
def index_copy(bundled_index_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the bundled index that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(bundled_index_dir, target)
    return target


@pytest.fixture(scope="session")
def bundled_settings(bundled_index_dir: Path) -> Settings:
    """Settings pointing at the shared, read-only bundled index."""
    return Settings.from_env({"CHITHI_DATA_DIR": str(bundled_index_dir)})


@pytest.fixture(scope="session")
def bundled_library(bundled_settings: Settings) -> Library:
    """The bundled index, opened once (do not change it; use index_copy for that)."""
    return build_library(bundled_settings)


@pytest.fixture(scope="session")
def answerer(bundled_settings: Settings, bundled_library: Library) -> Answerer:
    """The extractive pipeline over the bundled notices."""
    return build_answerer(bundled_settings, bundled_library)


@pytest.fixture
def notices_dir(tmp_path: Path) -> Path:
    """A writable copy of the bundled notice files."""
    target = tmp_path / "notices"
    shutil.copytree(NOTICES, target)
    return target


@pytest.fixture(scope="module")
def openai_server() -> Iterator[tuple[FakeOpenAI, ServerHandle]]:
    """A scripted OpenAI-compatible server (and its handle, for the url), one per module."""
    fake = FakeOpenAI()
    with serve_in_thread(fake) as handle:
        yield fake, handle
