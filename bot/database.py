"""The question log's SQLite file, as every store of it opens it (log, alerts, conversations).

Each call opens its own short connection, so a store is safe to use from the event loop,
from worker threads and from several processes sharing one data folder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path


def create(path: Path, schema: str) -> None:
    """Create the file (and its folder) if needed, in WAL mode, with a store's tables."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as conn:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.executescript(schema)


@contextmanager
def connect(path: Path, *, timeout: float = 10) -> Iterator[sqlite3.Connection]:
    """One short connection, committed when the block ends without an error."""
    with closing(sqlite3.connect(path, timeout=timeout)) as conn, conn:
        yield conn
