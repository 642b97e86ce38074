"""A real PostgreSQL server for the tests: Debian's binaries, started once per session.

The cluster lives in a temporary folder and listens on a unix socket in that folder only (no
TCP port to collide with another run or a system server). initdb and the server refuse to run
as root, and the tests run as root in CI: then the server runs as the `postgres` system user
(Debian's package creates it), through runuser, with the folder given to that user.

Missing PostgreSQL fails the tests that need it, naming the package, rather than skipping
them: a skip would let the PostgreSQL half of the database tests go untested unnoticed.
"""

from __future__ import annotations

import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

__all__ = ["PostgresServer", "running_postgres"]

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
# Durability is not under test: without fsync a fresh database takes milliseconds, not seconds.
FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c listen_addresses=''"


class PostgresServer:
    """A running server: `database()` makes a fresh empty database and returns its URL."""

    def __init__(self, socket_dir: Path, user: str) -> None:
        self.socket_dir = socket_dir
        self.user = user
        self._names = itertools.count(1)

    def url(self, name: str = "postgres") -> str:
        """The URL of a database on this server (libpq's host= names the socket's folder)."""
        return f"postgresql://{self.user}@/{name}?host={self.socket_dir}"

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"test_{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by create_database (connections still open are ended)."""
        name = url.split("/")[3].split("?")[0]
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _binaries() -> Path | None:
    """The folder of initdb and pg_ctl: on PATH, else Debian's newest version's."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(
        DEBIAN_BINARIES.glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name), reverse=True
    )
    return versions[0].parent if versions else None


@contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throwaway PostgreSQL server; stop it and delete its files afterwards."""
    binaries = _binaries()
    if binaries is None:
        pytest.fail(
            "PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql); run "
            "`make setup-system` (scripts/system_packages.sh) to install Debian's postgresql",
            pytrace=False,
        )
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail(
                "running as root, and there is no `postgres` user to run PostgreSQL as "
                "(Debian's postgresql package creates it; or run the tests as another user)",
                pytrace=False,
            )
        as_user = ["runuser", "-u", "postgres", "--"]
    folder = Path(tempfile.mkdtemp(prefix="chithi-pg-"))
    data = folder / "data"
    try:
        if owner is not None:
            os.chown(folder, owner.pw_uid, owner.pw_gid)
        run = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
        _run([*as_user, str(binaries / "initdb"), "-D", str(data), "-A", "trust",
              "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        _run([*run, "-w", "-t", "60", "-l", str(folder / "server.log"), "start",
              "-o", f"-k {folder} {FAST}"])  # fmt: skip
        try:
            yield PostgresServer(folder, "postgres")
        finally:
            subprocess.run(
                [*run, "-m", "immediate", "stop"], check=False, capture_output=True, timeout=60
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}", pytrace=False)
