"""What an operator watches, in Prometheus' text format (`GET /metrics`, prometheus-client).

One registry per process (a test may build several apps). Counters the front ends move as
things happen: answers by channel, status and mode with their latency, questions lost to the
index (unavailable or timed out), bookkeeping writes dropped, uploads by result. Read when
scraped: the Answerer's LLM fallbacks by reason, and the alert outbox by state (one small
query of the question log; if it fails the scrape goes on without it).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

from bot.alerts import AlertStore
from bot.bookkeeping import STORE_ERRORS
from bot.ingest import Ingested
from bot.upload_replies import upload_status
from retrieval import Answer, Answerer, IndexTimeoutError

logger = logging.getLogger(__name__)

CONTENT_TYPE = CONTENT_TYPE_LATEST
# Seconds: a hotline's "well under a second", a model's lead, a store at its timeout.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 60.0)
_WAITING = ("pending", "claimed", "sending")
_DELIVERED = ("sent", "gone", "failed", "unknown")


class Metrics:
    """The process's counters and the collectors read on a scrape."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.answers = Counter(
            "chithi_answers", "Answers given, by channel, status and mode.",
            ["channel", "status", "mode"], registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "chithi_answer_seconds", "Time to compute an answer, by channel.", ["channel"],
            buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self.index_errors = Counter(
            "chithi_index_errors", "Questions the index could not serve, by channel and kind "
            "(unavailable: down or failing; timeout: no answer within CHITHI_INDEX_TIMEOUT).",
            ["channel", "kind"], registry=r,
        )  # fmt: skip
        self.dropped = Counter(
            "chithi_bookkeeping_dropped", "Writes after an answer (question log, feedback, "
            "conversation turns) dropped after their retries, by kind.", ["kind"], registry=r,
        )  # fmt: skip
        self.ingests = Counter(
            "chithi_ingests", "Uploaded notices by channel and result (added, replaced, "
            "unchanged, duplicate, conflict, error).", ["channel", "result"], registry=r,
        )  # fmt: skip

    def watch(self, answerer: Answerer, alerts: AlertStore | None = None) -> None:
        """Read the answerer's LLM fallbacks and the alert outbox at each scrape."""
        self.registry.register(_Live(answerer, alerts))

    def answered(self, channel: str, answer: Answer) -> None:
        """Count an answer and its latency."""
        self.answers.labels(channel, answer.status, answer.mode).inc()
        self.latency.labels(channel).observe(answer.latency_ms / 1000)

    def index_failed(self, channel: str, exc: Exception) -> None:
        """Count a question the index could not serve."""
        kind = "timeout" if isinstance(exc, IndexTimeoutError) else "unavailable"
        self.index_errors.labels(channel, kind).inc()

    def dropped_write(self, kind: str) -> None:
        """Count a bookkeeping write given up (Bookkeeper.on_drop)."""
        self.dropped.labels(kind).inc()

    def ingested(self, channel: str, upload: Ingested) -> None:
        """Count an upload's notices by result (one 'duplicate' for a repeated file)."""
        if upload.duplicate_of is not None:
            self.ingests.labels(channel, "duplicate").inc()
        for result in upload.results:
            self.ingests.labels(channel, upload_status(result)).inc()

    def exposition(self) -> bytes:
        """The text format a Prometheus server scrapes."""
        return generate_latest(self.registry)


class _Live(Collector):
    """Values kept elsewhere, read when scraped."""

    def __init__(self, answerer: Answerer, alerts: AlertStore | None) -> None:
        self.answerer = answerer
        self.alerts = alerts

    def collect(self) -> Iterator[Metric]:
        stats = self.answerer.stats
        fallbacks = CounterMetricFamily(
            "chithi_llm_fallbacks", "Model leads not used (the extractive lead instead), "
            "by reason.", labels=["reason"],
        )  # fmt: skip
        for reason, count in sorted(stats.fallback_reasons.items()):
            fallbacks.add_metric([reason], count)
        yield fallbacks
        used = CounterMetricFamily("chithi_llm_leads", "Model leads used.")
        used.add_metric([], stats.llm_used)
        yield used
        if self.alerts is None:
            return
        try:
            counts = self.alerts.counts()
        except STORE_ERRORS as exc:
            logger.warning("Alert counts not read for /metrics: %s", exc)
            return
        queue = GaugeMetricFamily(
            "chithi_alert_queue", "Alert deliveries waiting, by state.", labels=["state"]
        )
        for state in _WAITING:
            queue.add_metric([state], getattr(counts, state))
        yield queue
        delivered = GaugeMetricFamily(
            "chithi_alert_deliveries", "Alert deliveries done, by outcome.", labels=["outcome"]
        )
        for outcome in _DELIVERED:
            delivered.add_metric([outcome], getattr(counts, outcome))
        yield delivered
