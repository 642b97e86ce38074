"""Errors raised by retrieval.

    ChithiError
    ├── ParseError            a file could not be read as a notice
    │   ├── UnsupportedFormatError
    │   ├── EmptyDocumentError
    │   └── DecodeError
    ├── DocumentNotFoundError a document id that is not in the index
    └── LLMError              the model server failed; callers fall back to extractive
        ├── LLMUnavailableError     unreachable, too slow, or an HTTP error (after any retries)
        ├── LLMResponseError        a response that is not a usable completion (bad JSON, empty)
        └── LLMRejectedError        the answer failed the checks (citations, length, echo)
            └── LLMNoAnswerError    the model said the passages do not contain the answer

An LLMError's str() is its short `reason` (counted per reason in Stats); `detail` says more,
for DEBUG logs.

IndexUnavailableError (the index, a local folder or a Chroma server, cannot be reached) is
vectorstore's StoreUnavailableError, re-exported so that front ends need not import vectorstore.
Its subclass IndexTimeoutError: the index did not answer within the caller's deadline
(retrieval.index.bounded); front ends tell users the same as for an unavailable index.
"""

from __future__ import annotations

from vectorstore import StoreUnavailableError as IndexUnavailableError

__all__ = [
    "ChithiError",
    "DecodeError",
    "DocumentNotFoundError",
    "EmptyDocumentError",
    "IndexTimeoutError",
    "IndexUnavailableError",
    "LLMError",
    "LLMNoAnswerError",
    "LLMRejectedError",
    "LLMResponseError",
    "LLMUnavailableError",
    "ParseError",
    "UnsupportedFormatError",
]


class IndexTimeoutError(IndexUnavailableError):
    """The index did not answer within the deadline (a hung server, a stuck store)."""


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


class _LLMFailure(LLMError):
    """An LLMError with a short, countable reason and an optional longer detail."""

    def __init__(self, reason: str, detail: str = "", *, attempts: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail
        self.attempts = attempts


class LLMUnavailableError(_LLMFailure):
    """The server could not be reached, was too slow, or answered an HTTP error.

    `attempts` is how many requests were made (retries included).
    """


class LLMResponseError(_LLMFailure):
    """The server answered 200 with something that is not a usable completion."""


class LLMRejectedError(_LLMFailure):
    """The generated answer failed a check (citations, length, echo of the instructions)."""


class LLMNoAnswerError(LLMRejectedError):
    """The model said the passages do not contain the answer."""
