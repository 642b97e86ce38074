"""Benchmark: the Telegram bot under load, against the local Bot API server (tests/helpers).

Run: .venv/bin/python bench/telegram_load.py [--chats 100] [--questions 1000] [--rate 10]

The real Application (long polling, AIORateLimiter, per-chat ordering, the extractive
pipeline over the bundled notices) answers `--questions` questions from `--chats` private
chats in two scenarios:

- steady: questions arrive at `--rate` per second on average (Poisson), each from a random
  chat, so a chat sometimes has two questions in flight;
- burst:  all questions are queued at once, every chat has its whole share waiting.

For each question it measures update -> reply: from the moment the update is queued on the
Bot API server until the server receives the bot's sendMessage with the answer. It checks
that every question was answered and that each chat got its answers in the order asked (each
reply starts with the lead the pipeline gives for that question). Not a test: it only prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PTB_TIMEDELTA", "1")  # PTB's future duration type; no warnings

from bot.chat_log import ChatLog  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.telegram.app import ALLOWED_UPDATES, build_application  # noqa: E402
from bot.wiring import build_answerer, build_library, ensure_bundled  # noqa: E402
from retrieval import Answerer  # noqa: E402
from tests.helpers.fake_telegram import FakeTelegram  # noqa: E402
from tests.helpers.http_server import serve_in_thread  # noqa: E402
from tests.helpers.telegram_updates import text_update  # noqa: E402

TOKEN = "123456:BENCH-token"
FIRST_CHAT = 500_000


@dataclass
class Result:
    scenario: str
    latencies: list[float]
    pipeline_ms: list[float]
    answered: int
    asked: int
    in_order: bool
    wall: float
    typing: int
    retries: int


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def load_questions(count: int) -> list[str]:
    lines = (REPO / "bench" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    pool = [json.loads(line)["question"] for line in lines if line.strip()]
    rng = random.Random(7)
    return [rng.choice(pool) for _ in range(count)]


async def run_scenario(
    name: str,
    fake: FakeTelegram,
    url: str,
    answerer: Answerer,
    leads: dict[str, str],
    plan: list[tuple[float, int, str]],
) -> Result:
    """Run the bot, feed `plan` (delay before, chat, question), collect replies."""
    fake.reset()
    with tempfile.TemporaryDirectory(prefix="chithi-load-") as tmp:
        settings = Settings.from_env(
            {
                "CHITHI_DATA_DIR": tmp,
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "CHITHI_TELEGRAM_API_URL": f"{url}/bot",
                "CHITHI_RATE_LIMIT": "1000",
            }
        )
        log = ChatLog(Path(tmp) / "questions.sqlite3")
        app = build_application(settings, answerer, log=log)
        asked: dict[int, list[tuple[float, str]]] = defaultdict(list)
        async with app:
            assert app.post_init is not None
            assert app.updater is not None
            await app.post_init(app)
            await app.start()
            await app.updater.start_polling(
                poll_interval=0.0, timeout=1, allowed_updates=ALLOWED_UPDATES
            )
            started = time.time()
            for delay, chat_id, question in plan:
                if delay:
                    await asyncio.sleep(delay)
                asked[chat_id].append((time.time(), question))
                fake.queue_update(text_update(question, chat_id, chat_id))
            total = len(plan)
            await fake.await_for(
                lambda call: sum(len(fake.messages(c)) for c in asked) >= total,
                timeout=600,
            )
            finished = time.time()
            await app.updater.stop()
            await app.stop()
        stats = log.stats()
        pipeline = _pipeline_ms(log)
    sent = [c for c in fake.calls("sendMessage") if c.status == 200]
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in sent:
        by_chat[int(call.params["chat_id"])].append(call.time)
    latencies: list[float] = []
    answered = 0
    in_order = True
    for chat_id, questions in asked.items():
        replies = fake.messages(chat_id)
        times = by_chat[chat_id]
        expected = {leads[question] for _, question in questions}
        for (queued, question), reply, replied in zip(questions, replies, times, strict=True):
            latencies.append(replied - queued)
            answered += any(reply.plain_text.startswith(lead) for lead in expected)
            in_order &= reply.plain_text.startswith(leads[question])
    return Result(
        scenario=name,
        latencies=latencies,
        pipeline_ms=pipeline,
        answered=answered,
        asked=stats.asked,
        in_order=in_order,
        wall=finished - started,
        typing=len(fake.calls("sendChatAction")),
        retries=len([c for c in fake.calls() if c.status == 429]),
    )


def _pipeline_ms(log: ChatLog) -> list[float]:
    import csv
    import io

    rows = csv.DictReader(io.StringIO(log.export_csv().decode("utf-8-sig")))
    return [float(r["latency_ms"]) for r in rows]


def report(result: Result, chats: int) -> str:
    lat = result.latencies
    return (
        f"| {result.scenario} | {result.answered}/{result.asked} | {chats} | "
        f"{'yes' if result.in_order else 'NO'} | {percentile(lat, 50):.2f} | "
        f"{percentile(lat, 95):.2f} | {percentile(lat, 99):.2f} | {max(lat):.2f} | "
        f"{result.answered / result.wall:.1f} | {statistics.median(result.pipeline_ms):.0f} / "
        f"{percentile(result.pipeline_ms, 95):.0f} | {result.typing} |"
    )


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=100)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=10.0, help="steady arrivals per second")
    parser.add_argument("--data-dir", type=Path, default=REPO / "var" / "bench-index")
    parser.add_argument("--scenarios", default="steady,burst")
    args = parser.parse_args()

    settings = Settings.from_env({"CHITHI_DATA_DIR": str(args.data_dir)})
    library = build_library(settings)
    ensure_bundled(library, settings)
    answerer = build_answerer(settings, library)
    questions = load_questions(args.questions)
    leads = {
        q: asyncio.run(answerer.answer(q)).text for q in sorted(set(questions))
    }  # also warms up
    rng = random.Random(11)
    chats = [FIRST_CHAT + n for n in range(args.chats)]

    fake = FakeTelegram()
    results = []
    load_before = os.getloadavg()
    with serve_in_thread(fake) as server:
        for scenario in args.scenarios.split(","):
            if scenario == "steady":
                plan = [(rng.expovariate(args.rate), rng.choice(chats), q) for q in questions]
            else:  # burst: each chat's share, interleaved, all queued at once
                plan = [(0.0, chats[i % len(chats)], q) for i, q in enumerate(questions)]
            # The first time a question comes in a scenario, it is embedded; after that its
            # vector is remembered, as in real use where questions repeat.
            library.forget_query_vectors()
            results.append(await run_scenario(scenario, fake, server.url, answerer, leads, plan))
    load_after = os.getloadavg()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; load average before {load_before[0]:.2f}, "
        f"after {load_after[0]:.2f}"
    )
    print(f"steady arrival rate: {args.rate}/s; distinct questions: {len(leads)}")
    print(
        "| scenario | answered | chats | per-chat order | p50 s | p95 s | p99 s | max s "
        "| answers/s | pipeline p50 / p95 ms | typing actions |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for result in results:
        print(report(result, args.chats))


if __name__ == "__main__":
    asyncio.run(main())
