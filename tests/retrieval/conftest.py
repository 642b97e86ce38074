"""Fixtures of the LLM tests: one scripted OpenAI-compatible server per test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.fake_openai import FakeOpenAI
from tests.helpers.http_server import ServerHandle, serve_in_thread


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[FakeOpenAI, ServerHandle]]:
    """The fake OpenAI server and its handle (url)."""
    fake = FakeOpenAI()
    with serve_in_thread(fake) as handle:
        yield fake, handle


@pytest.fixture
def fake(server: tuple[FakeOpenAI, ServerHandle]) -> FakeOpenAI:
    """The fake OpenAI server, its script and recordings emptied for this test."""
    server[0].reset()
    return server[0]
