"""The vectors of recent questions, so that a question asked again is not embedded again.

Hotline staff and the bot's example buttons ask the same questions over and over, and the
question's embedding is most of an answer's time (~50-70 ms of e5 on one core against ~5 ms
for everything else on a provincial index). A vector depends only on the model and the text,
so entries never go stale; the oldest are dropped past `size`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class QueryVectorCache:
    """A thread-safe least-recently-used map from query text to its vector."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        """The cached vector, or None."""
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        """Remember a vector (read-only, as callers share it)."""
        if self.size <= 0:
            return
        vector.setflags(write=False)
        with self._lock:
            self._vectors[text] = vector
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)

    def clear(self) -> None:
        """Forget every vector."""
        with self._lock:
            self._vectors.clear()
