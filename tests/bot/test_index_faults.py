"""A Chroma server that hangs or is down: every channel says so, within the index timeout.

A hung server is a real `chroma run` stopped with SIGSTOP (tests/helpers/chroma_server.py):
it accepts connections and never answers. A down one is the same server killed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot import messages
from bot.settings import Settings
from bot.web import build_app
from bot.wiring import build_answerer
from retrieval import Answerer, Library
from tests.bot.harness import started_bot
from tests.conftest import TEST_DATA
from tests.helpers.chroma_server import ChromaServer, chroma_server
from tests.helpers.embedders import HashingEmbedder
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import text_update
from vectorstore import ParagraphStore

TIMEOUT = "2"  # CHITHI_INDEX_TIMEOUT, seconds
__all__ = ["chroma_server"]  # the fixture

QUESTION = "Quán ăn ở TP.HCM được bán tại chỗ không?"


def index_errors(metrics: str) -> dict[str, float]:
    """chithi_index_errors_total of the web channel, by kind."""
    return {
        s.labels["kind"]: s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
        if s.name == "chithi_index_errors_total" and s.labels["channel"] == "web"
    }


@pytest.fixture
def served(chroma_server: ChromaServer, tmp_path: Path) -> Iterator[tuple[Settings, Answerer]]:
    """Settings and an answerer over a Chroma server holding one notice."""
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(tmp_path / "data"), "CHITHI_CHROMA_URL": chroma_server.url,
         "CHITHI_INDEX_TIMEOUT": TIMEOUT}
    )  # fmt: skip
    store = ParagraphStore.remote(
        chroma_server.url, embedder=HashingEmbedder(), timeout=settings.index_timeout
    )
    library = Library(store, lexical_dir=tmp_path / "lexical", refresh_seconds=0.0)
    library.ingest([TEST_DATA / "tphcm-quan-an.txt"])
    yield settings, build_answerer(settings, library)
    chroma_server.thaw()
    store.close()


def test_the_web_api_says_503_with_retry_after_when_the_server_hangs_and_recovers(
    chroma_server: ChromaServer, served: tuple[Settings, Answerer]
) -> None:
    settings, answerer = served
    with TestClient(build_app(settings, library=answerer.library, answerer=answerer)) as client:
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
        assert client.get("/healthz").json()["index"] == "ok"
        chroma_server.freeze()
        for _ in range(3):  # each user is told, none waits for another's timeout
            hung = client.post("/api/ask", json={"question": QUESTION})
            assert hung.status_code == 503
            assert hung.json() == {"error": messages.INDEX_UNAVAILABLE}
            assert hung.headers["retry-after"] == "30"
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["index"] == "timeout"
        assert health.json()["question_log"] == "ok"
        listing = client.get("/api/documents")  # answers: the listing as it was, or 503
        assert listing.status_code in (200, 503)
        assert "documents" in listing.json() or listing.json()["error"]
        chroma_server.thaw()
        assert client.post("/api/ask", json={"question": QUESTION}).status_code == 200
        assert client.get("/healthz").json()["status"] == "ok"
        # Each failed request counted once: our deadline or the HTTP client's, whichever came
        # first (both are CHITHI_INDEX_TIMEOUT), and the listing if it failed too.
        failed = sum(v for n, v in index_errors(client.get("/metrics").text).items())
        assert failed == 3 + (listing.status_code == 503)


def test_the_web_api_says_503_in_json_when_the_server_is_down(
    chroma_server: ChromaServer, served: tuple[Settings, Answerer]
) -> None:
    settings, answerer = served
    with TestClient(build_app(settings, library=answerer.library, answerer=answerer)) as client:
        chroma_server.kill()
        down = client.post("/api/ask", json={"question": QUESTION})
        assert down.status_code == 503
        assert down.headers["content-type"] == "application/json"
        assert down.json() == {"error": messages.INDEX_UNAVAILABLE}
        assert client.get("/healthz").json()["index"] == "unavailable"
        assert index_errors(client.get("/metrics").text) == {"unavailable": 1}


async def test_telegram_says_the_same_when_the_server_hangs(
    chroma_server: ChromaServer,
    served: tuple[Settings, Answerer],
    tg: FakeTelegram,
    url: str,
    tmp_path: Path,
) -> None:
    settings, answerer = served
    env = {"CHITHI_INDEX_TIMEOUT": TIMEOUT}
    async with started_bot(tg, url, answerer, tmp_path / "bot", **env) as bot:
        chroma_server.freeze()
        [reply] = await bot.send(text_update(QUESTION))
        assert reply.plain_text == messages.INDEX_UNAVAILABLE
        [other] = await bot.send(text_update(QUESTION, 2002, 2002))
        assert other.plain_text == messages.INDEX_UNAVAILABLE
        # A list asks the store too: the list as it was, or the same message, not an error.
        [listing] = await bot.send(text_update("/vanban", 3003, 3003))
        said = listing.plain_text
        assert said == messages.INDEX_UNAVAILABLE or said.startswith("Các văn bản đang có")
        chroma_server.thaw()
        [back] = await bot.send(text_update(QUESTION))
        assert back.plain_text != messages.INDEX_UNAVAILABLE
