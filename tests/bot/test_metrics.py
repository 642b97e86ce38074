"""GET /metrics, scraped as Prometheus does: answers, latency, fallbacks, uploads, alerts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.web import build_app
from retrieval import Answerer, Library
from tests.bot.harness import FIVE_K, started_bot
from tests.helpers.documents import NOTICE_TEXT
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.http_server import HOST, closed_port_url, free_port
from tests.helpers.lead_writers import fast_writer
from tests.helpers.telegram_updates import text_update

ADMIN = {"Authorization": "Bearer admin-secret"}
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(client: TestClient) -> Samples:
    """Every sample of /metrics: (name, sorted labels) -> value, parsed by prometheus-client."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(response.text)
        for s in family.samples
    }


@pytest.fixture
def client(bundled_library: Library, index_copy: Path) -> Iterator[TestClient]:
    """The web app with a model that cannot be reached (every lead falls back)."""
    settings = Settings.from_env(
        {"CHITHI_DATA_DIR": str(index_copy), "CHITHI_ADMIN_TOKEN": "admin-secret"}
    )
    writer = fast_writer(f"{closed_port_url()}/v1", timeout=2.0)
    answerer = Answerer(bundled_library, hotline="1900 9095", lead_writer=writer)
    with TestClient(build_app(settings, answerer=answerer)) as test_client:
        yield test_client


def test_metrics_count_answers_latency_fallbacks_uploads_and_alerts(client: TestClient) -> None:
    before = scrape(client)
    assert before[("chithi_llm_leads_total", ())] == 0
    for question in ("5K là gì?", "Giá vàng hôm nay bao nhiêu?"):
        assert client.post("/api/ask", json={"question": question}).status_code == 200
    client.post("/api/documents", headers=ADMIN, files={"file": ("tb.txt", NOTICE_TEXT.encode())})
    client.post("/api/documents", headers=ADMIN, files={"file": ("bs.txt", NOTICE_TEXT.encode())})
    after = scrape(client)
    web = (("channel", "web"),)
    answered = ("chithi_answers_total", (("channel", "web"), ("mode", "extractive"),
                                         ("status", "answered")))  # fmt: skip
    assert after[answered] == 1
    not_found = [v for (n, labels), v in after.items()
                 if n == "chithi_answers_total" and ("status", "not_found") in labels]  # fmt: skip
    assert sum(not_found) == 1
    assert after[("chithi_answer_seconds_count", web)] == 2
    assert after[("chithi_answer_seconds_bucket", (*web, ("le", "+Inf")))] == 2
    [(reason, count)] = [(dict(labels)["reason"], v) for (n, labels), v in after.items()
                         if n == "chithi_llm_fallbacks_total"]  # fmt: skip
    assert count == 1  # the answered question went to the model; it could not be reached
    assert reason
    assert after[("chithi_ingests_total", (("channel", "web"), ("result", "added")))] == 1
    assert after[("chithi_ingests_total", (("channel", "web"), ("result", "duplicate")))] == 1
    assert ("chithi_alert_queue", (("state", "pending"),)) in after
    assert ("chithi_alert_deliveries", (("outcome", "sent"),)) in after
    assert "5K" not in client.get("/metrics").text  # numbers only, never a question


async def test_the_bot_serves_its_metrics_on_its_own_port(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    port = free_port()
    env = {"CHITHI_METRICS_PORT": str(port), "CHITHI_WEBHOOK_LISTEN": HOST}
    async with started_bot(tg, url, answerer, tmp_path, **env) as bot:
        [answer] = await bot.send(text_update("5K là gì?"))
        assert answer.plain_text.startswith(FIVE_K)
        async with httpx.AsyncClient() as http:
            text = (await http.get(f"http://{HOST}:{port}/metrics")).text
    answered = 'chithi_answers_total{channel="telegram",mode="extractive",status="answered"} 1.0'
    assert answered in text
