"""Subscriptions, alerts and their deliveries, in the question log's database.

An alert is queued with one delivery row per subscriber in one transaction (an outbox), so
what is owed survives a crash and a restart. A delivery goes pending → claimed (a sender took
it; one conditional UPDATE, so two senders never both take it) → sending (its request is
going to the Bot API, see request.py) → sent; or gone (the chat blocked the bot or no longer
exists), failed (Telegram refused the message), back to pending (a 429 after PTB's retries).
When a sender's lease is taken over (it crashed), its "claimed" rows go back to pending (they
never left) and its "sending" rows become "unknown": Telegram may have shown them, and each
(chat, document version) is delivered at most once. With several processes (webhook
replicas, on one host or on several sharing a PostgreSQL database) only the holder of the
"broadcast" lease sends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from bot import database
from bot.database import Connection, Database, open_database

SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    chat_id INTEGER NOT NULL,
    province TEXT NOT NULL,
    since TEXT NOT NULL,
    PRIMARY KEY (chat_id, province)
);
CREATE INDEX IF NOT EXISTS subscriptions_province ON subscriptions (province);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    doc_id TEXT NOT NULL,
    version TEXT NOT NULL,
    province TEXT NOT NULL,
    text TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    UNIQUE (doc_id, version)
);
CREATE TABLE IF NOT EXISTS deliveries (
    alert_id INTEGER NOT NULL REFERENCES alerts (id),
    chat_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    message_id INTEGER,
    updated_at TEXT,
    PRIMARY KEY (alert_id, chat_id)
);
CREATE INDEX IF NOT EXISTS deliveries_state ON deliveries (state, alert_id);
"""
BROADCAST_LEASE = "broadcast"
MAX_SUBSCRIPTIONS = 20  # provinces per chat: a hotline follows a few, not all 63


@dataclass(frozen=True)
class Delivery:
    """One alert owed to one chat."""

    alert_id: int
    chat_id: int
    doc_id: str
    text: str


@dataclass(frozen=True)
class Counts:
    """Deliveries by state, for the bench and the admin."""

    pending: int = 0
    claimed: int = 0
    sending: int = 0
    sent: int = 0
    gone: int = 0
    failed: int = 0
    unknown: int = 0


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class AlertStore:
    """The alert tables of the question log's database (see ChatLog).

    Each call opens its own short connection, as ChatLog does, so the store is safe to use
    from the event loop, worker threads and several processes.

    Args:
        db: the database, or the path of a SQLite file.
    """

    def __init__(self, db: Database | Path) -> None:
        self.database = open_database(db)
        self.database.create(SCHEMA + database.LEASES)

    def _connect(self) -> AbstractContextManager[Connection]:
        return self.database.connect(timeout=30)

    # -- subscriptions -------------------------------------------------------------------

    def subscribe(self, chat_id: int, province: str) -> bool:
        """Follow a province; False if the chat already follows it or follows too many."""
        with self._connect() as conn:
            count = conn.execute(
                "SELECT COUNT(*) FROM subscriptions WHERE chat_id = ?", (chat_id,)
            ).fetchone()[0]
            if count >= MAX_SUBSCRIPTIONS:
                return False
            cursor = conn.execute(
                "INSERT INTO subscriptions (chat_id, province, since) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (chat_id, province, _now()),
            )
            return cursor.rowcount == 1

    def subscribe_many(self, chat_ids: Sequence[int], province: str) -> None:
        """Many chats follow a province at once (imports and the bench)."""
        with self._connect() as conn:
            conn.executemany(
                "INSERT INTO subscriptions (chat_id, province, since) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                [(c, province, _now()) for c in chat_ids],
            )

    def unsubscribe(self, chat_id: int, province: str) -> bool:
        """Stop following a province; False if the chat did not follow it."""
        with self._connect() as conn:
            cursor = conn.execute(
                "DELETE FROM subscriptions WHERE chat_id = ? AND province = ?", (chat_id, province)
            )
            return cursor.rowcount == 1

    def subscriptions(self, chat_id: int) -> list[str]:
        """The provinces a chat follows, in the order it subscribed."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT province FROM subscriptions WHERE chat_id = ? ORDER BY since, province",
                (chat_id,),
            ).fetchall()
        return [str(r[0]) for r in rows]

    # -- alerts --------------------------------------------------------------------------

    def queue(self, doc_id: str, version: str, province: str, text: str) -> int:
        """Owe `text` to every chat following `province`, once per document version.

        Returns:
            How many deliveries were queued (0 for a version already alerted).
        """
        with self._connect() as conn:
            inserted = conn.execute(
                "INSERT INTO alerts (doc_id, version, province, text, queued_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                (doc_id, version, province, text, _now()),
            ).fetchone()
            if inserted is None:
                return 0
            alert_id = int(inserted[0])
            queued = conn.execute(
                "INSERT INTO deliveries (alert_id, chat_id, updated_at)"
                " SELECT ?, chat_id, ? FROM subscriptions WHERE province = ?",
                (alert_id, _now(), province),
            )
            return queued.rowcount

    def due(self, limit: int) -> list[Delivery]:
        """Pending deliveries, oldest alert first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT d.alert_id, d.chat_id, a.doc_id, a.text FROM deliveries d"
                " JOIN alerts a ON a.id = d.alert_id WHERE d.state = 'pending'"
                " ORDER BY d.alert_id, d.chat_id LIMIT ?",
                (limit,),
            ).fetchall()
        return [Delivery(int(a), int(c), str(d), str(t)) for a, c, d, t in rows]

    def _set(self, delivery: Delivery, state: str, *, when: str, message_id: int | None = None
             ) -> bool:  # fmt: skip
        with self._connect() as conn:
            cursor = conn.execute(
                f"UPDATE deliveries SET state = ?, message_id = COALESCE(?, message_id),"
                f" updated_at = ? WHERE alert_id = ? AND chat_id = ? AND state IN ({when})",
                (state, message_id, _now(), delivery.alert_id, delivery.chat_id),
            )
            return cursor.rowcount == 1

    def claim(self, delivery: Delivery) -> bool:
        """Take a pending delivery to send it; False if another sender has it, or it is done."""
        return self._set(delivery, "claimed", when="'pending'")

    def sending(self, delivery: Delivery) -> None:
        """The request is going to the Bot API now."""
        self._set(delivery, "sending", when="'claimed'")

    def sent(self, delivery: Delivery, message_id: int) -> None:
        """Telegram accepted the message."""
        self._set(delivery, "sent", when="'claimed', 'sending'", message_id=message_id)

    def again(self, delivery: Delivery) -> None:
        """Telegram did not take it (429, a refused connection): send it later."""
        self._set(delivery, "pending", when="'claimed', 'sending'")

    def failed(self, delivery: Delivery) -> None:
        """Telegram refused this message for good (400)."""
        self._set(delivery, "failed", when="'claimed', 'sending'")

    def unknown(self, delivery: Delivery) -> None:
        """No answer came (a timeout): it may have been shown, so it is not sent again."""
        self._set(delivery, "unknown", when="'sending'")

    def gone(self, chat_id: int) -> int:
        """The chat blocked the bot or no longer exists: forget it; returns its lost alerts."""
        with self._connect() as conn:
            conn.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,))
            cursor = conn.execute(
                "UPDATE deliveries SET state = 'gone', updated_at = ?"
                " WHERE chat_id = ? AND state IN ('pending', 'claimed', 'sending')",
                (_now(), chat_id),
            )
            return cursor.rowcount

    def counts(self, alert_id: int | None = None) -> Counts:
        """Deliveries by state (of one alert, or all)."""
        where, args = ("WHERE alert_id = ?", (alert_id,)) if alert_id is not None else ("", ())
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT state, COUNT(*) FROM deliveries {where} GROUP BY state", args
            ).fetchall()
        return Counts(**{str(state): int(n) for state, n in rows})

    def newest(self) -> int:
        """The id of the newest alert queued (0 when none): where a new follower starts."""
        with self._connect() as conn:
            return int(conn.execute("SELECT COALESCE(MAX(id), 0) FROM alerts").fetchone()[0])

    def queued_since(self, after: int, provinces: Sequence[str]) -> list[tuple[int, str]]:
        """(id, text) of the alerts of these provinces queued after alert `after`, oldest first.

        Channels that cannot send at any time (Zalo: only in its reply window) read the
        alerts here rather than through deliveries.
        """
        if not provinces:
            return []
        marks = ", ".join("?" * len(provinces))
        with self._connect() as conn:
            rows = conn.execute(
                f"SELECT id, text FROM alerts WHERE id > ? AND province IN ({marks}) ORDER BY id",
                (after, *provinces),
            ).fetchall()
        return [(int(i), str(t)) for i, t in rows]

    # -- the broadcast lease -------------------------------------------------------------

    def hold_lease(self, holder: str, seconds: float, *, name: str = BROADCAST_LEASE) -> bool:
        """Take or renew the lease; True while `holder` has it.

        Taking it over from another holder (whose lease ran out: it stopped or crashed)
        turns that holder's "sending" rows into "unknown" (they may have been shown) and its
        "claimed" rows back into "pending" (they never left).
        """
        with self._connect() as conn:
            outcome = database.hold_lease(conn, name, holder, seconds)
            if outcome == "refused":
                return False
            if outcome == "taken":
                stamp = _now()
                for left, becomes in (("sending", "unknown"), ("claimed", "pending")):
                    conn.execute(
                        "UPDATE deliveries SET state = ?, updated_at = ? WHERE state = ?",
                        (becomes, stamp, left),
                    )
            return True

    def release_lease(self, holder: str, *, name: str = BROADCAST_LEASE) -> None:
        """Give the lease up on a clean stop, so that another process may take it at once."""
        with self._connect() as conn:
            database.release_lease(conn, name, holder)
