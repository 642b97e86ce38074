"""Files written whole or not at all, by several processes sharing one folder."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def staged_file(directory: Path, name: str) -> Iterator[IO[bytes]]:
    """A temp file of this process's own beside `name`, renamed onto it when written.

    A reader sees the old file or the new one, never half of it; and fixed temp names made
    two processes saving into one folder write over each other's half-written files
    ("FileNotFoundError .lengths.tmp.npy"). The temp file goes if writing fails.
    """
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, then renamed
        dir=directory, prefix=f".{name}.", suffix=".tmp", delete=False
    )
    try:
        with handle:
            yield handle
        Path(handle.name).replace(directory / name)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
