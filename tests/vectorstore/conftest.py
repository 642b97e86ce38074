"""Fixtures of the storage tests: a real Chroma server (see tests/helpers/chroma_server.py)."""

from tests.helpers.chroma_server import chroma_server

__all__ = ["chroma_server"]
