"""End to end against the real llama.cpp server (scripts/llm_server.sh) with SmolLM2-135M.

Slow, and run in CI: the first run builds llama-cpp-python from source (several minutes; the
wheel is cached under ~/.cache/chithi/wheels, so later runs only install it). The model writes
poor Vietnamese, so the test asserts the request and its handling, not the model's wisdom.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from retrieval import (
    Answerer,
    Library,
    LLMRejectedError,
    LLMResponseError,
    OpenAILeadWriter,
    Passage,
)
from retrieval.llm.check import cited_numbers
from tests.helpers.asking import ask
from tests.helpers.http_server import free_port

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "llm_server.sh"
INSTALL_TIMEOUT = 60 * 60  # a cold build on two busy cores; a cached wheel takes seconds
START_TIMEOUT = 180
# SmolLM2-135M reads a Vietnamese prompt at ~20 tokens/s on two busy cores (docs/llm.md), so
# the test keeps prompts and answers short and the budget generous: it tests the wiring.
ANSWER_TIMEOUT = 600.0


def small_writer(base_url: str, model: str) -> OpenAILeadWriter:
    """Short passages and a short answer: the wiring, quickly."""
    return OpenAILeadWriter(
        model, base_url=base_url, timeout=ANSWER_TIMEOUT, max_passage_chars=300, max_tokens=32
    )


QUESTION = "Thông điệp 5K gồm những gì?"
# What a model that answered (badly) can be refused for; anything else means no answer came.
CONTENT_REASONS = {
    "empty answer",
    "no citation",
    "citation out of range",
    "answer too short",
    "answer too long",
    "answer cut off",
    "echoed the instructions",
    "model found no answer in passages",
}


def _tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """Install (cached) and serve the model on a free port; yield (base URL, model id, log)."""
    logs = tmp_path_factory.mktemp("llm-server")
    install_log = logs / "install.log"
    with install_log.open("wb") as out:
        installed = subprocess.run(
            ["bash", str(SCRIPT), "install"],
            stdout=out, stderr=subprocess.STDOUT, timeout=INSTALL_TIMEOUT, check=False,
        )  # fmt: skip
    assert installed.returncode == 0, f"llm_server.sh install failed:\n{_tail(install_log)}"
    model = subprocess.run(
        ["bash", str(SCRIPT), "model-id"], capture_output=True, text=True, check=True
    ).stdout.strip()

    port = free_port()
    server_log = logs / "server.log"
    with server_log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", str(SCRIPT), "serve", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_for_models(base_url, process, server_log)
        yield base_url, model, server_log
    finally:
        # The script execs the server in its own session: end that group, and only it.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)


def _wait_for_models(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    with httpx.Client(trust_env=False, timeout=5) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"llama.cpp server exited ({process.returncode}):\n{_tail(log)}")
            try:
                if client.get(f"{base_url}/models").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
    pytest.fail(f"llama.cpp server did not answer /v1/models in {START_TIMEOUT} s:\n{_tail(log)}")


def test_the_models_endpoint_names_the_served_model(llm_server: tuple[str, str, Path]) -> None:
    base_url, model, _ = llm_server
    with httpx.Client(trust_env=False, timeout=10) as client:
        ids = [m["id"] for m in client.get(f"{base_url}/models").json()["data"]]
    assert model in ids


def test_a_question_goes_through_the_real_server_end_to_end(
    llm_server: tuple[str, str, Path], bundled_library: Library, answerer: Answerer
) -> None:
    base_url, model, server_log = llm_server
    writer = small_writer(base_url, model)
    llm = Answerer(bundled_library, hotline="1900 9095", lead_writer=writer)

    answer = ask(llm, QUESTION)
    extractive = ask(answerer, QUESTION)

    assert "/v1/chat/completions" in server_log.read_text(errors="replace")
    assert answer.status == "answered"
    assert answer.citations == extractive.citations  # quotes always come from the index
    assert llm.stats.llm_used + llm.stats.llm_fallback == 1
    if answer.mode == "llm":
        assert answer.fallback_reason is None
        assert cited_numbers(answer.text)
        assert max(cited_numbers(answer.text)) <= len(answer.citations)
    else:
        # The model answered, and its answer failed a check: never a transport failure.
        assert answer.fallback_reason in CONTENT_REASONS, answer.fallback_reason
        assert answer.text == extractive.text


async def test_the_real_server_streams_a_lead(
    llm_server: tuple[str, str, Path], bundled_library: Library
) -> None:
    base_url, model, _ = llm_server
    writer = small_writer(base_url, model)
    llm = Answerer(bundled_library, hotline="1900 9095", lead_writer=writer)
    drafts: list[str] = []

    async def on_draft(text: str) -> None:
        drafts.append(text)

    answer = await llm.answer(QUESTION, on_draft=on_draft)
    assert answer.status == "answered"
    assert drafts, "the server streamed no text"
    assert all(b.startswith(a) for a, b in zip(drafts, drafts[1:], strict=False))
    if answer.mode == "llm":
        assert answer.text[:20] in drafts[-1]  # the final lead is the streamed text, tidied
    else:
        assert answer.fallback_reason in CONTENT_REASONS, answer.fallback_reason


async def final_lead(writer: OpenAILeadWriter, passages: list[Passage]) -> str:
    """The writer's checked lead: the final draft of its stream."""
    drafts = [d async for d in writer.stream_lead(QUESTION, passages)]
    assert drafts[-1].final
    return drafts[-1].text


def test_the_writer_gets_a_parsed_completion_from_the_real_server(
    llm_server: tuple[str, str, Path], answerer: Answerer
) -> None:
    base_url, model, _ = llm_server
    writer = small_writer(base_url, model)
    passages = answerer.searcher.search(QUESTION, k=2)
    outcome: str
    try:
        lead = asyncio.run(final_lead(writer, passages))
        outcome = "ok" if cited_numbers(lead) else "uncited lead returned"
    except (LLMRejectedError, LLMResponseError) as exc:
        outcome = "ok" if str(exc) in CONTENT_REASONS else str(exc)
    assert outcome == "ok"
