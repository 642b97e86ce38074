"""The paragraph index in Chroma: one collection of paragraphs plus a catalog of documents.

Ingest of one document is all or nothing without transactions: paragraphs are written
under ids that carry the document's version, and only then does the document's single
catalog record switch to that version (one write). Readers ignore rows whose version is not
the catalog's, so a crash half-way leaves the index answering exactly as before; the
orphan rows are removed the next time that document is written or removed.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vectorstore.embeddings import Embedder
from vectorstore.errors import EmbeddingError, StoreUnavailableError

logger = logging.getLogger(__name__)

MetaValue = str | int | float | bool
Metadata = Mapping[str, MetaValue]
_CATALOG_VECTOR = [1.0]  # the catalog is looked up by id, never by similarity
_PAGE = 2000


@dataclass(frozen=True)
class Row:
    """A stored paragraph: row id, exact text, and its metadata."""

    id: str
    text: str
    metadata: Metadata


@dataclass(frozen=True)
class DenseHit:
    """A row found by vector similarity."""

    row: Row
    similarity: float


def row_id(doc_id: str, version: str, position: int) -> str:
    """Row id: stable for the same document content and position."""
    return f"{doc_id}@{version}#{position}"


class ParagraphStore:
    """Paragraphs and documents in a Chroma database (embedded folder or server)."""

    def __init__(self, client: Any, *, embedder: Embedder, prefix: str = "chithi") -> None:
        self._client = client
        self._embedder = embedder
        self.collection_name = f"{prefix}_{embedder.slug}"
        try:
            self._paragraphs = client.get_or_create_collection(
                self.collection_name,
                embedding_function=embedder,
                configuration={"hnsw": {"space": "cosine"}},
            )
            self._catalog = client.get_or_create_collection(f"{self.collection_name}_catalog")
        except Exception as exc:  # noqa: BLE001 - chromadb raises bare Exceptions for I/O
            raise _unavailable(exc) from exc

    @classmethod
    def persistent(cls, path: str, *, embedder: Embedder) -> ParagraphStore:
        """A store in a local folder (Chroma's PersistentClient)."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=path, settings=ChromaSettings(anonymized_telemetry=False)
        )
        return cls(client, embedder=embedder)

    @classmethod
    def remote(cls, url: str, *, embedder: Embedder, token: str | None = None) -> ParagraphStore:
        """A store on a Chroma server (`chroma run`); embeddings stay client-side."""
        from urllib.parse import urlparse

        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(url)
        headers = {"Authorization": f"Bearer {token}"} if token else None
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                headers=headers,
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc
        return cls(client, embedder=embedder)

    # -- documents -----------------------------------------------------------------------

    def catalog(self) -> dict[str, dict[str, MetaValue]]:
        """Committed documents: doc id -> catalog metadata (including "version")."""
        try:
            got = self._catalog.get(include=["metadatas"])
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def state_token(self) -> str:
        """Changes whenever any document is added, replaced or removed."""
        pairs = sorted(f"{d}={m.get('version')}" for d, m in self.catalog().items())
        return hashlib.sha256("\n".join(pairs).encode()).hexdigest()[:16]

    def put_document(
        self,
        doc_id: str,
        version: str,
        doc_meta: Metadata,
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        *,
        batch_size: int = 32,
        progress: Callable[[int], None] | None = None,
    ) -> bool:
        """Write a document's paragraphs, then switch the catalog to them.

        Args:
            doc_id: the document id.
            version: a fingerprint of the content; the same version is never rewritten.
            doc_meta: catalog metadata (title, date, signer, ...).
            texts: paragraph texts in order; row ids follow their positions.
            metadatas: one metadata mapping per paragraph.
            batch_size: paragraphs embedded and written per step.
            progress: called with the number of paragraphs written after each step.

        Returns:
            False when this exact version was already committed (nothing written).

        Raises:
            EmbeddingError: the embedder failed; the committed index is unchanged.
            StoreUnavailableError: Chroma failed; the committed index is unchanged.
        """
        current = self.catalog().get(doc_id)
        if current and current.get("version") == version:
            return False
        self._delete_rows(doc_id, keep_versions={str(current["version"])} if current else set())
        try:
            for start in range(0, len(texts), batch_size):
                chunk = list(texts[start : start + batch_size])
                vectors = self._embed(chunk)
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
        except (EmbeddingError, StoreUnavailableError):
            raise
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc
        # Committed: the old version's rows are now invisible; clear them out.
        self._delete_rows(doc_id, keep_versions={version})
        return True

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its paragraphs. Returns False if it was not there."""
        if doc_id not in self.catalog():
            return False
        try:
            self._catalog.delete(ids=[doc_id])
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc
        self._delete_rows(doc_id, keep_versions=set())
        return True

    def _delete_rows(self, doc_id: str, *, keep_versions: set[str]) -> None:
        where: dict[str, Any] = {"doc_id": doc_id}
        if keep_versions:
            where = {"$and": [where, {"version": {"$nin": sorted(keep_versions)}}]}
        try:
            self._paragraphs.delete(where=where)
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc

    def _embed(self, texts: list[str]) -> list[Any]:
        try:
            return list(self._embedder(texts))
        except EmbeddingError:
            raise
        except Exception as exc:  # noqa: BLE001 - a model or endpoint can fail in many ways
            raise EmbeddingError(f"embedding failed: {type(exc).__name__}: {exc}") from exc

    # -- reading -------------------------------------------------------------------------

    def count(self) -> int:
        """Rows in the paragraph collection (committed or not)."""
        try:
            return int(self._paragraphs.count())
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc

    def rows(self, *, include_text: bool = True) -> Iterator[Row]:
        """Every committed row, page by page."""
        active = {d: m.get("version") for d, m in self.catalog().items()}
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        offset = 0
        while True:
            try:
                got = self._paragraphs.get(include=include, limit=_PAGE, offset=offset)
            except Exception as exc:  # noqa: BLE001
                raise _unavailable(exc) from exc
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
        try:
            got = self._paragraphs.get(ids=list(ids), include=["metadatas", "documents"])
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc
        by_id = {
            i: Row(i, t or "", dict(m or {}))
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }
        return [by_id[i] for i in ids if i in by_id]

    def embed_query(self, text: str) -> np.ndarray:
        """The query vector (computed once, reused by callers)."""
        try:
            return np.asarray(self._embedder.embed_query([text])[0], dtype=np.float32)
        except Exception as exc:  # noqa: BLE001
            raise EmbeddingError(f"query embedding failed: {type(exc).__name__}") from exc

    def dense_query(
        self, vector: np.ndarray, *, k: int, where: dict[str, Any] | None = None,
        active: Mapping[str, MetaValue] | None = None,
    ) -> list[DenseHit]:  # fmt: skip
        """Nearest rows to a query vector, committed versions only."""
        try:
            got = self._paragraphs.query(
                query_embeddings=[vector.tolist()],
                n_results=k,
                where=where or None,
                include=["metadatas", "documents", "distances"],
            )
        except Exception as exc:  # noqa: BLE001
            raise _unavailable(exc) from exc
        hits = []
        for i, text, meta, dist in zip(
            got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0],
            strict=True,
        ):  # fmt: skip
            meta = dict(meta or {})
            if active is not None and active.get(str(meta.get("doc_id"))) != meta.get("version"):
                continue
            hits.append(DenseHit(Row(i, text or "", meta), 1.0 - float(dist)))
        return hits


def _unavailable(exc: Exception) -> StoreUnavailableError:
    return StoreUnavailableError(f"Chroma failed: {type(exc).__name__}: {exc}")
