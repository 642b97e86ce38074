"""The question log's SQLite file, as every store of it opens it (log, alerts, conversations).

Each call opens its own short connection, so a store is safe to use from the event loop,
from worker threads and from several processes sharing one data folder. Leases (one holder
among the processes: the alert broadcaster, the Zalo token refresher) live here too.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Literal

LEASES = """
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires REAL NOT NULL
);
"""


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


def hold_lease(
    conn: sqlite3.Connection, name: str, holder: str, seconds: float
) -> Literal["refused", "renewed", "taken"]:
    """Take or renew a lease, inside the caller's transaction (BEGIN IMMEDIATE).

    Returns "taken" when it had no holder or its holder's time ran out (it crashed).
    """
    now = time.time()
    row = conn.execute("SELECT holder, expires FROM leases WHERE name = ?", (name,)).fetchone()
    if row is not None and row[0] != holder and row[1] > now:
        return "refused"
    conn.execute(
        "INSERT INTO leases (name, holder, expires) VALUES (?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires",
        (name, holder, now + seconds),
    )
    return "renewed" if row is not None and row[0] == holder else "taken"


def release_lease(conn: sqlite3.Connection, name: str, holder: str) -> None:
    """Give a lease up, so that another process may take it at once."""
    conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
