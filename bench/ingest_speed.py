"""Benchmark: paragraphs per second of `chithi ingest` with 1 and N embedding threads.

Run: .venv/bin/python bench/ingest_speed.py [--workers 1 2] [--threads 1] [--rounds 3]
         [--before DIR] [PATH ...]

Each run is a fresh process (the e5 engine fixes its OpenMP threads when it first loads)
ingesting the same files (default: the bundled notices) into an empty index through
`Ingestion.files`, the path `chithi ingest` takes, with the model loaded beforehand.
`--workers` is CHITHI_INGEST_WORKERS (threads embedding at once), `--threads`
CHITHI_EMBED_THREADS (OpenMP threads inside each embedding call), `--before` a checkout of
older code to run with one thread as well.

On a machine shared with others, a second thread is only worth anything while the other core
is free: each run measures how busy other processes kept the machine during its ingest
(/proc/stat less its own CPU time), and rounds (every setting once, every other round in
reverse order) go on until each setting has `--rounds` quiet runs. It prints each setting's
median paragraphs per second over its quiet runs, its peak memory, and whether its index
(row ids, texts, metadata, vectors) is the same as the first setting's. Not a test: nothing
here asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def one_run(paths: list[Path], workers: int, threads: int, out: Path) -> dict[str, Any]:
    """Ingest `paths` into a fresh index in `out`; the figures, and the index saved beside."""
    from bot.settings import Settings
    from bot.wiring import build_ingestion, build_library

    env = {
        "CHITHI_DATA_DIR": str(out / "data"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "CHITHI_INGEST_WORKERS": str(workers),
        "CHITHI_EMBED_THREADS": str(threads),
    }
    settings = Settings.from_env(env)
    library = build_library(settings)
    library.embed_query("khởi động")  # the model is loaded before the clock starts
    ingestion = build_ingestion(settings, library)
    ticks: dict[str, list[int]] = {}

    def progress(total: int, label: str) -> Callable[[int], None]:
        ticks[label] = [total]  # as the progress bar is told: the total, then each step
        return ticks[label].append

    busy, own = machine_busy(), _own_cpu()
    started = time.perf_counter()
    results = ingestion.files(paths, progress=progress).results
    seconds = time.perf_counter() - started
    others = (machine_busy() - busy - (_own_cpu() - own)) / seconds
    failed = [r.error for r in results if r.error]
    shown = all(t[0] == sum(t[1:]) for t in ticks.values())
    save_index(settings, out / "index.npz")
    library.store.close()
    shutil.rmtree(out / "data")  # the index is compared from the file saved beside it
    return {
        "workers": workers,
        "threads": threads,
        # Every record embedded: body paragraphs, and the title, recipients and signature
        # records (the figure docs/benchmarks.md has always called paragraphs per second).
        "paragraphs": library.store.count(),
        "body_paragraphs": sum(r.paragraphs for r in results if r.changed),
        "seconds": seconds,
        "others": others,  # cores other processes kept busy meanwhile, on average
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "failed": failed,
        "progress_complete": shown and len(ticks) == len(results),
    }


def machine_busy() -> float:
    """CPU seconds every process on the machine has used since boot (Linux), else 0."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def save_index(settings: Any, path: Path) -> None:
    """Every stored row: id, text, metadata and vector, sorted by id (read through chromadb)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # The settings the store opened it with (Chroma refuses a second client with others).
    client = chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )
    [name] = [c.name for c in client.list_collections() if c.name == "chithi_e5small"]
    got = client.get_collection(name).get(include=["embeddings", "documents", "metadatas"])
    order = np.argsort(np.asarray(got["ids"]))
    metas = [json.dumps(got["metadatas"][i], sort_keys=True, ensure_ascii=False) for i in order]
    np.savez(
        path,
        ids=np.asarray(got["ids"])[order],
        texts=np.asarray(got["documents"])[order],
        metas=np.asarray(metas),
        vectors=np.asarray(got["embeddings"], dtype=np.float32)[order],
    )


def compare(first: Path, other: Path) -> str:
    """How the index in `other` differs from the one in `first`."""
    a, b = np.load(first), np.load(other)
    for key in ("ids", "texts", "metas"):
        if not np.array_equal(a[key], b[key]):
            return f"DIFFERENT {key}"
    if np.array_equal(a["vectors"], b["vectors"]):
        return "identical (bit for bit)"
    return f"vectors differ by up to {float(np.abs(a['vectors'] - b['vectors']).max()):.2e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[REPO / "data" / "notices"])
    parser.add_argument("--workers", type=int, nargs="+", help="default: 1 and the number of cores")
    parser.add_argument("--threads", type=int, nargs="+", default=[1])
    parser.add_argument(
        "--rounds", type=int, default=3, help="quiet runs wanted of each setting (default 3)"
    )
    parser.add_argument(
        "--max-rounds", type=int, help="stop after this many rounds (default 3 x --rounds)"
    )
    parser.add_argument(
        "--quiet-below",
        type=float,
        default=0.2,
        metavar="CORES",
        help="a run is quiet when other processes kept fewer cores busy than this (0.2)",
    )
    parser.add_argument(
        "--before",
        type=Path,
        metavar="DIR",
        help="also run one thread with the code of this checkout (e.g. `git archive` of the "
        "commit before the change), as the 'before' figure",
    )
    parser.add_argument("--code", type=Path, default=REPO, help=argparse.SUPPRESS)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    if args.child:  # one run, in this fresh process
        result = one_run(args.paths, args.workers[0], args.threads[0], args.child)
        print(json.dumps(result))
        return

    from bot.settings import available_cores

    args.workers = args.workers or [1, available_cores()]
    # A setting: (label, workers, threads, code).
    settings = [(f"{w:7d} {t:7d}", w, t, REPO) for t in args.threads for w in args.workers]
    if args.before:
        settings.insert(0, ("before (1 thread)", 1, 1, args.before.resolve()))
    work = Path(tempfile.mkdtemp(prefix="chithi-ingest-speed-"))
    runs: dict[str, list[dict[str, Any]]] = {s[0]: [] for s in settings}

    def quiet(label: str) -> list[dict[str, Any]]:
        return [r for r in runs[label] if r["others"] < args.quiet_below]

    load_before = os.getloadavg()[0]
    rounds = 0
    while rounds < (args.max_rounds or 3 * args.rounds) and any(
        len(quiet(label)) < args.rounds for label, *_ in settings
    ):
        rounds += 1
        # Every other round in reverse order, so that no setting always follows another.
        for label, workers, threads, code in settings[:: 1 if rounds % 2 else -1]:
            out = work / f"{label.replace(' ', '')}-r{rounds}"
            out.mkdir()
            command = [sys.executable, __file__, "--child", str(out), "--workers", str(workers),
                       "--threads", str(threads), "--code", str(code),
                       *map(str, args.paths)]  # fmt: skip
            done = subprocess.run(command, check=True, capture_output=True, text=True)
            run = json.loads(done.stdout.splitlines()[-1])
            run["index"] = out / "index.npz"
            runs[label].append(run)
            print(
                f"  round {rounds} {' '.join(label.split())}: "
                f"{run['paragraphs'] / run['seconds']:.1f} paragraphs/s, "
                f"other processes busy {run['others']:.2f} cores",
                file=sys.stderr,
            )

    print(f"machine: {platform.machine()}, {_cpu()}, {os.cpu_count()} cores "
          f"({available_cores()} usable), Python {platform.python_version()}")  # fmt: skip
    print(f"load average: {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"files: {', '.join(str(p) for p in args.paths)}; {rounds} rounds, interleaved; "
          f"medians of the quiet runs (others < {args.quiet_below} cores)")  # fmt: skip
    first = settings[0][0]
    reference = runs[first][0]
    chosen = {label: quiet(label) or runs[label] for label, *_ in settings}
    base = statistics.median(r["paragraphs"] / r["seconds"] for r in chosen[first])
    print("workers threads paragraphs  seconds  paragraphs/s (min-max)  vs first  runs  "
          "peak RSS  index vs first")  # fmt: skip
    for label, *_ in settings:
        used = chosen[label]
        rates = [r["paragraphs"] / r["seconds"] for r in used]
        last = runs[label][-1]
        print(
            f"{label:>15} {last['paragraphs']:10d}  "
            f"{statistics.median(r['seconds'] for r in used):7.1f}  "
            f"{statistics.median(rates):12.1f} ({min(rates):.1f}-{max(rates):.1f})  "
            f"{statistics.median(rates) / base:7.2f}x  "
            f"{len(quiet(label))}/{len(runs[label])} quiet  "
            f"{max(r['peak_mb'] for r in runs[label]):5.0f} MB  "
            f"{compare(reference['index'], last['index'])}"
            + ("" if quiet(label) else "  (NO QUIET RUN: all runs)")
            + ("" if last["progress_complete"] else "  PROGRESS INCOMPLETE")
            + (f"  FAILED: {last['failed']}" if last["failed"] else "")
        )
    shutil.rmtree(work)


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
