"""The index on a real Chroma server: ingest, ask, replace, remove, replicas, outages."""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.cli import cli
from bot.settings import Settings
from bot.wiring import build_answerer, build_library
from retrieval import Answerer, IndexUnavailableError, Library, Searcher, SearchFilters
from retrieval.text.tokens import query_tokens
from tests.conftest import DEV_SET
from tests.helpers.asking import ask
from tests.helpers.chroma_server import ChromaServer
from tests.helpers.embedders import HashingEmbedder
from tests.helpers.http_server import HOST, closed_port_url, serve_in_thread
from vectorstore import ParagraphStore, StoreUnavailableError

GUIDE = "003_04a503c8cc38bcba"


_OPEN: list[ParagraphStore] = []


@pytest.fixture(autouse=True)
def close_stores() -> Iterator[None]:
    """Close every store a test opened (their HTTP connections would linger otherwise)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def remote_store(url: str, **options: object) -> ParagraphStore:
    store = ParagraphStore.remote(url, embedder=HashingEmbedder(), **options)  # type: ignore[arg-type]
    _OPEN.append(store)
    return store


def remote_library(url: str, folder: Path, *, refresh_seconds: float = 0.0) -> Library:
    store = remote_store(url)
    return Library(store, lexical_dir=folder / "lexical", refresh_seconds=refresh_seconds)


def add_paragraph(notices_dir: Path, text: str) -> Path:
    """Change the guide notice: one more body paragraph before "Thời gian tới"."""
    path = notices_dir / f"{GUIDE}.txt"
    original = path.read_text(encoding="utf-8")
    assert "\n\nThời gian tới" in original
    path.write_text(original.replace("\n\nThời gian tới", f"\n\n{text}\n\nThời gian tới", 1),
                    encoding="utf-8")  # fmt: skip
    return path


def found_docs(library: Library, question: str) -> list[str]:
    return [p.paragraph.doc_id for p in Searcher(library).search(question, k=5)]


# -- the pipeline against a server ---------------------------------------------------------


def test_ingest_replace_remove_on_a_server(
    chroma_server: ChromaServer, notices_dir: Path, tmp_path: Path
) -> None:
    library = remote_library(chroma_server.url, tmp_path)

    results = library.ingest([notices_dir])
    assert [r.changed for r in results] == [True] * 5
    assert library.store.count() == sum(library.counts.values())
    assert [r.changed for r in library.ingest([notices_dir])] == [False] * 5

    before = library.counts[GUIDE]
    path = add_paragraph(notices_dir, "Cấm thả diều trên đê sông Hồng kể từ ngày mai.")
    [replaced] = library.ingest([path])
    assert replaced.changed
    assert library.counts[GUIDE] == before + 1
    assert library.store.count() == sum(library.counts.values())  # old version's rows are gone
    assert found_docs(library, "thả diều trên đê")[0] == GUIDE

    library.remove(GUIDE)
    assert GUIDE not in {d.meta.doc_id for d in library.documents()}
    assert library.store.count() == sum(library.counts.values())
    assert GUIDE not in found_docs(library, "thả diều trên đê")


def test_server_mode_answers_like_embedded_mode(
    bundled_index_dir: Path, answerer: Answerer, tmp_path: Path
) -> None:
    # `chroma run --path` serves a folder the embedded client wrote: moving to a server is
    # pointing it at the data folder's chroma/ (see docs/deploying.md).
    server_path = tmp_path / "served"
    shutil.copytree(bundled_index_dir / "chroma", server_path)
    with ChromaServer(server_path) as server:
        settings = Settings.from_env(
            {"CHITHI_DATA_DIR": str(tmp_path / "replica"), "CHITHI_CHROMA_URL": server.url}
        )
        remote = build_answerer(settings, build_library(settings))
        _OPEN.append(remote.library.store)
        assert "Chroma server" in remote.library.store.location
        questions = [
            json.loads(line)["question"]
            for line in DEV_SET.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        for question in questions:
            here, there = ask(answerer, question).to_json(), ask(remote, question).to_json()
            here.pop("latency_ms"), there.pop("latency_ms")
            assert there == here, question


# -- several replicas on one server --------------------------------------------------------


def test_replicas_on_one_server_see_each_others_changes(
    chroma_server: ChromaServer, notices_dir: Path, tmp_path: Path
) -> None:
    writer = remote_library(chroma_server.url, tmp_path / "a")
    reader = remote_library(chroma_server.url, tmp_path / "b")
    assert reader.is_empty()

    writer.ingest([notices_dir])
    assert {d.meta.doc_id for d in reader.documents()} == set(writer.catalog)
    assert reader.lexical.token == writer.lexical.token
    assert found_docs(reader, "khen thưởng người chống dịch giỏi")[0] == GUIDE

    writer.ingest([add_paragraph(notices_dir, "Cấm thả diều trên đê.")])
    assert found_docs(reader, "thả diều trên đê")[0] == GUIDE
    assert reader.versions[GUIDE] == writer.versions[GUIDE]

    writer.remove(GUIDE)
    assert GUIDE not in found_docs(reader, "thả diều trên đê")
    assert GUIDE not in reader.catalog

    # Followed change by change, the reader's lexical index scores as a fresh one would.
    fresh = remote_library(chroma_server.url, tmp_path / "c")
    for question in ("thả diều trên đê", "khen thưởng người chống dịch", "cách ly tập trung"):
        tokens = query_tokens(question)
        followed = dict(reader.lexical.search(tokens, k=50))
        assert followed == pytest.approx(dict(fresh.lexical.search(tokens, k=50)), rel=1e-5)
    bodies = SearchFilters()  # no filter: every body paragraph
    assert int(reader.allowed(bodies).sum()) == int(fresh.allowed(bodies).sum())


def test_a_replica_checks_for_changes_at_most_every_refresh_seconds(
    chroma_server: ChromaServer, notices_dir: Path, tmp_path: Path
) -> None:
    writer = remote_library(chroma_server.url, tmp_path / "a")
    reader = remote_library(chroma_server.url, tmp_path / "b", refresh_seconds=3600)
    writer.ingest([notices_dir])
    assert reader.is_empty()  # within its refresh interval it answers from what it had
    reader.refresh(force=True)
    assert set(reader.catalog) == set(writer.catalog)


def test_a_new_replica_reuses_a_saved_lexical_index_only_if_it_is_current(
    chroma_server: ChromaServer, notices_dir: Path, tmp_path: Path
) -> None:
    first = remote_library(chroma_server.url, tmp_path / "a")
    first.ingest([notices_dir])
    first.remove(GUIDE)
    # Another replica with a stale copy of the lexical files (say, from a backup).
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    first.ingest([notices_dir / f"{GUIDE}.txt"])
    second = remote_library(chroma_server.url, tmp_path / "b")
    assert second.lexical.token == first.lexical.token
    assert sorted(second.lexical.ids) == sorted(first.lexical.ids)


# -- the server going away -----------------------------------------------------------------


def test_server_going_away_gives_a_clear_error_and_recovers(
    chroma_server: ChromaServer, notices_dir: Path, tmp_path: Path
) -> None:
    library = remote_library(chroma_server.url, tmp_path)
    library.ingest([notices_dir])
    chroma_server.kill()

    with pytest.raises(IndexUnavailableError, match=f"Chroma server {chroma_server.url}"):
        Searcher(library).search("khen thưởng người chống dịch giỏi")
    with pytest.raises(IndexUnavailableError, match="is it running"):
        library.refresh(force=True)

    chroma_server.start()
    assert found_docs(library, "khen thưởng người chống dịch giỏi")[0] == GUIDE


def test_an_ingest_cut_off_by_the_server_reports_each_file(
    chroma_server: ChromaServer, notices_dir: Path, tmp_path: Path
) -> None:
    library = remote_library(chroma_server.url, tmp_path)
    ticks: list[str] = []

    def die_during_the_second_file(total: int, label: str) -> Callable[[int], None]:
        ticks.append(label)
        return lambda n: chroma_server.kill() if len(ticks) == 2 else None

    results = library.ingest([notices_dir], progress=die_during_the_second_file)
    assert results[0].error is None
    assert all("is unavailable" in (r.error or "") for r in results[1:])
    chroma_server.start()
    library.refresh(force=True)
    assert set(library.catalog) == {results[0].doc_id}
    assert library.store.count() >= library.counts[str(results[0].doc_id)]


def test_cli_says_the_index_is_unavailable(tmp_path: Path) -> None:
    env = {"CHITHI_DATA_DIR": str(tmp_path), "CHITHI_CHROMA_URL": closed_port_url()}
    result = CliRunner().invoke(cli, ["ask", "5K là gì?"], env=env)
    assert result.exit_code == 1
    assert "index unavailable" in result.output
    assert "is it running" in result.output
    assert "Traceback" not in result.output


def test_killing_the_server_mid_ingest_leaves_the_committed_index_intact(
    chroma_server: ChromaServer, tmp_path: Path
) -> None:
    store = remote_store(chroma_server.url)
    old = [f"Đoạn cũ số {i} về cách ly tập trung." for i in range(40)]
    new = [f"Đoạn mới số {i} về tiêm vắc xin mũi ba." for i in range(1500)]
    store.put_document("big", "v1", {"title": "Bản cũ"}, old, [{"role": "body"}] * len(old))

    written: list[int] = []

    def crash_after_five_batches(n: int) -> None:
        written.append(n)
        if len(written) == 5:
            chroma_server.kill()

    with pytest.raises(StoreUnavailableError):
        store.put_document(
            "big", "v2", {"title": "Bản mới"}, new, [{"role": "body"}] * len(new),
            batch_size=100, progress=crash_after_five_batches,
        )  # fmt: skip
    assert len(written) == 5

    chroma_server.start()
    assert store.catalog()["big"]["version"] == "v1"
    assert store.count() > len(old)  # v2's first batches are there, but nobody sees them
    assert sorted(r.text for r in store.rows()) == sorted(old)
    library = remote_library(chroma_server.url, tmp_path)
    assert library.counts == {"big": len(old)}
    assert len(library.lexical) == len(old)
    vector = store.embed_query("tiêm vắc xin mũi ba")
    assert any("@v2#" in h.id for h in store.nearest(vector, 50)[0])  # the orphans are near
    hits = library.dense_hits(vector, k=10, allowed=None)
    assert len(hits) == 10
    assert all("@v1#" in h.id for h in hits)

    assert store.put_document(
        "big", "v2", {"title": "Bản mới"}, new, [{"role": "body"}] * len(new), batch_size=500
    )
    assert store.count() == len(new)  # the orphans and the old version are cleared
    library.refresh(force=True)
    assert library.counts == {"big": len(new)}
    assert len(library.lexical) == len(new)


def test_an_unresponsive_server_times_out(tmp_path: Path) -> None:
    with socket.socket() as listener:  # accepts connections (backlog) but never answers
        listener.bind((HOST, 0))
        listener.listen(8)
        url = f"http://{HOST}:{listener.getsockname()[1]}"
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="did not answer in time"):
            ParagraphStore.remote(url, embedder=HashingEmbedder(), timeout=0.5)
        assert time.monotonic() - started < 10


def test_a_bad_url_is_named() -> None:
    with pytest.raises(StoreUnavailableError, match="is invalid"):
        ParagraphStore.remote("localhost:8000", embedder=HashingEmbedder())


# -- a token for a gateway in front of the server ------------------------------------------


@pytest.fixture
def gateway(chroma_server: ChromaServer) -> Iterator[str]:
    """A reverse proxy that checks `Authorization: Bearer s3cret`, as nginx or Caddy would.

    `chroma run` checks no credentials itself, so this is how a token protects it.
    """

    async def forward(request: Request) -> Response:
        if request.headers.get("authorization") != "Bearer s3cret":
            return JSONResponse({"error": "Unauthorized", "message": "bad token"}, 401)
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
    with serve_in_thread(app) as proxy:
        yield proxy.url


def test_the_token_is_sent_as_a_bearer_token(gateway: str) -> None:
    store = remote_store(gateway, token="s3cret")
    store.put_document("d", "v1", {"title": "t"}, ["Một đoạn."], [{"role": "body"}])
    assert store.catalog()["d"]["version"] == "v1"


@pytest.mark.parametrize("token", ["wrong", None])
def test_a_refused_token_is_reported(gateway: str, token: str | None) -> None:
    with pytest.raises(StoreUnavailableError, match="refused the credentials"):
        ParagraphStore.remote(gateway, embedder=HashingEmbedder(), token=token)


def test_the_web_api_answers_from_a_chroma_server(bundled_index_dir: Path, tmp_path: Path) -> None:
    from starlette.testclient import TestClient

    from bot.web import build_app

    server_path = tmp_path / "served"
    shutil.copytree(bundled_index_dir / "chroma", server_path)
    with ChromaServer(server_path) as server:
        settings = Settings.from_env(
            {"CHITHI_DATA_DIR": str(tmp_path / "web"), "CHITHI_CHROMA_URL": server.url}
        )
        library = build_library(settings)
        _OPEN.append(library.store)
        with TestClient(build_app(settings, library=library)) as client:
            answer = client.post("/api/ask", json={"question": "5K là gì?"}).json()
            documents = client.get("/api/documents").json()["documents"]
    assert answer["status"] == "answered"
    assert answer["citations"][0]["doc_id"] == "000_95f2b98f29028119"
    assert len(documents) == 5
