"""Benchmark: warm `ask` latency, cold start to first answer, ingest throughput.

Run: .venv/bin/python bench/latency.py [--rounds 3]
     .venv/bin/python bench/latency.py --data-dir DIR [--questions SET.jsonl ...]
The second form asks over an index already built (a large corpus: no ingest, no cold start)
and adds the peak memory of the process. Prints the figures written down in
docs/benchmarks.md. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import Settings  # noqa: E402
from bot.wiring import build_answerer, build_library  # noqa: E402

QUESTION_SETS = [REPO / "tests" / "data" / "dev.jsonl", REPO / "bench" / "questions.jsonl"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--data-dir", type=Path, help="an index already built: ask over it")
    parser.add_argument("--questions", nargs="*", type=Path, default=[], help="more sets to ask")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="chithi-bench-"))
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(data_dir), "HOME": os.environ["HOME"]})

    library = build_library(settings)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    if args.data_dir is None:
        started = time.perf_counter()
        results = library.ingest([settings.notices_dir])
        elapsed = time.perf_counter() - started
        rows = sum(library.counts.values())
        print(
            f"ingest: {len(results)} notices, {rows} records in {elapsed:.1f} s "
            f"= {rows / elapsed:.1f} paragraphs/s (embedding dominates)"
        )
    else:
        print(f"index {data_dir}: {len(library.catalog)} documents, "
              f"{sum(library.counts.values())} records")  # fmt: skip

    answerer = build_answerer(settings, library)
    questions = [
        json.loads(line)["question"]
        for path in [*QUESTION_SETS, *args.questions]
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    runner = asyncio.Runner()  # one event loop for every question, as `chithi ask --jsonl`
    runner.run(answerer.answer("khởi động"))  # load the model and caches once
    # The first round embeds every question; later rounds find the vectors remembered (as a
    # question asked again is in use). Both are reported; the first is the goal's figure.
    first: list[float] = []
    again: list[float] = []
    for round_number in range(args.rounds):
        for question in questions:
            t = time.perf_counter()
            runner.run(answerer.answer(question))
            (again if round_number else first).append((time.perf_counter() - t) * 1000)
    runner.close()
    for label, timings in (("warm ask, first time", first), ("warm ask, asked again", again)):
        if timings:
            print(
                f"{label}: {len(timings)} answers, p50 {percentile(timings, 50):.1f} ms, "
                f"p95 {percentile(timings, 95):.1f} ms, max {max(timings):.1f} ms"
            )

    # ru_maxrss is in kilobytes on Linux: the process's peak, index and model included.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) of this process: {peak:.0f} MB")
    if args.data_dir is not None:
        return
    env = {**os.environ, "CHITHI_DATA_DIR": str(data_dir)}
    cold = []
    for _ in range(args.rounds):
        t = time.perf_counter()
        subprocess.run(
            [str(REPO / ".venv" / "bin" / "chithi"), "ask", "--json", "5K là gì?"],
            env=env,
            check=True,
            capture_output=True,
        )
        cold.append(time.perf_counter() - t)
    print(
        f"cold start to first answer (new process, existing index): "
        f"median {statistics.median(cold):.2f} s, min {min(cold):.2f} s"
    )


if __name__ == "__main__":
    main()
