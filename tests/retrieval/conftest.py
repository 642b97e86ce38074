"""Fixtures of the LLM tests: the module's scripted OpenAI-compatible server."""

from __future__ import annotations

import pytest

from tests.helpers.fake_openai import FakeOpenAI
from tests.helpers.http_server import ServerHandle


@pytest.fixture(scope="module")
def server(openai_server: tuple[FakeOpenAI, ServerHandle]) -> tuple[FakeOpenAI, ServerHandle]:
    """The fake OpenAI server and its handle (url)."""
    return openai_server


@pytest.fixture
def fake(server: tuple[FakeOpenAI, ServerHandle]) -> FakeOpenAI:
    """The fake OpenAI server, its script and recordings emptied for this test."""
    server[0].reset()
    return server[0]
