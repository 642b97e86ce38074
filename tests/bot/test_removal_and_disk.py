"""Removal all or nothing with its kept original, leftovers cleaned, a full disk told clearly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from bot import messages
from bot.cli import cli
from bot.ingest import LEFTOVER_SECONDS
from bot.settings import Settings
from bot.web import build_app
from bot.wiring import build_library
from tests.helpers.disk_faults import fill, small_disk
from tests.helpers.documents import NOTICE_TEXT

ADMIN = {"Authorization": "Bearer admin-secret"}
REPO = Path(__file__).resolve().parents[2]
GUIDE = "003_04a503c8cc38bcba"  # a bundled notice
KILLED_REMOVAL = """
import os, signal, sys
from bot.settings import Settings
from bot.wiring import build_library
store = build_library(Settings.from_env({"CHITHI_DATA_DIR": sys.argv[1]})).store
assert store.mark_removing(sys.argv[2])  # the deciding write of delete_document, then:
os.kill(os.getpid(), signal.SIGKILL)  # killed before the paragraphs go
"""


def web(data_dir: Path) -> TestClient:
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(data_dir), "CHITHI_ADMIN_TOKEN": "admin-secret"}
    )
    return TestClient(build_app(settings))


def upload(client: TestClient, name: str, data: bytes) -> dict[str, str]:
    response = client.post("/api/documents", headers=ADMIN, files={"file": (name, data)})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    return dict(result)


def rows_of(data_dir: Path, doc_id: str) -> int:
    store = build_library(Settings.from_env({"CHITHI_DATA_DIR": str(data_dir)})).store
    return sum(1 for row in store.rows(include_text=False) if row.id.startswith(f"{doc_id}@"))


def test_chithi_remove_deletes_the_kept_original(index_copy: Path) -> None:
    with web(index_copy) as client:
        doc_id = upload(client, "thong_bao_quan_an.txt", NOTICE_TEXT.encode())["doc_id"]
    assert (index_copy / "uploads" / doc_id).is_dir()
    removed = CliRunner().invoke(cli, ["remove", doc_id], env={"CHITHI_DATA_DIR": str(index_copy)})
    assert removed.exit_code == 0, removed.output
    assert not (index_copy / "uploads" / doc_id).exists()


def test_a_removal_killed_half_way_is_finished_at_the_next_start(index_copy: Path) -> None:
    assert rows_of(index_copy, GUIDE) > 0
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_REMOVAL, str(index_copy), GUIDE], check=False
    )
    assert killed.returncode == -9
    # The next start (any command) finishes it: no document, and no paragraph left behind.
    env = {"CHITHI_DATA_DIR": str(index_copy)}
    listing = CliRunner().invoke(cli, ["docs"], env=env)
    assert listing.exit_code == 0, listing.output
    assert GUIDE not in listing.output
    assert rows_of(index_copy, GUIDE) == 0


def test_leftovers_of_a_killed_upload_or_removal_go_at_the_next_start(index_copy: Path) -> None:
    uploads = index_copy / "uploads"
    killed_upload = uploads / ".incoming" / "0123abcd"
    orphan = uploads / "removed-long-ago"
    fresh = uploads / ".incoming" / "in-progress"  # another replica's upload, right now
    for folder in (killed_upload, orphan, fresh):
        folder.mkdir(parents=True)
        (folder / "x.txt").write_text("x", encoding="utf-8")
    old = os.stat(killed_upload).st_mtime - LEFTOVER_SECONDS - 60
    for folder in (killed_upload, orphan):
        os.utime(folder, (old, old))
    with web(index_copy) as client:
        assert client.get("/healthz").status_code == 200
    assert not killed_upload.exists()
    assert not orphan.exists()
    assert fresh.exists()


@pytest.fixture
def full_disk(bundled_index_dir: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the bundled index on a small disk (filled by the test when it chooses)."""
    with small_disk(tmp_path / "disk", size_kb=16 * 1024) as disk:
        shutil.copytree(bundled_index_dir, disk / "data")
        yield disk


def test_a_full_disk_during_an_upload_is_told_and_the_server_keeps_answering(
    full_disk: Path,
) -> None:
    data_dir = full_disk / "data"
    with web(data_dir) as client:
        assert client.post("/api/ask", json={"question": "5K là gì?"}).status_code == 200
        fill(full_disk)
        result = upload(client, "thong_bao_quan_an.txt", NOTICE_TEXT.encode())
        assert result["status"] == "error"
        assert result["message"] == messages.UPLOAD_DISK_FULL.format(name="thong_bao_quan_an.txt")
        incoming = data_dir / "uploads" / ".incoming"
        assert not incoming.exists() or list(incoming.iterdir()) == []
        asked = client.post("/api/ask", json={"question": "5K là gì?"})
        assert asked.status_code == 200
        assert asked.json()["status"] == "answered"
        (full_disk / "filler").unlink()  # space freed: the same upload goes in
        assert upload(client, "thong_bao_quan_an.txt", NOTICE_TEXT.encode())["status"] == "added"
        assert client.post("/api/ask", json={"question": "5K là gì?"}).status_code == 200


def test_chithi_ingest_on_a_full_disk_says_so_without_a_traceback(
    full_disk: Path, tmp_path: Path
) -> None:
    notice = tmp_path / "thong_bao_quan_an.txt"
    notice.write_text(NOTICE_TEXT, encoding="utf-8")
    fill(full_disk)
    env = {"CHITHI_DATA_DIR": str(full_disk / "data")}
    result = CliRunner().invoke(cli, ["ingest", str(notice)], env=env)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {messages.DISK_FULL_CLI}")
    assert "Traceback" not in result.output


def test_the_issue_s_full_disk_sequence_leaves_the_server_answering(
    full_disk: Path, tmp_path: Path
) -> None:
    """A CLI ingest (another process) fails on the full disk, then a web upload does, space is
    freed and the upload sent again: the server still answers (the issue saw it wedge)."""
    data_dir = full_disk / "data"
    notice = tmp_path / "thong_bao_quan_an.txt"
    notice.write_text(NOTICE_TEXT, encoding="utf-8")
    with web(data_dir) as client:
        assert client.post("/api/ask", json={"question": "5K là gì?"}).status_code == 200
        fill(full_disk)
        env = {**os.environ, "CHITHI_DATA_DIR": str(data_dir)}
        cli_ingest = subprocess.run(
            [sys.executable, "-c", "from bot.cli import cli; cli()", "ingest", str(notice)],
            env=env, capture_output=True, text=True, check=False, cwd=REPO,
        )  # fmt: skip
        assert cli_ingest.returncode == 1, cli_ingest.stderr
        assert "Traceback" not in cli_ingest.stderr
        failed = upload(client, "thong_bao_quan_an.txt", NOTICE_TEXT.encode())
        assert failed["status"] == "error"
        (full_disk / "filler").unlink()
        assert upload(client, "thong_bao_quan_an.txt", NOTICE_TEXT.encode())["status"] == "added"
        asked = client.post("/api/ask", json={"question": "5K là gì?"})
        assert asked.json()["status"] == "answered"
