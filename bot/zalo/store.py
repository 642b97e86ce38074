"""The Zalo channel's state in the question log's database, where every replica sees it.

Tokens (the access token and the single-use refresh token, with the lease that lets one
replica refresh them), the webhook events already taken (so a retried or replayed event is
handled once), each user's province filter, follows and reply window, and the outcome of
every message the OA sent (what /thongke and the admin console count).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from bot import database
from bot.database import Connection, Database, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS zalo_tokens (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    access_token TEXT NOT NULL,
    refresh_token TEXT NOT NULL,
    expires_at REAL NOT NULL,
    seeded_from TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zalo_events (
    mac TEXT PRIMARY KEY,
    received_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS zalo_users (
    user_id TEXT PRIMARY KEY,
    province TEXT,
    last_message_at REAL NOT NULL DEFAULT 0,
    replies INTEGER NOT NULL DEFAULT 0,
    last_alert_id INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS zalo_follows (
    user_id TEXT NOT NULL,
    province TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (user_id, province)
);
CREATE INDEX IF NOT EXISTS zalo_follows_province ON zalo_follows (province);
CREATE TABLE IF NOT EXISTS zalo_sends (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    outcome TEXT NOT NULL,
    code INTEGER
);
CREATE INDEX IF NOT EXISTS zalo_sends_at ON zalo_sends (at);
"""
# Zalo's reply window, as its OA help pages state it: 8 free reply messages within 48 hours
# of the user's last message; the count starts again with each new message of the user.
WINDOW_SECONDS = 48 * 3600
REPLIES_PER_WINDOW = 8
MAX_FOLLOWS = 20  # provinces per user, as for a Telegram chat
REFRESH_LEASE = "zalo-token"


@dataclass(frozen=True)
class Tokens:
    """The OA's access token, its refresh token, and when the access token expires."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: float  # time.time() seconds


@dataclass(frozen=True)
class SendCounts:
    """What happened to the messages the OA sent, for /thongke and the admin console."""

    sent: int = 0
    unknown: int = 0  # no answer from Zalo: maybe shown, not sent again
    window_closed: int = 0  # not sent: past Zalo's free reply window
    refused: tuple[tuple[int, int], ...] = ()  # (Zalo's error code, how many)

    @property
    def refused_total(self) -> int:
        """Messages Zalo refused, all codes together."""
        return sum(n for _, n in self.refused)


def _stamp(moment: float | None = None) -> str:
    when = dt.datetime.fromtimestamp(time.time() if moment is None else moment, dt.UTC)
    return when.isoformat(timespec="seconds")


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ZaloStore:
    """The Zalo tables of the question log's database (its SQLite file, or PostgreSQL).

    Each call opens its own short connection (bot.database), so the store is safe to use
    from the event loop, worker threads and several replicas sharing the database.

    Args:
        db: the database, or the path of a SQLite file.
    """

    def __init__(self, db: Database | Path) -> None:
        self.database = open_database(db)
        self.database.create(SCHEMA + database.LEASES)

    def _connect(self) -> AbstractContextManager[Connection]:
        return self.database.connect(timeout=30)

    # -- tokens ---------------------------------------------------------------------------

    def seed(self, refresh_token: str) -> None:
        """Start from the configured refresh token, unless the database already moved on.

        A refresh token is used once: after the first refresh the database holds the newer
        one. A different configured token (the OA was authorised again) replaces them.
        """
        seeded = _digest(refresh_token)
        with self._connect() as conn:
            row = conn.execute("SELECT seeded_from FROM zalo_tokens WHERE id = 1").fetchone()
            if row is not None and row[0] == seeded:
                return
            conn.execute(
                "INSERT INTO zalo_tokens (id, access_token, refresh_token, expires_at,"
                " seeded_from, updated_at) VALUES (1, '', ?, 0, ?, ?)"
                " ON CONFLICT (id) DO UPDATE SET access_token = '', refresh_token ="
                " excluded.refresh_token, expires_at = 0, seeded_from = excluded.seeded_from,"
                " updated_at = excluded.updated_at",
                (refresh_token, seeded, _stamp()),
            )

    def tokens(self) -> Tokens | None:
        """The current tokens, if any were seeded."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT access_token, refresh_token, expires_at FROM zalo_tokens WHERE id = 1"
            ).fetchone()
        return Tokens(str(row[0]), str(row[1]), float(row[2])) if row else None

    def save_tokens(self, tokens: Tokens) -> None:
        """Keep a refreshed pair (the old refresh token is spent)."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE zalo_tokens SET access_token = ?, refresh_token = ?, expires_at = ?,"
                " updated_at = ? WHERE id = 1",
                (tokens.access_token, tokens.refresh_token, tokens.expires_at, _stamp()),
            )

    def expire(self, access_token: str) -> None:
        """Zalo said this access token is no longer valid: refresh before the next use."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE zalo_tokens SET expires_at = 0 WHERE id = 1 AND access_token = ?",
                (access_token,),
            )

    def hold_lease(self, holder: str, seconds: float, *, name: str = REFRESH_LEASE) -> bool:
        """Take or renew a lease; True while `holder` has it (one refresher among replicas)."""
        with self._connect() as conn:
            return database.hold_lease(conn, name, holder, seconds) != "refused"

    def release_lease(self, holder: str, *, name: str = REFRESH_LEASE) -> None:
        """Give a lease up."""
        with self._connect() as conn:
            database.release_lease(conn, name, holder)

    # -- events ---------------------------------------------------------------------------

    def first_time(self, mac: str, *, keep_seconds: float) -> bool:
        """Record an event by its signature; False when it was taken before (here or elsewhere).

        Events older than `keep_seconds` are forgotten: by then a replay is refused as stale.
        """
        now = time.time()
        with self._connect() as conn:
            conn.execute("DELETE FROM zalo_events WHERE received_at < ?", (now - keep_seconds,))
            cursor = conn.execute(
                "INSERT INTO zalo_events (mac, received_at) VALUES (?, ?)"
                " ON CONFLICT (mac) DO NOTHING",
                (mac, now),
            )
            return cursor.rowcount == 1

    # -- users ----------------------------------------------------------------------------

    def heard_from(self, user_id: str, *, now: float | None = None) -> None:
        """The user wrote (or followed): Zalo's reply window opens again."""
        when = time.time() if now is None else now
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO zalo_users (user_id, last_message_at, replies) VALUES (?, ?, 0)"
                " ON CONFLICT (user_id) DO UPDATE SET last_message_at = excluded.last_message_at,"
                " replies = 0",
                (user_id, when),
            )

    def take_reply(self, user_id: str, *, now: float | None = None) -> bool:
        """Count one reply against the user's window; False when the window is closed."""
        when = time.time() if now is None else now
        with self._connect() as conn:
            cursor = conn.execute(
                "UPDATE zalo_users SET replies = replies + 1 WHERE user_id = ?"
                " AND last_message_at >= ? AND replies < ?",
                (user_id, when - WINDOW_SECONDS, REPLIES_PER_WINDOW),
            )
            return cursor.rowcount == 1

    def free_replies(self, user_id: str, *, now: float | None = None) -> int:
        """How many more replies the user's window allows now (0 when it is shut)."""
        when = time.time() if now is None else now
        with self._connect() as conn:
            row = conn.execute(
                "SELECT last_message_at, replies FROM zalo_users WHERE user_id = ?", (user_id,)
            ).fetchone()
        if row is None or row[0] < when - WINDOW_SECONDS:
            return 0
        return max(0, REPLIES_PER_WINDOW - int(row[1]))

    def open_windows(self, *, now: float | None = None) -> list[str]:
        """Users whose window still has a free reply (who may get an alert now)."""
        when = time.time() if now is None else now
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT DISTINCT u.user_id FROM zalo_users u JOIN zalo_follows f"
                " ON f.user_id = u.user_id WHERE u.last_message_at >= ? AND u.replies < ?",
                (when - WINDOW_SECONDS, REPLIES_PER_WINDOW),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def province(self, user_id: str) -> str | None:
        """The province the user's answers are limited to, if any."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT province FROM zalo_users WHERE user_id = ?", (user_id,)
            ).fetchone()
        return str(row[0]) if row and row[0] else None

    def set_province(self, user_id: str, province: str | None) -> None:
        """Limit the user's answers to a province (None: all)."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO zalo_users (user_id, province) VALUES (?, ?)"
                " ON CONFLICT (user_id) DO UPDATE SET province = excluded.province",
                (user_id, province),
            )

    def forget(self, user_id: str) -> None:
        """The user unfollowed the OA: drop their follows, filter and window."""
        with self._connect() as conn:
            conn.execute("DELETE FROM zalo_follows WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM zalo_users WHERE user_id = ?", (user_id,))

    # -- follows and alerts ---------------------------------------------------------------

    def follow(self, user_id: str, province: str, *, newest_alert: int) -> bool:
        """Follow a province; False when already followed or too many.

        Alerts queued before (up to `newest_alert`) are not owed to a new follower.
        """
        with self._connect() as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM zalo_follows WHERE user_id = ?", (user_id,)
            ).fetchone()[0]
            if count >= MAX_FOLLOWS:
                return False
            cursor = conn.execute(
                "INSERT INTO zalo_follows (user_id, province, since) VALUES (?, ?, ?)"
                " ON CONFLICT (user_id, province) DO NOTHING",
                (user_id, province, _stamp()),
            )
            if cursor.rowcount == 1:
                conn.execute(
                    "INSERT INTO zalo_users (user_id, last_alert_id) VALUES (?, ?)"
                    " ON CONFLICT (user_id) DO UPDATE SET last_alert_id = CASE WHEN"
                    " excluded.last_alert_id > zalo_users.last_alert_id THEN"
                    " excluded.last_alert_id ELSE zalo_users.last_alert_id END",
                    (user_id, newest_alert),
                )
            return cursor.rowcount == 1

    def unfollow(self, user_id: str, province: str) -> bool:
        """Stop following a province; False when it was not followed."""
        with self._connect() as conn:
            cursor = conn.execute(
                "DELETE FROM zalo_follows WHERE user_id = ? AND province = ?", (user_id, province)
            )
            return cursor.rowcount == 1

    def follows(self, user_id: str) -> list[str]:
        """The provinces a user follows, in the order followed."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT province FROM zalo_follows WHERE user_id = ? ORDER BY since, province",
                (user_id,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    def last_alert(self, user_id: str) -> int:
        """The newest alert the user was given (or was not owed)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT last_alert_id FROM zalo_users WHERE user_id = ?", (user_id,)
            ).fetchone()
        return int(row[0]) if row else 0

    def claim_alerts(self, user_id: str, seen: int, newest: int) -> bool:
        """Move the user's alert mark from `seen` to `newest`; False if a replica did first.

        Whoever moves the mark sends those alerts, so each is sent at most once.
        """
        with self._connect() as conn:
            cursor = conn.execute(
                "UPDATE zalo_users SET last_alert_id = ? WHERE user_id = ? AND last_alert_id = ?",
                (newest, user_id, seen),
            )
            return cursor.rowcount == 1

    # -- what was sent --------------------------------------------------------------------

    def record_send(self, kind: str, outcome: str, code: int | None = None) -> None:
        """One message: its kind (answer, welcome, alert, …) and outcome (sent, refused, …)."""
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO zalo_sends (at, kind, outcome, code) VALUES (?, ?, ?, ?)",
                (_stamp(), kind, outcome, code),
            )

    def counts(self, since: dt.datetime | None = None) -> SendCounts:
        """Messages by outcome since a time (all time when None), refusals by Zalo's code."""
        start = since.astimezone(dt.UTC).isoformat(timespec="seconds") if since else ""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT outcome, COALESCE(code, 0), COUNT(*) FROM zalo_sends WHERE at >= ?"
                " GROUP BY outcome, code ORDER BY outcome, code",
                (start,),
            ).fetchall()
        totals: dict[str, int] = {}
        refused: list[tuple[int, int]] = []
        for outcome, code, n in rows:
            totals[str(outcome)] = totals.get(str(outcome), 0) + int(n)
            if outcome == "refused":
                refused.append((int(code), int(n)))
        return SendCounts(
            sent=totals.get("sent", 0),
            unknown=totals.get("unknown", 0),
            window_closed=totals.get("window_closed", 0),
            refused=tuple(refused),
        )
