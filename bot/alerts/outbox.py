"""Queue the alerts an ingest calls for: one per new or changed notice of a province."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.alerts.compose import alert_text
from bot.alerts.store import AlertStore
from retrieval import IngestResult, Library

logger = logging.getLogger(__name__)


def queue_alerts(store: AlertStore, library: Library, results: Iterable[IngestResult]) -> int:
    """Owe each follower of a notice's province one alert per new document version.

    Called after every ingest (CLI, Telegram, web): an unchanged file queues nothing, and a
    version already alerted (the same file sent twice) is not alerted again.

    Returns:
        How many deliveries were queued.
    """
    queued = 0
    for result in results:
        text = alert_text(result, library)
        doc_id = result.doc_id or ""
        meta = library.catalog.get(doc_id)
        if text is None or meta is None or meta.province is None:
            continue
        version = library.versions.get(doc_id, "")
        count = store.queue(doc_id, version, meta.province, text)
        logger.info("Alert doc=%s version=%s queued for %d chats", doc_id, version, count)
        queued += count
    return queued
