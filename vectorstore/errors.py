"""Errors raised by the storage layer.

StoreError
├── StoreUnavailableError   the Chroma folder or server cannot be reached or used
└── EmbeddingError          the embedding model or endpoint failed
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of storage errors."""


class StoreUnavailableError(StoreError):
    """The index cannot be reached (server down, folder unreadable); nothing was changed."""


class EmbeddingError(StoreError):
    """The embedder failed; nothing was written."""
