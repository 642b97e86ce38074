"""A deterministic embedder for tests about something other than retrieval quality."""

from __future__ import annotations

import hashlib
import re
import threading
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from retrieval.text.normalize import fold

DIM = 64


def _vector(text: str) -> np.ndarray:
    vec = np.zeros(DIM, dtype=np.float32)
    for word in re.findall(r"[0-9a-z]+", fold(text)):
        digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
        vec[int.from_bytes(digest, "little") % DIM] += 1.0
    norm = float(np.linalg.norm(vec)) or 1.0
    return vec / norm


@register_embedding_function
class HashingEmbedder(EmbeddingFunction[Documents]):
    """Bag-of-folded-words hashed into 64 dimensions; fast, deterministic, offline.

    `fail_after` makes the embedder raise after that many passage batches, to simulate a
    model or endpoint dying in the middle of an ingest; `fail_on` makes it raise for a batch
    holding a passage that contains that text. `threads` names the threads that embedded
    passages. `gate`, when set to an unset Event, holds every passage batch until it is set
    (`entered` is set once a batch waits): an ingest as long as a test wants.
    """

    def __init__(self, fail_after: int | None = None, *, fail_on: str | None = None) -> None:
        self.fail_after = fail_after
        self.fail_on = fail_on
        self.threads: set[str] = set()
        self.batches = 0
        self.queries = 0  # texts embedded as queries
        self.fail_queries = False
        self.gate: threading.Event | None = None
        self.entered = threading.Event()

    def __call__(self, input: Documents) -> Embeddings:
        if self.gate is not None:
            self.entered.set()
            self.gate.wait()
        self.batches += 1
        self.threads.add(threading.current_thread().name)
        if self.fail_after is not None and self.batches > self.fail_after:
            raise RuntimeError("embedding model crashed")
        if self.fail_on is not None and any(self.fail_on in t for t in input):
            raise RuntimeError("embedding model crashed")
        return [_vector(t) for t in input]

    def embed_query(self, input: Documents) -> Embeddings:
        if self.fail_queries:
            raise RuntimeError("embedding model crashed")
        self.queries += len(input)
        return [_vector(t) for t in input]

    @property
    def slug(self) -> str:
        return "hashing"

    @staticmethod
    def name() -> str:
        return "chithi-test-hashing"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbedder:
        return HashingEmbedder()

    def default_space(self) -> Any:
        return "cosine"
