"""Calls to the index with a deadline: a hung store costs a caller seconds, not minutes.

A Chroma server that accepts connections and never answers, or an embedded store stuck on
its own lock, would hold a question for as long as the store does. `bounded` runs the call
on a worker thread and gives up waiting after `seconds` (the thread finishes on its own; a
server's HTTP timeout ends it). The threads are a pool of their own, larger than asyncio's
default (cores + 4): threads waiting on a hung server must not leave the next question
waiting for a free one.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from retrieval.errors import IndexTimeoutError

T = TypeVar("T")
WORKERS = 64  # threads mostly wait on I/O or a lock when many are busy at once

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="index")
        return _pool


async def bounded(seconds: float | None, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """`call(*args, **kwargs)` on a worker thread; IndexTimeoutError after `seconds`.

    Args:
        seconds: how long to wait; None waits as long as the call takes.
        call: a synchronous function that reads (or writes) the index.
        *args: its positional arguments.
        **kwargs: its keyword arguments.

    Raises:
        IndexTimeoutError: the call did not return in time (it goes on in its thread).
    """
    work = asyncio.get_running_loop().run_in_executor(_executor(), partial(call, *args, **kwargs))
    if seconds is None:
        return await work
    try:
        return await asyncio.wait_for(work, seconds)
    except TimeoutError as exc:
        name = getattr(call, "__qualname__", type(call).__name__)
        raise IndexTimeoutError(f"the index did not answer {name} within {seconds:g} s") from exc
