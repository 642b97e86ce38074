"""The lexical files beside the store: BM25 index, accent counts and body flags, kept together."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.text import AccentRestorer
from vectorstore import LexicalIndex

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LexicalState:
    """What the lexical files hold: the index, the accent model, a body flag per row."""

    index: LexicalIndex
    restorer: AccentRestorer
    bodies: np.ndarray


class LexicalFiles:
    """The BM25 folder and its two side files (``NAME.accents.json``, ``NAME.bodies-N.npy``).

    Args:
        directory: the BM25 folder; the side files sit beside it.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self) -> LexicalState | None:
        """The saved state, or None when any part is missing or unreadable."""
        index = LexicalIndex.load(self.directory)
        restorer = AccentRestorer.load(self._side_file(".accents.json"))
        try:
            bodies = np.load(self._side_file(f".bodies-{len(index.ids)}.npy")) if index else None
        except (OSError, ValueError):
            bodies = None
        if index is None or restorer is None or bodies is None:
            return None
        return LexicalState(index, restorer, bodies)

    def save(self, state: LexicalState) -> None:
        """Write the state (the body flags are named by row count, to be read with their index)."""
        started = time.perf_counter()
        state.index.save(self.directory)
        state.restorer.save(self._side_file(".accents.json"))
        bodies = self._side_file(f".bodies-{len(state.index.ids)}.npy")
        for old in bodies.parent.glob(f"{self.directory.name}.bodies-*.npy"):
            old.unlink(missing_ok=True)
        np.save(bodies, state.bodies)
        logger.debug(
            "Lexical files saved: %d rows in %.2fs",
            len(state.index.ids), time.perf_counter() - started,
        )  # fmt: skip

    def _side_file(self, suffix: str) -> Path:
        return self.directory.with_name(self.directory.name + suffix)
