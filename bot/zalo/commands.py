"""Commands in words a citizen would type on Zalo (no command menu there).

"tỉnh Gia Lai", "theo dõi Gia Lai", "hủy theo dõi Gia Lai", "hỏi mới", "hướng dẫn", with or
without diacritics, and the Telegram spellings (/tinh, /theodoi, /huy, /moi, /help) for those
who know them. A command word followed by a long text is a question ("tỉnh Kiên Giang giãn
cách từ ngày nào?"), so a province command takes at most a few words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from retrieval.text import fold

Kind = Literal["help", "reset", "province", "all_provinces", "follow", "unfollow", "follows"]
MAX_NAME_WORDS = 4  # "Bà Rịa - Vũng Tàu" is the longest province name a person types
_WHOLE: dict[str, Kind] = {
    "huong dan": "help", "help": "help", "/help": "help", "/start": "help", "tro giup": "help",
    "moi": "reset", "hoi moi": "reset", "/moi": "reset", "cau hoi moi": "reset",
    "/tinh": "all_provinces", "bo tinh": "all_provinces", "bo loc": "all_provinces",
    "tat ca cac tinh": "all_provinces", "moi tinh": "all_provinces", "/boloc": "all_provinces",
    "theo doi": "follows", "/theodoi": "follows",
}  # fmt: skip
# Command words before an argument, longest first (so "huy theo doi" wins over "huy").
_LEADS: tuple[tuple[str, Kind], ...] = (
    ("huy theo doi", "unfollow"), ("bo theo doi", "unfollow"), ("thoi theo doi", "unfollow"),
    ("/theodoi", "follow"), ("theo doi", "follow"), ("/huy", "unfollow"), ("huy", "unfollow"),
    ("/tinh", "province"), ("tinh", "province"),
)  # fmt: skip


@dataclass(frozen=True)
class Command:
    """What a message asks the channel to do, and its argument as typed (a province)."""

    kind: Kind
    argument: str = ""


def read_command(text: str) -> Command | None:
    """The command a message is, or None when it is a question."""
    words = text.split()
    folded = re.sub(r"[.!]+$", "", " ".join(fold(text).split()))
    if folded in _WHOLE:
        return Command(_WHOLE[folded])
    if "?" in text:
        return None
    for lead, kind in _LEADS:
        n = len(lead.split())
        named = [w for w in words[n:] if any(c.isalnum() for c in w)]  # "Bà Rịa - Vũng Tàu"
        if folded.split()[:n] == lead.split() and 0 < len(named) <= MAX_NAME_WORDS:
            return Command(kind, " ".join(words[n:]).rstrip(".!"))
    return None
