"""Benchmark: what reading a message in its conversation adds to an answer.

Run: .venv/bin/python bench/followup_latency.py [--data-dir DIR] [--rounds 3]
Asks every question of tests/data/dev.jsonl and bench/questions.jsonl as a new chat and as a
message in a conversation (after another question), alternating, in one warm process, and
times the offline reading alone on every turn of bench/dialogues.jsonl. Prints the figures
written down in docs/followups.md. Not a test: nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import Settings  # noqa: E402
from bot.wiring import build_answerer, build_library, ensure_bundled  # noqa: E402
from retrieval import Conversation, Turn  # noqa: E402
from retrieval.answer.followup import read_message  # noqa: E402

QUESTION_SETS = [REPO / "tests" / "data" / "dev.jsonl", REPO / "bench" / "questions.jsonl"]
PREVIOUS = Turn(
    "Huyện An Biên giãn cách theo chỉ thị nào?", ("001_5c18a4811e1b304d",), "Huyện An Biên"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="chithi-followup-"))
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(data_dir), "HOME": os.environ["HOME"]})
    library = build_library(settings)
    ensure_bundled(library, settings)
    answerer = build_answerer(settings, library)
    questions = [
        json.loads(line)["question"]
        for path in QUESTION_SETS
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    conversation = Conversation((PREVIOUS,))
    runner = asyncio.Runner()
    for question in questions:  # warm: vectors remembered, as in bench/latency.py's 2nd round
        runner.run(answerer.answer(question))
    alone: list[float] = []
    in_chat: list[float] = []
    for _ in range(args.rounds):
        for question in questions:
            for timings, context in ((alone, None), (in_chat, conversation)):
                started = time.perf_counter()
                runner.run(answerer.answer(question, conversation=context))
                timings.append((time.perf_counter() - started) * 1000)
    runner.close()
    print(
        f"warm answer, {len(alone)} asks each: p50 {statistics.median(alone):.2f} ms alone, "
        f"{statistics.median(in_chat):.2f} ms in a conversation"
    )
    reading: list[float] = []
    catalog = library.catalog
    for line in (REPO / "bench" / "dialogues.jsonl").read_text(encoding="utf-8").splitlines():
        previous = None
        for turn in json.loads(line)["turns"]:
            context = Conversation((previous,)) if previous else None
            started = time.perf_counter()
            # The gazetteer is the answerer's own (lexical look-ups): its cost is the reading's.
            read = read_message(
                turn["question"], context, catalog=catalog, place_name=answerer._place_name
            )
            reading.append((time.perf_counter() - started) * 1000)
            previous = Turn(read.question, tuple(catalog)[:1])
    print(
        f"offline reading alone, {len(reading)} dialogue turns: median "
        f"{statistics.median(reading):.3f} ms, max {max(reading):.3f} ms"
    )


if __name__ == "__main__":
    main()
