"""A document's passage vectors, embedded in steps on one thread or several, read in order.

The bundled e5 engine releases the GIL and keeps no state between calls (each call allocates
its own buffers), so several threads can embed different paragraphs with one loaded model;
each text's vector depends only on that text, so the vectors are the same bit for bit however
the paragraphs are grouped (see docs/benchmarks.md, "Ingest on every core").
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)

# Paragraphs per call when several threads embed: small steps, taken by whichever thread is
# free, keep the threads busy to a document's end (its paragraphs differ in length by up to
# 10x, and the next document starts only when this one is written). Steps of 2 to 32 embed at
# the same speed on one thread.
PARALLEL_STEP = 4

Embed = Callable[[list[str]], Sequence[Any]]


def embedded(
    embed: Embed, texts: Sequence[str], *, step: int, workers: int = 1
) -> Generator[Any, None, None]:
    """Each text's vector, in the order of `texts`.

    Args:
        embed: embeds a list of texts; called with `step` texts at a time (fewer at the end).
        texts: the texts.
        step: texts per call.
        workers: threads calling `embed` at once; with 1 each step is embedded in the calling
            thread when it is needed, as the vectors are read.

    Yields:
        One vector per text, in order. With several workers, up to two steps per worker are
        embedded ahead of the reader.

    Raises:
        Whatever `embed` raised, for the first step that failed, in the reading thread; the
        steps not started are cancelled and those running are waited for, so no thread is
        left embedding. Close the iterator (or read it to the end) for the same cleanup when
        the reader stops early.
    """
    starts = range(0, len(texts), step)
    if workers <= 1:
        for start in starts:
            yield from embed(list(texts[start : start + step]))
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed-passages")
    pending: deque[Future[Sequence[Any]]] = deque()
    todo = iter(starts)
    try:
        for start in todo:
            pending.append(pool.submit(embed, list(texts[start : start + step])))
            if len(pending) >= 2 * workers:
                break
        while pending:
            vectors = pending.popleft().result()
            for start in todo:  # one step in, one step out
                pending.append(pool.submit(embed, list(texts[start : start + step])))
                break
            yield from vectors
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
