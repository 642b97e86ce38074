"""CHITHI_INGEST_WORKERS: read at startup, used for files from this machine, not for uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.alerts import AlertStore
from bot.cli import cli
from bot.errors import ConfigError
from bot.ingest import Ingestion
from bot.settings import Settings, available_cores
from bot.wiring import build_ingestion
from retrieval import Library
from tests.helpers.documents import NOTICE_TEXT
from tests.helpers.embedders import HashingEmbedder
from vectorstore import ParagraphStore

POOL = "embed-passages"


def test_one_thread_per_core_unless_set() -> None:
    assert Settings.from_env({"CHITHI_DATA_DIR": "/x"}).ingest_workers == available_cores()
    omp = Settings.from_env({"CHITHI_DATA_DIR": "/x", "CHITHI_EMBED_THREADS": "2"})
    assert omp.ingest_workers == max(1, available_cores() // 2)  # a core for every thread
    given = Settings.from_env({"CHITHI_DATA_DIR": "/x", "CHITHI_INGEST_WORKERS": " 3 "})
    assert given.ingest_workers == 3


@pytest.mark.parametrize("raw", ["0", "-1", "two", "1.5", "65", "٣"])
def test_a_bad_number_of_workers_fails_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match=r"CHITHI_INGEST_WORKERS='.*' is invalid; use a whole"):
        Settings.from_env({"CHITHI_DATA_DIR": "/x", "CHITHI_INGEST_WORKERS": raw})


def test_the_command_line_refuses_to_start_with_a_bad_number(tmp_path: Path) -> None:
    env = {"CHITHI_DATA_DIR": str(tmp_path), "CHITHI_INGEST_WORKERS": "0"}
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path)], env=env)
    assert result.exit_code == 1
    assert "CHITHI_INGEST_WORKERS='0' is invalid" in result.output


def library_with(embedder: HashingEmbedder, folder: Path) -> Library:
    store = ParagraphStore.persistent(str(folder / "chroma"), embedder=embedder)
    return Library(store, lexical_dir=folder / "lexical")


def test_an_embeddings_endpoint_is_waited_on_by_one_thread(tmp_path: Path) -> None:
    library = library_with(HashingEmbedder(), tmp_path)
    e5 = {"CHITHI_DATA_DIR": str(tmp_path), "CHITHI_INGEST_WORKERS": "2"}
    assert build_ingestion(Settings.from_env(e5), library).workers == 2
    endpoint = {**e5, "CHITHI_EMBEDDINGS": "openai:e5-small"}
    assert build_ingestion(Settings.from_env(endpoint), library).workers == 1


def test_files_use_the_workers_and_an_upload_one_thread(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    ingestion = Ingestion(
        library_with(embedder, tmp_path),
        alerts=AlertStore(tmp_path / "log.sqlite3"),
        uploads_dir=tmp_path / "uploads",
        workers=2,
    )
    path = tmp_path / "kien-giang.txt"
    path.write_text(NOTICE_TEXT, encoding="utf-8")
    [added] = ingestion.files([path]).results
    assert added.changed
    assert embedder.threads
    assert all(name.startswith(POOL) for name in embedder.threads)

    embedder.threads.clear()
    upload = NOTICE_TEXT.replace("7 ngày", "14 ngày").encode()
    [uploaded] = ingestion.upload("kien-giang.txt", upload).results
    assert uploaded.replaced
    assert embedder.threads == {"MainThread"}
