"""The bot's question log: questions, answers' statuses and citations, feedback, chat settings.

In the data folder's SQLite file, or the PostgreSQL database of CHITHI_DATABASE_URL (see
bot/database.py). It holds Telegram user and chat ids, never names or tokens. Each call opens
its own short connection, so the log is safe to use from the event loop and from worker
threads, and from several processes sharing one data folder or one database server.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from bot.database import Connection, Database, open_database
from retrieval import Answer

SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    asked_at TEXT NOT NULL,
    user_id INTEGER,
    chat_id INTEGER,
    chat_type TEXT,
    question TEXT NOT NULL,
    folded TEXT NOT NULL,
    status TEXT NOT NULL,
    mode TEXT NOT NULL,
    province TEXT,
    citations TEXT NOT NULL,
    latency_ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE INDEX IF NOT EXISTS questions_chat ON questions (chat_id, id);
CREATE TABLE IF NOT EXISTS feedback (
    question_key TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    value INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (question_key, user_id)
);
CREATE TABLE IF NOT EXISTS chat_settings (
    chat_id INTEGER PRIMARY KEY,
    province TEXT,
    doc_id TEXT
);
"""
CSV_COLUMNS = (
    "asked_at", "user_id", "chat_id", "chat_type", "question", "status", "mode", "province",
    "citations", "latency_ms", "helpful", "unhelpful",
)  # fmt: skip


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    # One format for every stored time, so that text comparison is time comparison.
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class LogStats:
    """What /thongke shows for a period."""

    asked: int
    answered: int
    not_found: int
    refused: int
    helpful: int
    unhelpful: int
    unanswered: tuple[tuple[str, int], ...]


class ChatLog:
    """The question log in one database.

    Args:
        db: the database, or the path of a SQLite file (created with its folder on first use).
        clock: returns the current time; tests may pass a fixed one.
    """

    def __init__(self, db: Database | Path, *, clock: Callable[[], dt.datetime] = _utc_now) -> None:
        self.database = open_database(db)
        self._clock = clock
        self.database.create(SCHEMA)
        with self._connect() as conn:
            if "doc_id" not in conn.columns("chat_settings"):  # older than "Hỏi về văn bản này"
                conn.execute("ALTER TABLE chat_settings ADD COLUMN doc_id TEXT")

    def _connect(self) -> AbstractContextManager[Connection]:
        return self.database.connect(timeout=10)

    def _now(self) -> str:
        return _stamp(self._clock())

    # -- writing ------------------------------------------------------------------------

    def record(
        self,
        answer: Answer,
        *,
        user_id: int | None,
        chat_id: int | None,
        chat_type: str | None,
        province: str | None = None,
        key: str | None = None,
    ) -> str:
        """Log a question and its answer; return the short key that buttons refer to.

        A channel that sends the answer before logging it chose the `key` its buttons name.
        """
        key = key or secrets.token_urlsafe(6)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO questions (key, asked_at, user_id, chat_id, chat_type, question,"
                " folded, status, mode, province, citations, latency_ms)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key, self._now(), user_id, chat_id, chat_type, answer.question,
                    answer.key, answer.status, answer.mode, province,
                    " ".join(c.paragraph_id for c in answer.citations), answer.latency_ms,
                ),
            )  # fmt: skip
        return key

    def record_feedback(self, key: str, user_id: int, *, helpful: bool) -> None:
        """Record 👍 or 👎 on an answer; a user's later choice replaces the earlier one."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO feedback (question_key, user_id, value, at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (question_key, user_id) DO UPDATE SET value = excluded.value,"
                " at = excluded.at",
                (key, user_id, 1 if helpful else -1, self._now()),
            )

    def set_province(self, chat_id: int, province: str | None) -> None:
        """Restrict a chat's answers to one province's notices (None clears it)."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO chat_settings (chat_id, province) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET province = excluded.province",
                (chat_id, province),
            )

    def set_focus(self, chat_id: int, doc_id: str | None) -> None:
        """Answer a chat's next questions from one document only (None clears it)."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO chat_settings (chat_id, doc_id) VALUES (?, ?)"
                " ON CONFLICT (chat_id) DO UPDATE SET doc_id = excluded.doc_id",
                (chat_id, doc_id),
            )

    # -- reading ------------------------------------------------------------------------

    def focus(self, chat_id: int) -> str | None:
        """The document a chat's questions are answered from ("Hỏi về văn bản này"), if any."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT doc_id FROM chat_settings WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return str(row[0]) if row and row[0] else None

    def province(self, chat_id: int) -> str | None:
        """The province a chat restricted its answers to, if any."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT province FROM chat_settings WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return str(row[0]) if row and row[0] else None

    def question(self, key: str, chat_id: int) -> str | None:
        """The question logged under a key in a chat (None for another chat's or no key)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT question FROM questions WHERE key = ? AND chat_id = ?", (key, chat_id)
            ).fetchone()
        return str(row[0]) if row else None

    def last_citations(self, chat_id: int) -> list[str]:
        """Paragraph ids cited by the latest answer with citations in a chat."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT citations FROM questions WHERE chat_id = ? AND citations != ''"
                " ORDER BY id DESC LIMIT 1",
                (chat_id,),
            ).fetchone()
        return str(row[0]).split() if row else []

    def stats(self, since: dt.datetime | None = None, *, top: int = 10) -> LogStats:
        """Counts since a time (all time when None) and the most frequent unanswered questions."""
        start = _stamp(since) if since else ""
        with self._connect() as conn:
            counts = dict(
                conn.execute(
                    "SELECT status, COUNT(*) FROM questions WHERE asked_at >= ? GROUP BY status",
                    (start,),
                ).fetchall()
            )
            votes = dict(
                conn.execute(
                    "SELECT f.value, COUNT(*) FROM feedback f JOIN questions q"
                    " ON q.key = f.question_key WHERE q.asked_at >= ? GROUP BY f.value",
                    (start,),
                ).fetchall()
            )
            gaps = conn.execute(
                "SELECT MAX(question), COUNT(*) AS n FROM questions"
                " WHERE status = 'not_found' AND asked_at >= ? AND folded != ''"
                " GROUP BY folded ORDER BY n DESC, MAX(id) DESC LIMIT ?",
                (start, top),
            ).fetchall()
        return LogStats(
            asked=sum(counts.values()),
            answered=counts.get("answered", 0),
            not_found=counts.get("not_found", 0),
            refused=counts.get("refused", 0),
            helpful=votes.get(1, 0),
            unhelpful=votes.get(-1, 0),
            unanswered=tuple((str(q), int(n)) for q, n in gaps),
        )

    def export_csv(self, since: dt.datetime | None = None) -> bytes:
        """The log as CSV (UTF-8 with BOM, so spreadsheet programs read Vietnamese right)."""
        start = _stamp(since) if since else ""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT q.asked_at, q.user_id, q.chat_id, q.chat_type, q.question, q.status,"
                " q.mode, q.province, q.citations, q.latency_ms,"
                " COALESCE(SUM(CASE WHEN f.value = 1 THEN 1 ELSE 0 END), 0),"
                " COALESCE(SUM(CASE WHEN f.value = -1 THEN 1 ELSE 0 END), 0)"
                " FROM questions q LEFT JOIN feedback f ON f.question_key = q.key"
                " WHERE q.asked_at >= ? GROUP BY q.id ORDER BY q.id",
                (start,),
            ).fetchall()
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows((*row[:9], round(row[9], 1), *row[10:]) for row in rows)
        return out.getvalue().encode("utf-8-sig")
