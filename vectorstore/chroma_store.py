"""The paragraph index in Chroma: one collection of paragraphs plus a catalog of documents.

Ingest of one document is all or nothing without transactions: paragraphs are written
under ids that carry the document's version, and only then does the document's single
catalog record switch to that version (one write). Readers ignore rows whose version is not
the catalog's, so a crash half-way leaves the index answering exactly as before; the
orphan rows are removed the next time that document is written or removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import numpy as np
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from vectorstore.batches import PARALLEL_STEP, embedded
from vectorstore.embeddings import Embedder
from vectorstore.errors import EmbeddingError, StoreError, StoreUnavailableError
from vectorstore.query_cache import QueryVectorCache

logger = logging.getLogger(__name__)

MetaValue = str | int | float | bool
Metadata = Mapping[str, MetaValue]
_CATALOG_VECTOR = [1.0]  # the catalog is looked up by id, never by similarity
_PAGE = 2000
_STATE_ID = "state"
_REMOVING = "removing"  # a catalog record's mark while its document is being removed
BRUTE_FORCE_MAX = 1500  # see nearest_among
# HNSW's search breadth. Chroma's 100 missed 5% of the true 40 nearest paragraphs on 17,000
# (recall 0.948 over 81 questions; the one notice naming "Ma Lù Thàng" was among the missed,
# and was refused for it); 400 misses 0.4% for ~3 ms a question (docs/retrieval.md).
SEARCH_EF = 400
WIDEN_ATTEMPTS = 6  # ~3 s in all, waiting for another process's write to end


@dataclass(frozen=True)
class Row:
    """A stored paragraph: row id, exact text, and its metadata."""

    id: str
    text: str
    metadata: Metadata


@dataclass(frozen=True)
class DenseHit:
    """A row found by vector similarity (cosine)."""

    id: str
    similarity: float


def row_id(doc_id: str, version: str, position: int) -> str:
    """Row id: stable for the same document content and position."""
    return f"{doc_id}@{version}#{position}"


def document_of(row: str) -> str:
    """The document id a row id starts with."""
    return row.rpartition("@")[0]


class ParagraphStore:
    """Paragraphs and documents in a Chroma database (embedded folder or server)."""

    def __init__(
        self, client: Any, *, embedder: Embedder, prefix: str = "chithi", location: str = ""
    ) -> None:
        self._client = client
        self._embedder = embedder
        self.query_vectors = QueryVectorCache()
        self.location = location or "Chroma"
        self.collection_name = f"{prefix}_{embedder.slug}"
        with _map_chroma_errors(self.location):
            self._paragraphs = client.get_or_create_collection(
                self.collection_name,
                embedding_function=embedder,
                configuration={"hnsw": {"space": "cosine", "ef_search": SEARCH_EF}},
            )
            self._widen_search()
            self._catalog = client.get_or_create_collection(f"{self.collection_name}_catalog")
            self._state = client.get_or_create_collection(f"{self.collection_name}_state")

    def _widen_search(self) -> None:
        """Give a collection made before SEARCH_EF (or with Chroma's default) that breadth."""
        hnsw = (self._paragraphs.configuration or {}).get("hnsw") or {}
        if hnsw.get("ef_search") == SEARCH_EF:
            return

        def widen() -> None:
            with _map_chroma_errors(self.location):
                self._paragraphs.modify(configuration={"hnsw": {"ef_search": SEARCH_EF}})

        # Another process writing the folder (an ingest) holds SQLite's lock for a moment:
        # wait for it rather than search narrower until the next start.
        retrying = Retrying(
            retry=retry_if_exception(lambda exc: "locked" in str(exc)),
            stop=stop_after_attempt(WIDEN_ATTEMPTS),
            wait=wait_exponential(multiplier=0.1, max=1.0),
            reraise=True,
        )
        try:
            retrying(widen)
        except StoreError as exc:  # a read-only folder: search as it was
            logger.warning("Chroma search breadth left at %s: %s", hnsw.get("ef_search"), exc)

    @classmethod
    def persistent(cls, path: str, *, embedder: Embedder) -> ParagraphStore:
        """A store in a local folder (Chroma's PersistentClient)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        location = f"Chroma folder {path}"
        with _map_chroma_errors(location, opening=True):
            client = chromadb.PersistentClient(
                path=path, settings=ChromaSettings(anonymized_telemetry=False)
            )
        return cls(client, embedder=embedder, location=location)

    @classmethod
    def remote(
        cls, url: str, *, embedder: Embedder, token: str | None = None, timeout: float = 30.0
    ) -> ParagraphStore:
        """A store on a Chroma server (`chroma run`); embeddings stay client-side.

        Args:
            url: the server, e.g. ``http://127.0.0.1:8000`` (``https://`` for TLS).
            embedder: computes passage and query vectors in this process.
            token: sent as ``Authorization: Bearer TOKEN``. `chroma run` itself checks no
                credentials (its open-source server has no authentication); the token is for
                a reverse proxy or gateway in front of it that does.
            timeout: seconds before a request to an unresponsive server fails.

        Raises:
            StoreUnavailableError: the server cannot be reached or refused the credentials.
        """
        from urllib.parse import urlparse

        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(url)
        try:
            port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        except ValueError:  # not a number, or out of range
            port = 0
        if parsed.scheme not in ("http", "https") or not parsed.hostname or not port:
            raise StoreUnavailableError(
                f"Chroma URL {url!r} is invalid; give one like http://127.0.0.1:8000"
            )
        headers = {"Authorization": f"Bearer {token}"} if token else None
        location = f"Chroma server {parsed.scheme}://{parsed.netloc}"
        with _map_chroma_errors(location):
            # chromadb's own first request has no timeout (see _set_timeout): ask first.
            httpx.get(
                f"{url.rstrip('/')}/api/v2/heartbeat", headers=headers, timeout=timeout
            ).raise_for_status()
        # chromadb's client turns any failure of its first requests into a ValueError.
        with _map_chroma_errors(location, also=(ValueError,)):
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=port,
                ssl=parsed.scheme == "https",
                headers=headers,
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        _set_timeout(client, timeout)
        return cls(client, embedder=embedder, location=location)

    # -- documents -----------------------------------------------------------------------

    def catalog(self) -> dict[str, dict[str, MetaValue]]:
        """Committed documents: doc id -> catalog metadata (including "version").

        A document being removed (see delete_document) is not one of them.
        """
        with _map_chroma_errors(self.location):
            got = self._catalog.get(include=["metadatas"])
        records = zip(got["ids"], got["metadatas"], strict=True)
        return {i: dict(m or {}) for i, m in records if not (m or {}).get(_REMOVING)}

    def catalog_record(self, doc_id: str) -> dict[str, MetaValue] | None:
        """One document's committed catalog record, or None (a lookup by id, not a scan)."""
        with _map_chroma_errors(self.location):
            got = self._catalog.get(ids=[doc_id], include=["metadatas"])
        record = dict(got["metadatas"][0] or {}) if got["ids"] else None
        return None if record is None or record.get(_REMOVING) else record

    def unfinished_removals(self) -> list[str]:
        """Documents whose removal was cut off by a killed process (see finish_removal).

        One filtered read of the catalog, at every start.
        """
        with _map_chroma_errors(self.location):
            got = self._catalog.get(where={_REMOVING: True}, include=[])
        return list(got["ids"])

    def state_token(self) -> str:
        """A token that changes whenever any document is added, replaced or removed.

        One small record, rewritten after every commit, so that several processes sharing a
        server can notice each other's changes without reading the whole catalog. A writer
        that dies between its commit and this write leaves the token unchanged until the
        next change by anyone; ``refresh(force=True)`` and every start read the catalog.
        Stores written before the token existed fall back to a hash of the catalog.
        """
        with _map_chroma_errors(self.location):
            got = self._state.get(ids=[_STATE_ID], include=["metadatas"])
        if got["ids"]:
            return str((got["metadatas"][0] or {}).get("token", ""))
        pairs = sorted(f"{d}={m.get('version')}" for d, m in self.catalog().items())
        return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:16]

    def _touch_state(self) -> None:
        with _map_chroma_errors(self.location):
            self._state.upsert(
                ids=[_STATE_ID], embeddings=[_CATALOG_VECTOR],
                metadatas=[{"token": uuid.uuid4().hex[:16], "at": time.time()}],
            )  # fmt: skip

    def put_document(
        self,
        doc_id: str,
        version: str,
        doc_meta: Metadata,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        *,
        batch_size: int = 32,
        workers: int = 1,
        progress: Callable[[int], None] | None = None,
    ) -> bool:
        """Write a document's paragraphs, then switch the catalog to them.

        Args:
            doc_id: the document id.
            version: a fingerprint of the content; the same version is never rewritten.
            doc_meta: catalog metadata (title, date, signer, ...).
            texts: paragraph texts in order; row ids follow their positions.
            metadatas: one metadata mapping per paragraph.
            batch_size: paragraphs written per step (and embedded per call, with one worker).
            workers: threads embedding the paragraphs at once, PARALLEL_STEP paragraphs a
                call, while this thread writes them in order (see `embedded`): the same
                vectors, sooner on several cores. One embeds each batch before writing it.
            progress: called with the number of paragraphs written after each step.

        Returns:
            False when this exact version was already committed (nothing written).

        Raises:
            EmbeddingError: the embedder failed; the committed index is unchanged.
            StoreUnavailableError: Chroma failed; the committed index is unchanged.
        """
        current = self.catalog_record(doc_id)
        if current and current.get("version") == version:
            return False
        self._delete_rows(doc_id, keep_versions={str(current["version"])} if current else set())
        step = min(batch_size, PARALLEL_STEP) if workers > 1 else batch_size
        vectors_in_order = embedded(
            self._embed, texts, step=step, workers=workers, window=batch_size
        )
        with _map_chroma_errors(self.location), contextlib.closing(vectors_in_order):
            for start in range(0, len(texts), batch_size):
                chunk = list(texts[start : start + batch_size])
                vectors = list(itertools.islice(vectors_in_order, len(chunk)))
                ids = [row_id(doc_id, version, start + i) for i in range(len(chunk))]
                metas = [
                    {**metadatas[start + i], "doc_id": doc_id, "version": version}
                    for i in range(len(chunk))
                ]
                self._paragraphs.upsert(
                    ids=ids, documents=chunk, embeddings=vectors, metadatas=metas
                )
                if progress:
                    progress(len(chunk))
            record = {**doc_meta, "version": version, "paragraphs": len(texts)}
            self._catalog.upsert(ids=[doc_id], embeddings=[_CATALOG_VECTOR], metadatas=[record])
        self._touch_state()
        # Committed: the old version's rows are now invisible; clear them out.
        self._delete_rows(doc_id, keep_versions={version})
        return True

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its paragraphs, all or nothing. False if it was not there.

        Like put_document, one write decides: the catalog record is marked as being removed
        (from then on no reader sees the document), then its paragraphs go, then the record.
        A process killed in between leaves the mark, and the next start finishes the removal
        (see unfinished_removals), instead of paragraphs no command can name.
        """
        if not self.mark_removing(doc_id):
            return False
        self.finish_removal(doc_id)
        return True

    def mark_removing(self, doc_id: str) -> bool:
        """The first, deciding step of delete_document: the document is gone for readers."""
        record = self.catalog_record(doc_id)
        if record is None:
            return False
        with _map_chroma_errors(self.location):
            self._catalog.update(ids=[doc_id], metadatas=[{**record, _REMOVING: True}])
        self._touch_state()
        return True

    def finish_removal(self, doc_id: str) -> None:
        """Delete a document's paragraphs, then its catalog record (marked or not)."""
        self._delete_rows(doc_id, keep_versions=set())
        with _map_chroma_errors(self.location):
            self._catalog.delete(ids=[doc_id])

    def _delete_rows(self, doc_id: str, *, keep_versions: set[str]) -> None:
        # An equality filter on doc_id is an index lookup; "$nin" on version made Chroma scan
        # every row (90 ms at 9,000 rows, seconds at 300,000). Versions are in the ids.
        with _map_chroma_errors(self.location):
            got = self._paragraphs.get(where={"doc_id": doc_id}, include=[])
            stale = [i for i in got["ids"] if _version_of(i, doc_id) not in keep_versions]
            for start in range(0, len(stale), _PAGE):
                self._paragraphs.delete(ids=stale[start : start + _PAGE])

    def _embed(self, texts: list[str]) -> list[Any]:
        try:
            vectors = list(self._embedder(texts))
        except EmbeddingError:
            raise
        except Exception as exc:  # noqa: BLE001 - a model or endpoint can fail in many ways
            raise EmbeddingError(f"embedding failed: {type(exc).__name__}: {exc}") from exc
        if len(vectors) != len(texts):  # the vectors are read in order, one per paragraph
            raise EmbeddingError(f"the embedder gave {len(vectors)} vectors for {len(texts)} texts")
        return vectors

    # -- reading -------------------------------------------------------------------------

    def count(self) -> int:
        """Rows in the paragraph collection (committed or not)."""
        with _map_chroma_errors(self.location):
            return int(self._paragraphs.count())

    def rows(self, *, include_text: bool = True) -> Iterator[Row]:
        """Every committed row, page by page."""
        active = {d: m.get("version") for d, m in self.catalog().items()}
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        offset = 0
        while True:
            with _map_chroma_errors(self.location):
                got = self._paragraphs.get(include=include, limit=_PAGE, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            docs = got.get("documents") or [""] * len(ids)
            for i, text, meta in zip(ids, docs, got["metadatas"], strict=True):
                if meta and active.get(str(meta.get("doc_id"))) == meta.get("version"):
                    yield Row(i, text or "", dict(meta))
            offset += len(ids)

    def get(self, ids: Sequence[str]) -> list[Row]:
        """Rows by id, in the order asked; unknown ids are skipped."""
        if not ids:
            return []
        with _map_chroma_errors(self.location):
            got = self._paragraphs.get(ids=list(ids), include=["metadatas", "documents"])
        by_id = {
            i: Row(i, t or "", dict(m or {}))
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [by_id[i] for i in ids if i in by_id]

    def embed_query(self, text: str) -> np.ndarray:
        """The query vector (remembered for recently asked texts; read-only)."""
        vector = self.query_vectors.get(text)
        if vector is not None:
            return vector
        try:
            vector = np.asarray(self._embedder.embed_query([text])[0], dtype=np.float32)
        except Exception as exc:  # noqa: BLE001
            raise EmbeddingError(f"query embedding failed: {type(exc).__name__}") from exc
        self.query_vectors.put(text, vector)
        return vector

    def nearest(self, vector: np.ndarray, n: int) -> tuple[list[DenseHit], int]:
        """The n nearest rows to a query vector, nearest first, and how many Chroma returned.

        Only ids and distances are read (a row's text and metadata cost ~0.1 ms each to
        fetch); rows of any version are returned, so the caller keeps the committed ones and
        asks again with a larger n when too few are left.
        """
        return self._query(vector, n, ids=None)

    def nearest_among(self, vector: np.ndarray, ids: Sequence[str], k: int) -> list[DenseHit]:
        """The k rows among `ids` nearest to a query vector, nearest first.

        Chroma searches an allow-list of ids slowly when it is short (at 300,000 rows, 270 ms
        for 30 ids, 90 ms for 2,000, 37 ms for 4,500): up to BRUTE_FORCE_MAX ids, their
        vectors are fetched and compared here instead (1.4 ms for 30, 32 ms for 500).
        """
        if not ids:
            return []
        if len(ids) > BRUTE_FORCE_MAX:
            try:
                return self._query(vector, min(k, len(ids)), ids=ids)[0]
            except StoreUnavailableError as exc:
                if "finding id" not in str(exc.__cause__):
                    raise
                # Chroma fails the whole query when one id is gone: another process removed a
                # document since the caller's last refresh. Ask again with the ids still there.
                ids = self._existing(ids)
                return self._query(vector, min(k, len(ids)), ids=ids)[0] if ids else []
        with _map_chroma_errors(self.location):
            got = self._paragraphs.get(ids=list(ids), include=["embeddings"])
        found = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
        if not len(found):
            return []
        lengths = np.linalg.norm(found, axis=1) * (float(np.linalg.norm(vector)) or 1.0)
        similarity = (found @ vector) / np.where(lengths > 0, lengths, 1.0)
        order = np.argsort(-similarity, kind="stable")[:k]
        return [DenseHit(got["ids"][i], float(similarity[i])) for i in order]

    def _existing(self, ids: Sequence[str]) -> list[str]:
        with _map_chroma_errors(self.location):
            found = set(self._paragraphs.get(ids=list(ids), include=[])["ids"])
        return [i for i in ids if i in found]

    def _query(
        self, vector: np.ndarray, n: int, *, ids: Sequence[str] | None
    ) -> tuple[list[DenseHit], int]:
        with _map_chroma_errors(self.location):
            got = self._paragraphs.query(
                query_embeddings=[vector.tolist()],
                n_results=n,
                ids=list(ids) if ids is not None else None,
                include=["distances"],
            )
        found = got["ids"][0]
        distances = (got["distances"] or [[]])[0]
        hits = [DenseHit(i, 1.0 - float(d)) for i, d in zip(found, distances, strict=True)]
        return hits, len(found)

    def close(self) -> None:
        """Release the client (its HTTP connections or its folder); idempotent."""
        sessions = _http_sessions(self._client)
        with contextlib.suppress(Exception):
            self._client.close()
        for session in sessions:
            session.close()


def _version_of(row: str, doc_id: str) -> str:
    return row[len(doc_id) + 1 :].rsplit("#", 1)[0]


def _http_sessions(client: Any) -> list[httpx.Client]:
    # chromadb's HTTP client keeps an httpx session per "system", and its admin client makes
    # a second system of its own; both hold connections to the server.
    owners = [client, getattr(client, "_admin_client", None)]
    sessions = [getattr(getattr(o, "_server", None), "_session", None) for o in owners]
    return [s for s in sessions if isinstance(s, httpx.Client)]


def _set_timeout(client: Any, seconds: float) -> None:
    # chromadb builds its httpx sessions with `timeout=None`, so a server that accepts the
    # connection but never answers (a hung process, a dead peer behind a balancer) would block
    # a request forever. It has no setting for this; set it on the sessions.
    sessions = _http_sessions(client)
    for session in sessions:
        session.timeout = httpx.Timeout(seconds, connect=min(seconds, 10.0))
    if not sessions:  # a future chromadb may build its client differently: say so, do not fail
        logger.warning("Could not set a timeout on the Chroma HTTP client")


@contextlib.contextmanager
def _map_chroma_errors(
    location: str, *, opening: bool = False, also: tuple[type[Exception], ...] = ()
) -> Iterator[None]:
    """Raise StoreUnavailableError, naming `location`, when Chroma or its transport fails.

    Only the errors of Chroma, the server connection and the disk are translated (see
    _is_store_failure), in this one place for every method of the store; anything else raised
    in the block, a bug in our own code or callbacks, propagates as itself. `opening` words the
    message for a folder that cannot be opened at all; `also` adds error classes a particular
    chromadb call turns every failure into.
    """
    try:
        yield
    except StoreError:
        raise  # already ours: the embedder's EmbeddingError, or a block translated inside
    except Exception as exc:  # noqa: BLE001 - filtered at once: only the store's own failures
        if not (_is_store_failure(exc) or isinstance(exc, also)):
            raise
        if opening:
            raise StoreUnavailableError(
                f"{location} cannot be opened: {type(exc).__name__}: {exc}"
            ) from exc
        raise _unavailable(exc, location) from exc


def _is_store_failure(exc: Exception) -> bool:
    """Whether Chroma, its server connection or the disk raised `exc` (not our own code).

    The embedded store's I/O failures arrive as chromadb's InternalError ("attempt to write a
    readonly database", "file is not a database", "File exists (os error 17)"); a server's as
    httpx errors, or as a bare Exception carrying the body of an HTTP error that is not one of
    chromadb's own (a gateway's 401, a proxy's 502), or as a JSON error for a body that is not
    JSON at all.
    """
    from chromadb.errors import ChromaError

    failures = (ChromaError, httpx.HTTPError, httpx.InvalidURL, json.JSONDecodeError,
                sqlite3.Error, OSError)  # fmt: skip
    return isinstance(exc, failures) or type(exc) is Exception


def _unavailable(exc: Exception, location: str) -> StoreUnavailableError:
    text = str(exc).strip() or type(exc).__name__
    if isinstance(exc, httpx.TimeoutException):
        hint = "it did not answer in time"
    elif isinstance(exc, httpx.TransportError) or "Could not connect" in text:
        hint = "is it running, and is the address right?"
    elif _is_auth_failure(exc, text):
        hint = "it refused the credentials; check the token"
    else:
        hint = "see the cause above"
    return StoreUnavailableError(f"{location} is unavailable ({type(exc).__name__}: "
                                 f"{text[:300]}); {hint}")  # fmt: skip


def _is_auth_failure(exc: Exception, text: str) -> bool:
    from chromadb.errors import AuthorizationError, ChromaAuthError

    lowered = text.lower()
    return isinstance(exc, ChromaAuthError | AuthorizationError) or any(
        word in lowered for word in ("unauthorized", "forbidden", "401", "403")
    )
