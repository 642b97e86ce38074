"""Errors raised by retrieval.

    ChithiError
    ├── ParseError            a file could not be read as a notice
    │   ├── UnsupportedFormatError
    │   ├── EmptyDocumentError
    │   └── DecodeError
    ├── DocumentNotFoundError a document id that is not in the index
    └── LLMError              the model server failed; callers fall back to extractive

IndexUnavailableError (the index, a local folder or a Chroma server, cannot be reached) is
vectorstore's StoreUnavailableError, re-exported so that front ends need not import vectorstore.
"""

from __future__ import annotations

from vectorstore import StoreUnavailableError as IndexUnavailableError

__all__ = [
    "ChithiError",
    "DecodeError",
    "DocumentNotFoundError",
    "EmptyDocumentError",
    "IndexUnavailableError",
    "LLMError",
    "ParseError",
    "UnsupportedFormatError",
]


class ChithiError(Exception):
    """Base class of every error chithi raises on purpose."""


class ParseError(ChithiError):
    """A file could not be turned into a notice; the message names the file and why."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnsupportedFormatError(ParseError):
    """The file's extension is not one chithi reads."""


class EmptyDocumentError(ParseError):
    """The file holds no text (or no paragraphs after cleaning)."""


class DecodeError(ParseError):
    """The bytes are not valid text in any encoding chithi accepts."""


class DocumentNotFoundError(ChithiError):
    """No document with that id is in the index."""


class LLMError(ChithiError):
    """The model server failed or answered something unusable."""
