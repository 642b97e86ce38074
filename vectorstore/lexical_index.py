"""A BM25 index (bm25s) over tokens the caller supplies, saved beside Chroma.

Chroma stays the one source of truth: this index is rebuilt from the collection whenever the
store's state token changes, and the token is saved with the index.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import bm25s
import numpy as np

logger = logging.getLogger(__name__)


class LexicalIndex:
    """BM25 over pre-tokenised rows, addressable by row id."""

    def __init__(self, ids: list[str], model: bm25s.BM25 | None, token: str) -> None:
        self.ids = ids
        self.token = token
        self._model = model
        self._position = {row_id: i for i, row_id in enumerate(ids)}

    @classmethod
    def build(cls, rows: Iterable[tuple[str, list[str]]], *, token: str) -> LexicalIndex:
        """Index (row id, tokens) pairs."""
        ids: list[str] = []
        corpus: list[list[str]] = []
        for row_id, tokens in rows:
            ids.append(row_id)
            corpus.append(tokens or ["∅"])
        if not ids:
            return cls([], None, token)
        model = bm25s.BM25(k1=1.2, b=0.75)
        model.index(corpus, show_progress=False)
        return cls(ids, model, token)

    def save(self, directory: Path) -> None:
        """Write atomically: a half-written index is never read back."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".lexical-", dir=directory.parent))
        if self._model is not None:
            self._model.save(str(staging / "bm25"), show_progress=False)
        (staging / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (staging / "token").write_text(self.token, encoding="utf-8")
        backup = directory.with_name(directory.name + ".old")
        if directory.exists():
            shutil.rmtree(backup, ignore_errors=True)
            directory.rename(backup)
        staging.rename(directory)
        shutil.rmtree(backup, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """Read a saved index, or None when there is none or it is unreadable."""
        try:
            token = (directory / "token").read_text(encoding="utf-8")
            ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
            model = (
                bm25s.BM25.load(str(directory / "bm25"), show_progress=False)
                if (directory / "bm25").exists()
                else None
            )
        except (OSError, ValueError) as exc:
            logger.warning(
                "Lexical index at %s unreadable (%s); it will be rebuilt", directory, exc
            )
            return None
        return cls(ids, model, token)

    def __len__(self) -> int:
        return len(self.ids)

    def search(
        self, tokens: Sequence[str], *, k: int, mask: np.ndarray | None = None
    ) -> list[tuple[str, float]]:
        """Top-k (row id, BM25 score) for a tokenised query; mask (0/1 per row) filters."""
        if self._model is None or not tokens:
            return []
        vocab = self._model.vocab_dict
        known = [vocab[t] for t in tokens if t in vocab]
        if not known:
            return []
        scores = self._model.get_scores_from_ids(known, weight_mask=mask)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top])]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
