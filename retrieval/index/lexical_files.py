"""The lexical files beside the store: BM25 index, accent counts, body flags and units, together."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from retrieval.text import AccentRestorer
from vectorstore import LexicalIndex, staged_file

logger = logging.getLogger(__name__)

# What a row's BM25 text is made of (2: its nearest heading, then its text). Files saved under
# another scheme are not loaded: the index is rebuilt from the store, without re-embedding.
TEXT_SCHEME = 2


@dataclass(frozen=True)
class LexicalState:
    """What the lexical files hold: the index, the accent model, a body flag and unit per row."""

    index: LexicalIndex
    restorer: AccentRestorer
    bodies: np.ndarray
    units: np.ndarray  # int64 per row: the section it is cited by (index/units.py)


class LexicalFiles:
    """The BM25 folder and its side files: accents, body flags and units (``NAME.*``).

    Args:
        directory: the BM25 folder; the side files sit beside it.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self) -> LexicalState | None:
        """The saved state, or None when any part is missing or unreadable."""
        with self._locked(shared=True):
            return self._load()

    def _load(self) -> LexicalState | None:
        index = LexicalIndex.load(self.directory)
        restorer = AccentRestorer.load(self._side_file(".accents.json"))
        try:
            bodies = np.load(self._bodies_file(len(index.ids))) if index else None
            # Files saved before units existed have none: the index is rebuilt from the store.
            units = np.load(self._units_file(len(index.ids))) if index else None
        except (OSError, ValueError):
            bodies = units = None
        if index is None or restorer is None or bodies is None or units is None:
            return None
        return LexicalState(index, restorer, bodies, units)

    def save(self, state: LexicalState) -> bool:
        """Write the state; False (and a warning) when the folder cannot be written.

        Processes sharing the data folder take turns (a lock file beside the folder): one
        save's cleanup must not delete the files another save has just written. A folder
        that cannot be written (read-only, full disk) leaves the index in memory: asks go
        on, and the next start rebuilds the files from the store.
        """
        started = time.perf_counter()
        try:
            with self._locked(shared=False):
                self._save(state)
        except OSError as exc:
            logger.warning(
                "Lexical index not saved to %s (%s); it stays in memory and is rebuilt at the "
                "next start", self.directory, exc.strerror or exc,
            )  # fmt: skip
            return False
        logger.debug(
            "Lexical files saved: %d rows in %.2fs",
            len(state.index.ids), time.perf_counter() - started,
        )  # fmt: skip
        return True

    def _save(self, state: LexicalState) -> None:
        state.index.save(self.directory)
        state.restorer.save(self._side_file(".accents.json"))
        for path, values, pattern in (
            (self._bodies_file(len(state.index.ids)), state.bodies, "bodies-*"),
            (self._units_file(len(state.index.ids)), state.units, "units-*"),
        ):
            with staged_file(path.parent, path.name) as tmp:
                np.save(tmp, values)
            for old in path.parent.glob(f"{self.directory.name}.{pattern}.npy"):
                if old != path:
                    old.unlink(missing_ok=True)

    @contextlib.contextmanager
    def _locked(self, *, shared: bool) -> Iterator[None]:
        """Hold the folder's lock: shared to read, exclusive to write (no lock if unwritable)."""
        lock = self._side_file(".lock")
        try:
            lock.parent.mkdir(parents=True, exist_ok=True)
            handle = lock.open("a+b")
        except OSError:
            yield  # a read-only folder: nobody can be writing it through chithi
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _bodies_file(self, rows: int) -> Path:
        return self._side_file(f".bodies-s{TEXT_SCHEME}-{rows}.npy")

    def _units_file(self, rows: int) -> Path:
        return self._side_file(f".units-{rows}.npy")

    def _side_file(self, suffix: str) -> Path:
        return self.directory.with_name(self.directory.name + suffix)
