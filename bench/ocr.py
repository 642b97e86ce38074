"""Benchmark: OCR seconds per page and the share of words read right, on the reader fixtures.

Run: .venv/bin/python bench/ocr.py [--rounds 3] [--modes 4,6,3]
Reads tests/data/readers/scanned_notice.pdf (one A4 page scanned at 300 dpi) with read_pdf,
and photo_notice.png with read_image, and prints, for each tesseract page mode (--psm), the
seconds per page (median of the rounds) and the word match against scanned_notice.txt.
The product uses OCR_PAGE_MODE (retrieval/parse/tools.py). Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retrieval.parse import tools  # noqa: E402
from retrieval.parse.extracted import Extracted, ReadLimits  # noqa: E402
from retrieval.parse.image_reader import read_image  # noqa: E402
from retrieval.parse.pdf_reader import read_pdf  # noqa: E402
from tests.helpers.word_match import word_match  # noqa: E402

FIXTURES = REPO / "tests" / "data" / "readers"
ORIGINAL = (FIXTURES / "scanned_notice.txt").read_text(encoding="utf-8")
READERS = {
    "scanned_notice.pdf": read_pdf,
    "photo_notice.png": read_image,
}


def timed(name: str, rounds: int) -> tuple[float, Extracted]:
    reader = READERS[name]
    seconds = []
    result = None
    for _ in range(rounds):
        start = time.perf_counter()
        result = reader(FIXTURES / name, ReadLimits())
        seconds.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--modes", default=tools.OCR_PAGE_MODE, help="e.g. 4,6,3")
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"{'file':20} {'psm':>3} {'s/page':>7} {'words':>6}")
    for mode in args.modes.split(","):
        tools.OCR_PAGE_MODE = mode
        for name in READERS:
            seconds, result = timed(name, args.rounds)
            match = word_match(ORIGINAL, result.text)
            print(f"{name:20} {mode:>3} {seconds:7.2f} {match:6.1%}")


if __name__ == "__main__":
    main()
