"""Real faults of the disk and the database: a full filesystem, a write lock held elsewhere.

A full disk is a small tmpfs mounted for the test (root may mount one; elsewhere the test is
skipped, saying why) and filled to the last byte, so writes fail with ENOSPC as they would on
a full disk, from the kernel, not from a patched function. A locked question log is another
process holding `BEGIN EXCLUSIVE` on it, as a backup or an operator's sqlite3 shell would.
"""

from __future__ import annotations

import errno
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

__all__ = ["fill", "locked_database", "small_disk"]

_HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.readline()
conn.execute("ROLLBACK")
"""


@contextmanager
def small_disk(path: Path, *, size_kb: int = 512) -> Iterator[Path]:
    """A tmpfs of `size_kb` mounted at `path` for the block (skips the test if not allowed)."""
    path.mkdir(parents=True, exist_ok=True)
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)]
    done = subprocess.run(mount, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"a small disk needs `mount -t tmpfs` (root): {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path) -> None:
    """Take every free byte of the filesystem holding `disk` (until ENOSPC).

    The process under test may free a little at the same moment (a journal file it
    deletes): the disk is filled again until a probe write finds it full.
    """
    for _ in range(5):
        with (disk / "filler").open("ab", buffering=0) as out:
            for chunk in (1 << 16, 1 << 12, 1):
                with suppress(OSError):
                    while True:
                        out.write(b"\0" * chunk)
        try:
            (disk / "probe").write_bytes(b"x" * 4096)
        except OSError as full:
            if full.errno != errno.ENOSPC:
                raise
            return
        (disk / "probe").unlink()
    pytest.fail(f"{disk} could not be filled: space kept being freed")


@contextmanager
def locked_database(path: Path) -> Iterator[None]:
    """Another process holds an exclusive write lock on the SQLite file for the block."""
    with subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        assert holder.stdout is not None
        assert holder.stdin is not None
        try:
            assert holder.stdout.readline().strip() == "locked"
            yield
        finally:
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(timeout=30)
