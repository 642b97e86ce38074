"""Benchmark: the cost of scoring candidates' articles whole (GroupedBM25) at 300,000 rows.

    .venv/bin/python bench/unit_scores.py [--rows 300000] [--units 75000]

A synthetic index with Zipf-distributed tokens (a few words in most rows, as "dịch", "phòng",
"chống" are in real ones), rows grouped into units of ~4 (a law's clauses per article); each
query has 25 tokens (a question's folded syllables, bigrams and accented forms) and 80
candidate rows (BM25's 40 and e5's 40). Prints the build time (once per index change), the
per-question time p50 / p95 and the extra memory. Not a test.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

from vectorstore import GroupedBM25, LexicalIndex


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--units", type=int, default=75_000)
    parser.add_argument("--vocabulary", type=int, default=13_000)
    parser.add_argument("--questions", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    ranks = np.arange(1, args.vocabulary + 1)
    weights = 1 / ranks
    weights /= weights.sum()
    words = [f"w{i}" for i in range(args.vocabulary)]
    lengths = rng.integers(8, 60, args.rows)
    drawn = rng.choice(args.vocabulary, size=int(lengths.sum()), p=weights)
    rows, at = [], 0
    for n, length in enumerate(lengths):
        rows.append((f"d{n // 40}@v1#{n}", [words[i] for i in drawn[at : at + length]]))
        at += length
    index = LexicalIndex.build(rows, token="bench")
    keys = rng.integers(1, args.units + 1, args.rows).astype(np.int64)
    keys.sort()  # consecutive rows share a unit, as an article's clauses do
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    grouped = GroupedBM25(index, keys)
    build = time.perf_counter() - started
    times = []
    for _ in range(args.questions):
        tokens = [words[i] for i in rng.choice(args.vocabulary, size=25, p=weights)]
        candidates = rng.choice(args.rows, size=80, replace=False)
        started = time.perf_counter()
        grouped.scores(tokens, candidates)
        times.append((time.perf_counter() - started) * 1000)
    growth = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    print(json.dumps({
        "rows": args.rows, "units": int(len(np.unique(keys))), "build_s": round(build, 3),
        "question_ms_p50": round(float(np.percentile(times, 50)), 2),
        "question_ms_p95": round(float(np.percentile(times, 95)), 2),
        "peak_rss_growth_mb": round(growth, 1),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
