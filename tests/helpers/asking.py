"""Ask from a synchronous test: the one answer entry point, as `chithi ask` does, or the search."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from retrieval import Answer, Answerer, Library
from retrieval.search import SearchConfig, Searcher


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


def first_found(library: Library, question: str, config: SearchConfig | None = None) -> str:
    """The text of the paragraph the search puts first for a question (with these knobs)."""
    return Searcher(library, config=config).search(question, k=3)[0].paragraph.text
