"""Benchmark: an alert broadcast to 10,000 followers through the local Bot API.

Run: .venv/bin/python bench/broadcast.py [--followers 10000] [--blocked 50]

`chithi bot` runs as a process against the local Bot API stand-in (tests/helpers), which
enforces Telegram's flood limits (30 messages a second in all) and answers 403 for the
`--blocked` chats (users who blocked the bot). `chithi ingest` queues the alert of a new
notice for every follower, as an administrator's ingest does. Measured: seconds from the
first alert to the last, against the floor followers / 30; duplicates (a chat with two);
lost (a chat that follows, did not block the bot, and got none); 429s the bot earned; and
whether the blocked chats were unsubscribed. Not a test: it only prints.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.alerts import AlertStore  # noqa: E402
from tests.helpers.fake_telegram import FakeTelegram  # noqa: E402
from tests.helpers.http_server import serve_in_thread  # noqa: E402

CHITHI = Path(sys.executable).with_name("chithi")
TOKEN = "123456:BENCH-broadcast"
FIRST_CHAT = 900_000
NOTICE = """THÔNG BÁO
KẾT LUẬN CỦA BAN CHỈ ĐẠO PHÒNG, CHỐNG DỊCH TỈNH BẾN TRE
về phòng, chống dịch Covid-19 tại chợ đầu mối

Ngày 05/3/2022, Ban Chỉ đạo họp và kết luận như sau:

1. Chợ đầu mối Bình Điền mở cửa từ 4 giờ đến 10 giờ sáng; người bán phải có thẻ xanh Covid.

2. Tiểu thương không đeo khẩu trang tại chợ sẽ bị xử phạt theo quy định.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--blocked", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="chithi-broadcast-") as tmp:
        report = run(Path(tmp), args.followers, args.blocked)
    print(json.dumps(report, indent=2, ensure_ascii=False))


def run(tmp: Path, followers: int, blocked: int) -> dict[str, object]:
    data = tmp / "data"
    fake = FakeTelegram(flood_limits=True)
    chats = list(range(FIRST_CHAT, FIRST_CHAT + followers))
    refusing = set(chats[:: max(1, followers // blocked)][:blocked]) if blocked else set()
    for chat in refusing:
        fake.block(chat)
    with serve_in_thread(fake) as server:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CHITHI_", "TELEGRAM_"))}
        env.update(
            CHITHI_DATA_DIR=str(data), TELEGRAM_BOT_TOKEN=TOKEN, PTB_TIMEDELTA="1",
            CHITHI_TELEGRAM_API_URL=f"{server.url}/bot",
            CHITHI_TELEGRAM_FILE_URL=f"{server.url}/file/bot",
        )  # fmt: skip
        subprocess.run([CHITHI, "docs"], env=env, check=True, capture_output=True)  # bundled in
        store = AlertStore(data / "questions.sqlite3")
        store.subscribe_many(chats, "Bến Tre")
        notice = tmp / "ben-tre-cho.txt"
        notice.write_text(NOTICE, encoding="utf-8")
        subprocess.run([CHITHI, "ingest", str(notice)], env=env, check=True, capture_output=True)
        bot = subprocess.Popen([CHITHI, "bot"], env=env, stderr=subprocess.DEVNULL)
        try:
            expected = followers - len(refusing)
            while store.counts().pending:
                time.sleep(1.0)
            time.sleep(3.0)  # a duplicate would come now
        finally:
            bot.terminate()
            bot.wait(timeout=60)
        alerts = [
            c for c in fake.calls("sendMessage")
            if c.status == 200 and str(c.params.get("text", "")).startswith("🔔 Văn bản")
        ]  # fmt: skip
        per_chat: dict[int, int] = {}
        for call in alerts:
            chat = int(call.params["chat_id"])
            per_chat[chat] = per_chat.get(chat, 0) + 1
        seconds = alerts[-1].time - alerts[0].time if alerts else 0.0
        counts = store.counts()
        unsubscribed = sum(1 for c in refusing if not store.subscriptions(c))
    shutil.rmtree(data, ignore_errors=True)
    floor = followers / 30
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "followers": followers,
        "blocked": len(refusing),
        "delivered": len(per_chat),
        "seconds_first_to_last": round(seconds, 1),
        "floor_seconds": round(floor, 1),
        "over_floor": f"{(seconds - floor) / floor:+.1%}" if followers else "-",
        "duplicates": sum(1 for n in per_chat.values() if n > 1),
        "lost": expected - len(per_chat),
        "429s_sent_by_the_api": fake.flood.refused,
        "blocked_chats_unsubscribed": unsubscribed,
        "store": counts.__dict__,
    }


if __name__ == "__main__":
    main()
