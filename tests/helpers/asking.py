"""Ask the one answer entry point from a synchronous test, as `chithi ask` does."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from retrieval import Answer, Answerer


def ask(answerer: Answerer, question: str, **options: Any) -> Answer:
    """`await answerer.answer(question, **options)` in an event loop of its own.

    Called inside a running loop (an async test comparing with a plain answer), the answer is
    computed in a worker thread with its own loop, since one loop cannot run inside another.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(answerer.answer(question, **options))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, answerer.answer(question, **options)).result()
