"""CHITHI_EMBEDDINGS=openai:<model>: vectors from an OpenAI-compatible endpoint instead of e5."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from bot.wiring import build_library
from retrieval import Searcher
from tests.conftest import NOTICES
from tests.helpers.documents import NOTICE_TEXT
from tests.helpers.fake_openai import FakeOpenAI
from tests.helpers.http_server import closed_port_url, serve_in_thread


def settings_for(tmp_path: Path, base_url: str) -> Settings:
    return Settings.from_env(
        {
            "CHITHI_DATA_DIR": str(tmp_path),
            "CHITHI_EMBEDDINGS": "openai:test-embedder",
            "OPENAI_BASE_URL": base_url,
        }
    )


def test_ingest_and_search_with_an_openai_compatible_embedder(tmp_path: Path) -> None:
    fake = FakeOpenAI()
    with serve_in_thread(fake) as server:
        library = build_library(settings_for(tmp_path, f"{server.url}/v1"))
        [result] = library.ingest([NOTICES / "002_0549bf549650297a.txt"])
        assert result.error is None
        hits = Searcher(library).search("cách ly tập trung bao nhiêu ngày", k=1)
    assert "21 ngày" in hits[0].paragraph.text
    bodies = [r.body for r in fake.embedding_requests]
    assert all(b["model"] == "test-embedder" for b in bodies)
    # e5 convention: passages and queries are embedded with their own prefixes.
    assert bodies[0]["input"][0].startswith("passage: ")
    assert bodies[-1]["input"][0].startswith("query: ")
    assert library.store.collection_name.endswith("oa_test_embedder")


def test_embedding_server_down_reports_the_file_and_changes_nothing(tmp_path: Path) -> None:
    good = tmp_path / "in.txt"
    good.write_text(NOTICE_TEXT, encoding="utf-8")
    library = build_library(settings_for(tmp_path, f"{closed_port_url()}/v1"))
    [result] = library.ingest([good])
    assert result.error is not None
    assert "in.txt" in result.error
    assert library.documents() == []
    assert library.store.count() == 0
