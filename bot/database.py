"""Where the shared state lives: the question log's SQLite file, or one PostgreSQL database.

The stores (chat_log, alerts.store, conversations) write their SQL once, in what both engines
run: `?` placeholders, `ON CONFLICT` upserts, `RETURNING`, and schemas in SQLite's types. This
module holds the few differences: placeholders (`?` becomes `%s`), the types (SQLite's INTEGER
is 64-bit and REAL 8-byte, so PostgreSQL gets BIGINT and DOUBLE PRECISION: Telegram's chat ids
do not fit in PostgreSQL's INTEGER), the auto-numbered key, and how a transaction takes a
lock (`BEGIN IMMEDIATE` locks the whole SQLite file; PostgreSQL takes an advisory lock on the
name, held until the transaction ends).

Each call opens its own short connection, committed when its block ends without an error, so
a store is safe to use from the event loop, from worker threads and from several processes
(sharing one data folder, or one PostgreSQL server from several hosts).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict

# What a store's call may raise when the database fails (locked, full, down): the callers
# that retry or drop bookkeeping catch these, whichever engine is configured.
ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
URL_SCHEMES = ("postgresql://", "postgres://")
# Leases: one holder among the processes (the alert broadcaster, the Zalo token refresher).
LEASES = """
CREATE TABLE IF NOT EXISTS leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires REAL NOT NULL
);
"""

Params = Sequence[Any]


class Cursor(Protocol):
    """What the stores read from a statement: rows and the count of rows changed."""

    @property
    def rowcount(self) -> int:
        """How many rows the statement changed."""

    def fetchone(self) -> Any:
        """The next row (a tuple), or None."""

    def fetchall(self) -> list[Any]:
        """The remaining rows."""


class Connection(Protocol):
    """One transaction's connection, as the stores use it, on either engine."""

    def execute(self, sql: str, params: Params = ()) -> Cursor:
        """Run one statement with `?` placeholders."""

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement for each row of parameters."""

    def lock(self, name: str) -> None:
        """Hold an exclusive lock called `name` until the transaction ends (call it first)."""

    def columns(self, table: str) -> set[str]:
        """The names of a table's columns (for a store that adds one to an older file)."""


class Database(Protocol):
    """The question log's database: a SQLite file or a PostgreSQL URL."""

    def create(self, schema: str) -> None:
        """Create a store's tables (and the file, with its folder) where they are missing."""

    def connect(self, *, timeout: float = 10) -> AbstractContextManager[Connection]:
        """One short connection: committed when the block ends without an error."""


def open_database(where: Database | Path | str) -> Database:
    """The database a store was given: a Database as is, a path's SQLite file, or a URL.

    Args:
        where: a Database, the path of a SQLite file, or a postgresql:// URL.
    """
    if isinstance(where, str) and where.startswith(URL_SCHEMES):
        return PostgresDatabase(where)
    if isinstance(where, str | Path):
        return SQLiteDatabase(Path(where))
    return where


class SQLiteDatabase:
    """One SQLite file (the embedded default: `questions.sqlite3` in the data folder)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"SQLiteDatabase({str(self.path)!r})"

    def create(self, schema: str) -> None:
        """Create the file (and its folder) if needed, in WAL mode, with a store's tables."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as conn:
            conn.raw.execute("PRAGMA journal_mode=WAL")
            conn.raw.executescript(schema)

    @contextmanager
    def connect(self, *, timeout: float = 10) -> Iterator[_SQLiteConnection]:
        """One short connection, committed when the block ends without an error.

        Args:
            timeout: seconds to wait for another process's write lock.
        """
        with closing(sqlite3.connect(self.path, timeout=timeout)) as conn, conn:
            yield _SQLiteConnection(conn)


class _SQLiteConnection:
    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Params = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        self.raw.executemany(sql, rows)

    def lock(self, name: str) -> None:
        # The whole file's write lock, taken now rather than at the first write: a reader
        # that then writes cannot lose a race it has already looked at.
        self.raw.execute("BEGIN IMMEDIATE")

    def columns(self, table: str) -> set[str]:
        return {str(row[1]) for row in self.raw.execute(f"PRAGMA table_info({table})")}


_TYPES = (
    (re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
    (re.compile(r"\bINTEGER\b"), "BIGINT"),
    (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"),
)
# Two replicas creating the same tables at once wait for each other on this lock: CREATE
# TABLE IF NOT EXISTS alone can fail on PostgreSQL's catalog in that race.
_SCHEMA_LOCK = "chithi:schema"


class PostgresDatabase:
    """One PostgreSQL database (CHITHI_DATABASE_URL), shared by replicas on several hosts.

    Args:
        url: postgresql://user:password@host:port/name (libpq's URL, options included).
    """

    def __init__(self, url: str) -> None:
        self.url = url
        # Ours are added to the URL's own options (a search_path, say), not put in their place.
        self._options = conninfo_to_dict(url).get("options") or ""

    def __repr__(self) -> str:
        return f"PostgresDatabase({redact(self.url)!r})"

    def create(self, schema: str) -> None:
        """Create a store's tables where they are missing, in SQLite's types translated."""
        for pattern, replacement in _TYPES:
            schema = pattern.sub(replacement, schema)
        with self.connect() as conn:
            conn.lock(_SCHEMA_LOCK)
            conn.raw.execute(schema)  # several statements in one call: allowed without parameters

    @contextmanager
    def connect(self, *, timeout: float = 10) -> Iterator[_PostgresConnection]:
        """One short connection, committed when the block ends without an error.

        Args:
            timeout: seconds to wait for the server to answer the connection, and for a lock
                another transaction holds (as SQLite's busy timeout).
        """
        with psycopg.connect(
            self.url,
            connect_timeout=max(1, round(timeout)),
            options=f"{self._options} -c lock_timeout={int(timeout * 1000)}".strip(),
        ) as conn:
            yield _PostgresConnection(conn)


class _PostgresConnection:
    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, params: Params = ()) -> psycopg.Cursor[Any]:
        return self.raw.execute(_placeholders(sql), params)

    def executemany(self, sql: str, rows: Sequence[Params]) -> None:
        with self.raw.cursor() as cursor:
            cursor.executemany(_placeholders(sql), rows)

    def lock(self, name: str) -> None:
        self.raw.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))

    def columns(self, table: str) -> set[str]:
        rows = self.raw.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s",
            (table,),
        ).fetchall()
        return {str(row[0]) for row in rows}


def _placeholders(sql: str) -> str:
    # The stores' SQL has no '?' or '%' inside string literals; psycopg reads '%' as its own.
    return sql.replace("%", "%%").replace("?", "%s")


def redact(url: str) -> str:
    """A database URL fit for a log line: its password (in the URL or its query) masked."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, _, host = netloc.rpartition("@")
        if ":" in user:
            user = user.split(":", 1)[0] + ":***"
        netloc = f"{user}@{host}"
    query = urlencode(
        [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)], safe="*/"
    )
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def hold_lease(
    conn: Connection, name: str, holder: str, seconds: float
) -> Literal["refused", "renewed", "taken"]:
    """Take or renew a lease, as the first thing of the caller's transaction.

    The lease's lock is held until the transaction ends, so what the caller does on taking
    it over (its predecessor's unfinished work) happens under the lease too. Returns
    "taken" when it had no holder or its holder's time ran out (it stopped or crashed).
    """
    conn.lock(name)
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


def release_lease(conn: Connection, name: str, holder: str) -> None:
    """Give a lease up, so that another process may take it at once."""
    conn.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))
