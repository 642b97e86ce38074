"""The alert outbox: one delivery per (chat, document version), and one sender at a time.

Each test runs on SQLite and on PostgreSQL (the `database` fixture).
"""

from __future__ import annotations

import time

from bot.alerts import AlertStore
from bot.database import Database


def test_a_version_is_owed_once_to_the_chats_following_its_province(database: Database) -> None:
    store = AlertStore(database)
    store.subscribe_many([1, 2], "Gia Lai")
    store.subscribe(3, "Kiên Giang")
    assert store.queue("gl", "v1", "Gia Lai", "text") == 2
    assert store.queue("gl", "v1", "Gia Lai", "text") == 0  # the same file sent again
    assert store.queue("gl", "v2", "Gia Lai", "text") == 2  # a new version
    assert sorted(d.chat_id for d in store.due(10)) == [1, 1, 2, 2]


def test_only_the_lease_holder_sends_and_a_dead_holders_sending_rows_are_not_resent(
    database: Database,
) -> None:
    store = AlertStore(database)
    store.subscribe_many([1, 2], "Gia Lai")
    store.queue("gl", "v1", "Gia Lai", "text")
    first, second = store.due(10)
    assert store.hold_lease("replica-a", 0.2)
    assert not store.hold_lease("replica-b", 0.2)  # a second replica waits
    assert store.hold_lease("replica-a", 0.2)  # renewing
    assert store.claim(first)
    assert not store.claim(first)  # taken once: another sender skips it
    store.sending(first)  # replica-a crashes with this request on its way,
    assert store.claim(second)  # and this one taken but not yet sent
    time.sleep(0.3)
    assert store.hold_lease("replica-b", 0.2)
    counts = store.counts()
    assert (counts.unknown, counts.pending, counts.claimed) == (1, 1, 0)  # maybe shown: not twice
    assert [d.chat_id for d in store.due(10)] == [second.chat_id]
    store.release_lease("replica-b")
    assert store.hold_lease("replica-c", 0.2)  # released on a clean stop: taken at once


def test_a_chat_that_blocked_the_bot_is_forgotten(database: Database) -> None:
    store = AlertStore(database)
    store.subscribe(1, "Gia Lai")
    store.subscribe(1, "Lai Châu")
    store.queue("gl", "v1", "Gia Lai", "text")
    assert store.gone(1) == 1
    assert store.subscriptions(1) == []
    assert store.counts().gone == 1
