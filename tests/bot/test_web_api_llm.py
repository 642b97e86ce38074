"""POST /api/ask in llm mode: the model's checked lead, or the extractive answer when it fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from bot.settings import Settings
from bot.web import build_app
from retrieval import Answerer, Library
from tests.helpers.asking import ask as answer_of
from tests.helpers.fake_openai import FakeOpenAI, Step, reply, status
from tests.helpers.http_server import ServerHandle

QUESTION = "Thông điệp 5K gồm những gì?"
LEAD = "Thông điệp 5K gồm khẩu trang, khử khuẩn, khoảng cách, không tập trung, khai báo y tế [1]."


@pytest.fixture(scope="module")
def client(
    bundled_index_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
    openai_server: tuple[FakeOpenAI, ServerHandle],
) -> Iterator[TestClient]:
    """The app as `chithi serve` builds it from the settings of llm mode, over an index copy."""
    data_dir = tmp_path_factory.mktemp("web-llm") / "data"  # the question log is written here
    shutil.copytree(bundled_index_dir, data_dir)
    settings = Settings.from_env(
        {
            "CHITHI_DATA_DIR": str(data_dir),
            "CHITHI_ANSWER_MODE": "llm",
            "OPENAI_BASE_URL": f"{openai_server[1].url}/v1",
            "OPENAI_API_KEY": "sk-test-not-a-secret",
            # The whole answer's budget holds the client's four tries on a 5xx (waits to 3.5 s).
            "CHITHI_LLM_TIMEOUT": "5",
        }
    )
    with TestClient(build_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def oai(openai_server: tuple[FakeOpenAI, ServerHandle]) -> FakeOpenAI:
    openai_server[0].reset()
    return openai_server[0]


def ask(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/ask", json={"question": QUESTION})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    body.pop("latency_ms")
    return body


def assert_quotes_come_from_the_index(citations: list[dict[str, Any]], library: Library) -> None:
    assert citations
    titles = {doc_id: meta.title for doc_id, meta in library.catalog.items()}
    for citation in citations:
        assert citation["title"] == titles[citation["doc_id"]]
        paragraphs = [p.text for p in library.paragraphs(citation["doc_id"])]
        assert any(citation["quote"] in text for text in paragraphs)


def test_ask_in_llm_mode_gives_the_models_checked_lead_and_the_index_quotes(
    client: TestClient, oai: FakeOpenAI, answerer: Answerer, bundled_library: Library
) -> None:
    oai.script(reply(LEAD))
    answer = ask(client)
    extractive = answer_of(answerer, QUESTION)
    assert (answer["status"], answer["mode"]) == ("answered", "llm")
    assert answer["answer"] == LEAD
    assert answer["citations"] == extractive.to_json()["citations"]
    assert_quotes_come_from_the_index(answer["citations"], bundled_library)
    # The model was asked with the passages numbered as the citations: [1] is the first.
    [request] = oai.chat_requests
    assert request.body is not None
    assert request.body["model"] == "gpt-4o-mini"
    prompt = request.messages[1]["content"]
    assert prompt.index("[1] ") < prompt.index(extractive.citations[0].quote[:60])


@pytest.mark.parametrize(
    ("steps", "requests"),
    [
        ([status(500)] * 4, 4),  # the server fails every try
        ([reply("5K gồm khẩu trang và khử khuẩn.")], 1),  # a lead without a citation
        ([reply("5K gồm khẩu trang và khử khuẩn [7].")], 1),  # citing a passage it was not given
    ],
    ids=["server-error", "no-citation", "citation-out-of-range"],
)
def test_ask_in_llm_mode_falls_back_to_the_extractive_answer(
    client: TestClient,
    oai: FakeOpenAI,
    answerer: Answerer,
    bundled_library: Library,
    steps: list[Step],
    requests: int,
) -> None:
    oai.script(*steps)
    answer = ask(client)
    extractive = answer_of(answerer, QUESTION).to_json()
    extractive.pop("latency_ms")
    assert (answer["status"], answer["mode"]) == ("answered", "extractive")
    assert answer == extractive
    assert_quotes_come_from_the_index(answer["citations"], bundled_library)
    assert oai.request_count == requests
