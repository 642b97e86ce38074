"""A document's passage vectors, embedded on one thread or several, read in order.

The bundled e5 engine releases the GIL and keeps no state between calls (each call allocates
its own buffers), so several threads can embed different paragraphs with one loaded model;
each text's vector depends only on that text, so the vectors are the same bit for bit however
the paragraphs are grouped (see docs/benchmarks.md, "Ingest on every core").
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import Callable, Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

logger = logging.getLogger(__name__)

# Paragraphs per call when several threads embed. A document's paragraphs differ in length
# by up to 10x and the next document starts only when this one is written, so the threads
# take small calls, longest paragraphs first, and finish together. On the bundled notices,
# calls of 2 or 3 ingested ~6% faster than calls of 4 (shorter tails); a call costs ~2% more
# CPU at 4 paragraphs than at 32, ~7% more at 2.
PARALLEL_STEP = 3

Embed = Callable[[list[str]], Sequence[Any]]


def embedded(
    embed: Embed, texts: Sequence[str], *, step: int, workers: int = 1, window: int = 32
) -> Generator[Any, None, None]:
    """Each text's vector, in the order of `texts`.

    Args:
        embed: embeds a list of texts; called with up to `step` texts at a time.
        texts: the texts.
        step: texts per call.
        workers: threads calling `embed` at once. With 1, consecutive texts are embedded in
            the calling thread as the vectors are read. With more, the texts of each
            `window` of consecutive texts are embedded longest first, `step` texts of similar
            length a call, taken by whichever thread is free; the next window is queued
            behind the one being read.
        window: with several workers, the texts whose calls are queued together (the caller
            reads them together: ParagraphStore writes its batches).

    Yields:
        One vector per text, in order.

    Raises:
        Whatever `embed` raised, in the reading thread, when the first text of a failed call
        is read; the calls not started are cancelled and those running are waited for, so no
        thread is left embedding. Close the iterator (or read it to the end) for the same
        cleanup when the reader stops early.
    """
    if workers <= 1:
        for start in range(0, len(texts), step):
            yield from embed(list(texts[start : start + step]))
        return
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="embed-passages")

    def queue(indices: range) -> dict[int, tuple[Future[Sequence[Any]], int]]:
        """Each text's call and its place in the call."""
        longest_first = sorted(indices, key=lambda i: len(texts[i]), reverse=True)
        calls: dict[int, tuple[Future[Sequence[Any]], int]] = {}
        for start in range(0, len(longest_first), step):
            chosen = longest_first[start : start + step]
            call = pool.submit(embed, [texts[i] for i in chosen])
            calls.update((i, (call, place)) for place, i in enumerate(chosen))
        return calls

    windows = (range(s, min(s + window, len(texts))) for s in range(0, len(texts), window))
    try:
        queued = deque(queue(w) for w in itertools.islice(windows, 1))
        while queued:
            calls = queued.popleft()
            queued.extend(queue(w) for w in itertools.islice(windows, 1))
            for i in sorted(calls):
                call, place = calls[i]
                yield call.result()[place]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
