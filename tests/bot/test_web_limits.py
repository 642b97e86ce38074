"""What the web API reads before it refuses: bodies, JSON depth, file names, repeated files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.types import Message

from bot import messages
from bot.settings import Settings
from bot.web import build_app
from tests.helpers.documents import NOTICE_TEXT

ADMIN = {"Authorization": "Bearer admin-secret"}
CHUNK = 1024 * 1024


@pytest.fixture(scope="module")
def settings(data_dir: Path) -> Settings:
    return Settings.from_env(
        {"CHITHI_DATA_DIR": str(data_dir), "CHITHI_ADMIN_TOKEN": "admin-secret",
         "CHITHI_MAX_FILE_MB": "0.05"}
    )  # fmt: skip


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(build_app(settings)) as test_client:
        yield test_client


async def send_chunked(
    app: Any, path: str, total_mb: int, *, headers: list[Any]
) -> tuple[int, int]:
    """Drive the app as an HTTP server does with a chunked body (no Content-Length).

    Returns the response status and how many 1 MB chunks the app read of `total_mb`.
    """
    read = 0
    sent: list[Message] = []

    async def receive() -> Message:
        nonlocal read
        read += 1
        return {"type": "http.request", "body": b"x" * CHUNK, "more_body": read < total_mb}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "http_version": "1.1", "method": "POST", "path": path,
             "raw_path": path.encode(), "query_string": b"", "root_path": "", "scheme": "http",
             "headers": [(b"transfer-encoding", b"chunked"), *headers],
             "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 80)}  # fmt: skip
    await app(scope, receive, send)
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), read


async def test_a_chunked_body_is_refused_once_it_passes_the_limit(settings: Settings) -> None:
    app = build_app(settings)
    status, read = await send_chunked(app, "/api/ask", 200, headers=[])
    assert status == 413
    assert read == 1  # of 200 MB: the first chunk passed the 16 KB limit


async def test_a_chunked_upload_is_refused_once_it_passes_the_file_limit(
    settings: Settings,
) -> None:
    app = build_app(settings)
    form = [(b"content-type", b"multipart/form-data; boundary=x"),
            (b"authorization", b"Bearer admin-secret")]  # fmt: skip
    status, read = await send_chunked(app, "/api/documents", 200, headers=form)
    assert status == 413
    assert read == 1


def test_a_declared_length_over_the_limit_is_refused_unread(client: TestClient) -> None:
    response = client.post("/api/ask", content=b"{" + b" " * 20_000 + b"}")
    assert response.status_code == 413
    assert response.json() == {"error": messages.WEB_BODY_TOO_LARGE.format(kb=16)}


def test_deeply_nested_json_is_a_clear_400_not_a_500(client: TestClient) -> None:
    deep = '{"question": "5K là gì?", "x": ' + "[" * 5000 + "]" * 5000 + "}"
    assert len(deep.encode()) < 16 * 1024
    response = client.post("/api/ask", content=deep.encode())
    assert response.status_code == 400
    assert response.json() == {"error": messages.WEB_JSON_TOO_DEEP}
    brackets_in_text = {"question": "[[[[" * 100 + " 5K là gì?"}  # inside a string: no depth
    assert client.post("/api/ask", content=json.dumps(brackets_in_text)).status_code == 200


def upload(client: TestClient, name: str, data: bytes) -> dict[str, Any]:
    response = client.post("/api/documents", headers=ADMIN, files={"file": (name, data)})
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    return dict(result)


def test_a_300_character_file_name_is_shortened_and_nothing_is_left_behind(
    client: TestClient, data_dir: Path
) -> None:
    name = "Thông báo kết luận " * 16 + ".txt"  # 300 characters, 400 bytes in UTF-8
    result = upload(client, name, NOTICE_TEXT.encode())
    assert result["status"] == "added"
    [kept] = (data_dir / "uploads" / result["doc_id"]).iterdir()
    assert kept.suffix == ".txt"
    assert len(kept.name.encode()) <= 120
    assert list((data_dir / "uploads" / ".incoming").iterdir()) == []
    client.delete(f"/api/documents/{result['doc_id']}", headers=ADMIN)


def test_a_file_named_only_txt_is_read_as_a_text_file(client: TestClient) -> None:
    result = upload(client, ".txt", NOTICE_TEXT.encode())
    assert result["status"] == "added"
    assert result["doc_id"] == "document"
    client.delete(f"/api/documents/{result['doc_id']}", headers=ADMIN)


def test_the_same_file_under_another_name_is_recognised_not_indexed_twice(
    client: TestClient,
) -> None:
    first = upload(client, "thong-bao-quan-an.txt", NOTICE_TEXT.encode())
    assert first["status"] == "added"
    count = len(client.get("/api/documents").json()["documents"])
    again = upload(client, "ban sao cua thong bao.txt", NOTICE_TEXT.encode())
    assert again["status"] == "duplicate"
    assert again["doc_id"] == first["doc_id"]
    assert again["message"].startswith(
        messages.UPLOAD_DUPLICATE.format(name="ban sao cua thong bao.txt")
    )
    assert len(client.get("/api/documents").json()["documents"]) == count
    same_name = upload(client, "thong-bao-quan-an.txt", NOTICE_TEXT.encode())
    assert same_name["status"] == "unchanged"  # its own file again: as before
    client.delete(f"/api/documents/{first['doc_id']}", headers=ADMIN)
