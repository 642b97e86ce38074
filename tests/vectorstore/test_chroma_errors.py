"""What the store reports as unavailable: Chroma's, the server's and the disk's failures only.

A bug in our own code that runs inside a store method (a progress callback, the metadata we
pass) must surface as itself, with its own traceback, not as
"the index is unavailable", which sends people to check a server that is fine.
"""

from __future__ import annotations

import gc
import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from tests.helpers.chroma_server import ChromaServer
from tests.helpers.embedders import HashingEmbedder
from tests.helpers.http_server import closed_port_url, serve_in_thread
from vectorstore import ParagraphStore, StoreUnavailableError

TEXTS = ["Cách ly tập trung 21 ngày.", "Tiêm mũi 3 cho người từ 18 tuổi."]
METAS: list[dict[str, str | int | float | bool]] = [{"role": "body"}, {"role": "body"}]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[ParagraphStore]:
    opened = ParagraphStore.persistent(str(tmp_path / "chroma"), embedder=HashingEmbedder())
    yield opened
    opened.close()


# -- our own bugs propagate as themselves --------------------------------------------------


def test_a_bug_in_a_progress_callback_is_raised_as_itself(store: ParagraphStore) -> None:
    with pytest.raises(TypeError, match="takes 0 positional arguments but 1 was given"):
        store.put_document("d", "v1", {"title": "t"}, TEXTS, METAS, progress=lambda: None)  # type: ignore[arg-type,misc]
    assert store.catalog() == {}  # nothing was committed
    assert store.put_document("d", "v1", {"title": "t"}, TEXTS, METAS)


def test_metadata_that_does_not_match_the_texts_is_raised_as_itself(
    store: ParagraphStore,
) -> None:
    with pytest.raises(IndexError):
        store.put_document("d", "v1", {"title": "t"}, TEXTS, METAS[:1])
    assert store.catalog() == {}


# -- the store's own failures are still "unavailable" --------------------------------------


def test_a_folder_that_is_a_file_cannot_be_opened(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    path.write_text("not a folder", encoding="utf-8")
    with pytest.raises(StoreUnavailableError, match=f"Chroma folder {path} cannot be opened"):
        ParagraphStore.persistent(str(path), embedder=HashingEmbedder())


def test_a_folder_removed_under_the_store_is_unavailable(
    store: ParagraphStore, tmp_path: Path
) -> None:
    store.put_document("d", "v1", {"title": "t"}, TEXTS, METAS)
    shutil.rmtree(tmp_path / "chroma")
    with pytest.raises(StoreUnavailableError, match=f"Chroma folder {tmp_path / 'chroma'} is"):
        store.put_document("e", "v1", {"title": "t"}, TEXTS, METAS)


def test_a_closed_port_is_unavailable() -> None:
    url = closed_port_url()
    with pytest.raises(StoreUnavailableError, match="is it running"):
        ParagraphStore.remote(url, embedder=HashingEmbedder())


def test_a_server_killed_by_a_callback_is_unavailable(chroma_server: ChromaServer) -> None:
    store = ParagraphStore.remote(chroma_server.url, embedder=HashingEmbedder())
    try:
        with pytest.raises(StoreUnavailableError, match=f"Chroma server {chroma_server.url}"):
            store.put_document(
                "d", "v1", {"title": "t"}, TEXTS, METAS, batch_size=1,
                progress=lambda n: chroma_server.kill(),
            )  # fmt: skip
    finally:
        store.close()


@pytest.fixture
def proxy(chroma_server: ChromaServer) -> Iterator[tuple[str, dict[str, bool]]]:
    """A reverse proxy in front of the server that answers 502 (as nginx does) when told to.

    Its `state["down"]` makes every request but the heartbeat fail with a plain-text 502.
    """
    state = {"down": False}

    async def forward(request: Request) -> Response:
        if state["down"] and not request.url.path.endswith("/heartbeat"):
            return PlainTextResponse("502 Bad Gateway", 502)
        async with httpx.AsyncClient(base_url=chroma_server.url) as client:
            upstream = await client.request(
                request.method,
                request.url.path,
                params=request.query_params,
                content=await request.body(),
                headers={"content-type": request.headers.get("content-type", "")},
            )
        return Response(upstream.content, upstream.status_code,
                        media_type=upstream.headers.get("content-type"))  # fmt: skip

    methods = ["GET", "POST", "PUT", "DELETE", "PATCH"]
    app = Starlette(routes=[Route("/{path:path}", forward, methods=methods)])
    with serve_in_thread(app) as server:
        yield server.url, state


def test_a_proxy_answering_502_is_unavailable_and_the_store_recovers(
    proxy: tuple[str, dict[str, bool]],
) -> None:
    url, state = proxy
    state["down"] = True  # chromadb's client turns its first requests' failures into ValueError
    with warnings.catch_warnings():
        # A failing chromadb.HttpClient() never returns the client, so nobody can close its
        # HTTP session: its socket is left to the garbage collector (a chromadb leak).
        warnings.simplefilter("ignore", ResourceWarning)
        with pytest.raises(StoreUnavailableError, match=r"is unavailable \(ValueError: 502 Bad"):
            ParagraphStore.remote(url, embedder=HashingEmbedder())
        gc.collect()
    state["down"] = False
    store = ParagraphStore.remote(url, embedder=HashingEmbedder())
    try:
        store.put_document("d", "v1", {"title": "t"}, TEXTS, METAS)
        state["down"] = True  # later, a request's failure is a bare Exception with the body
        with pytest.raises(StoreUnavailableError, match=r"is unavailable \(Exception: 502 Bad"):
            store.catalog()
        state["down"] = False
        assert store.catalog()["d"]["version"] == "v1"
    finally:
        store.close()


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://127.0.0.1:port", "ftp://h:1"])
def test_a_malformed_server_url_is_named_as_invalid(url: str) -> None:
    with pytest.raises(StoreUnavailableError, match=f"Chroma URL '{url}' is invalid"):
        ParagraphStore.remote(url, embedder=HashingEmbedder())
