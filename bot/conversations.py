"""Conversations: the last turns of each chat, so a follow-up is read in its context.

Kept in the question log's database, not in process memory: a bot restart keeps them, and
every replica that shares the data folder (or the PostgreSQL database) reads the same ones.
A conversation is keyed by who is talking (`conversation_key`): a Telegram private chat,
one person in a group, a web console tab, an API caller's id, a terminal session. It is
forgotten after a silence (CHITHI_CONTEXT_MINUTES, 30 by default) and holds at most
MAX_TURNS turns, each bounded in size.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from bot.database import Connection, Database, open_database
from retrieval import Conversation, Turn

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    key TEXT PRIMARY KEY,
    updated_at TEXT NOT NULL,
    turns TEXT NOT NULL
);
"""
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # a conversation id a web or API caller sends


def conversation_key(channel: str, *parts: int | str) -> str:
    """The key of one conversation: 'tg:CHAT' (private), 'tg:CHAT:USER' (a group member)."""
    return ":".join([channel, *(str(p) for p in parts)])


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class ConversationStore:
    """The conversations in the question log's database.

    Args:
        db: the database, or the path of a SQLite file.
        ttl: a conversation silent this long starts over.
        clock: the current time; tests may pass their own.
    """

    def __init__(
        self,
        db: Database | Path,
        *,
        ttl: dt.timedelta = dt.timedelta(minutes=30),
        clock: Callable[[], dt.datetime] = _utc_now,
    ) -> None:
        self.database = open_database(db)
        self.ttl = ttl
        self._clock = clock
        self.database.create(SCHEMA)

    def _connect(self) -> AbstractContextManager[Connection]:
        return self.database.connect(timeout=10)

    def load(self, key: str) -> Conversation:
        """The conversation's recent turns; empty when it is new, expired or was reset."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT updated_at, turns FROM conversations WHERE key = ?", (key,)
            ).fetchone()
        if row is None:
            return Conversation()
        updated = dt.datetime.fromisoformat(row[0])
        if self._clock() - updated > self.ttl:
            return Conversation()
        try:
            raw = json.loads(row[1])
        except ValueError:
            logger.warning("Conversation %s: stored turns are not JSON; starting over", key)
            return Conversation()
        turns = [Turn.from_json(t) for t in raw if isinstance(t, dict)]
        return Conversation(tuple(t for t in turns if t is not None))

    def add(self, key: str, turn: Turn) -> None:
        """Append a turn (the oldest beyond the limit is dropped)."""
        turns = self.load(key).then(turn).turns
        stored = json.dumps([t.to_json() for t in turns], ensure_ascii=False)
        now = self._clock().astimezone(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO conversations (key, updated_at, turns) VALUES (?, ?, ?)"
                " ON CONFLICT(key) DO UPDATE SET updated_at = excluded.updated_at,"
                " turns = excluded.turns",
                (key, now, stored),
            )

    def reset(self, key: str) -> None:
        """Start the conversation over (/moi, the console's "Câu hỏi mới")."""
        with self._connect() as conn:
            conn.execute("DELETE FROM conversations WHERE key = ?", (key,))

    def forget_silent(self) -> int:
        """Delete conversations silent past the limit; return how many (housekeeping)."""
        cutoff = (self._clock() - self.ttl).astimezone(dt.UTC).isoformat(timespec="seconds")
        with self._connect() as conn:
            return conn.execute(
                "DELETE FROM conversations WHERE updated_at < ?", (cutoff,)
            ).rowcount
