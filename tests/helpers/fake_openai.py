"""A fake OpenAI-compatible server: scripted chat completions, models and embeddings.

Point a client at it with ``openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="test")``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import itertools
import json
import math
import re
import struct
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

__all__ = [
    "DEFAULT_REPLY",
    "Dynamic",
    "Empty",
    "FakeOpenAI",
    "Hang",
    "Malformed",
    "RecordedRequest",
    "Reply",
    "Status",
    "Step",
    "Stream",
    "dynamic",
    "embed_text",
    "empty",
    "hang",
    "malformed",
    "reply",
    "status",
    "stream",
]

DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_REPLY = "Câu trả lời mặc định."
DEFAULT_EMBEDDING_DIMENSIONS = 64
_WORD_RE = re.compile(r"\w+")

Json = dict[str, Any]


@dataclass(frozen=True)
class Reply:
    """Answer ``text`` (as one JSON completion, or one SSE chunk if the request streams)."""

    text: str
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Stream:
    """Answer ``text`` in ``chunks`` SSE chunks, ``delay`` seconds apart (JSON if not streaming)."""

    text: str
    chunks: int = 3
    delay: float = 0.0
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Status:
    """Answer HTTP ``code`` with an OpenAI error body (or ``body``) and optional Retry-After."""

    code: int
    body: Json | None = None
    retry_after: float | None = None


@dataclass(frozen=True)
class Hang:
    """Wait ``seconds`` (ending early if the client disconnects), then answer with ``then``."""

    seconds: float
    then: Step | None = None


@dataclass(frozen=True)
class Malformed:
    """Answer 200 with a body that is not valid JSON."""


@dataclass(frozen=True)
class Empty:
    """Answer 200 with empty content, or with no choices at all."""

    no_choices: bool = False


@dataclass(frozen=True)
class Dynamic:
    """Build the step from the request's JSON body (e.g. to echo the question)."""

    build: Callable[[Json], Step]


Step = Reply | Stream | Status | Hang | Malformed | Empty | Dynamic


def reply(text: str, *, finish_reason: str = "stop") -> Reply:
    """A normal completion with ``text``."""
    return Reply(text, finish_reason)


def stream(text: str, chunks: int = 3, delay: float = 0.0) -> Stream:
    """A completion streamed in ``chunks`` pieces with ``delay`` seconds between them."""
    return Stream(text, max(1, chunks), delay)


def status(code: int, body: Json | None = None, retry_after: float | None = None) -> Status:
    """An HTTP error; ``retry_after`` sets the Retry-After header (seconds)."""
    return Status(code, body, retry_after)


def hang(seconds: float, then: Step | None = None) -> Hang:
    """Delay the answer, to trigger client timeouts; then answer with ``then`` or the default."""
    return Hang(seconds, then)


def malformed() -> Malformed:
    """A 200 response with invalid JSON."""
    return Malformed()


def empty(*, no_choices: bool = False) -> Empty:
    """A 200 completion with empty content (or ``choices: []``)."""
    return Empty(no_choices)


def dynamic(build: Callable[[Json], Step]) -> Dynamic:
    """A step computed from the request body when the request arrives."""
    return Dynamic(build)


@dataclass(frozen=True)
class RecordedRequest:
    """One request: path, JSON body, headers (Authorization value redacted), arrival time."""

    path: str
    body: Json | None
    headers: dict[str, str]
    time: float
    step: Step | None = None

    @property
    def messages(self) -> list[Json]:
        """The chat ``messages`` of the request (empty for other endpoints)."""
        return list((self.body or {}).get("messages", []))


@dataclass
class _Completion:
    """Ids and model shared by every chunk of one completion."""

    id: str
    model: str
    created: int = field(default_factory=lambda: int(time.time()))


def embed_text(text: str, dimensions: int = DEFAULT_EMBEDDING_DIMENSIONS) -> list[float]:
    """Deterministic L2-normalised embedding: hashed bag of lower-cased words.

    Texts sharing words get a positive cosine similarity; a text without words hashes whole.
    """
    vector = [0.0] * dimensions
    for token in _WORD_RE.findall(text.lower()) or [text]:
        digest = hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest()
        number = int.from_bytes(digest, "little")
        vector[number % dimensions] += 1.0 if (number >> 32) & 1 else -1.0
    norm = math.sqrt(sum(value * value for value in vector))
    if norm == 0.0:
        vector[0], norm = 1.0, 1.0
    return [value / norm for value in vector]


def _usage(prompt: Json, text: str) -> Json:
    prompt_tokens = len(_WORD_RE.findall(json.dumps(prompt.get("messages", ""))))
    completion_tokens = len(_WORD_RE.findall(text))
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


class FakeOpenAI(Starlette):
    """``/v1/chat/completions``, ``/v1/models`` and ``/v1/embeddings`` driven by a script.

    Args:
        default: Step used when the script queue is empty.
        embedding_dimensions: Vector size when a request has no ``dimensions``.
    """

    def __init__(
        self,
        *,
        default: Step | None = None,
        embedding_dimensions: int = DEFAULT_EMBEDDING_DIMENSIONS,
    ) -> None:
        super().__init__(
            routes=[
                Route("/v1/chat/completions", self._chat, methods=["POST"]),
                Route("/v1/models", self._models, methods=["GET"]),
                Route("/v1/embeddings", self._embeddings, methods=["POST"]),
            ]
        )
        self.default: Step = default or reply(DEFAULT_REPLY)
        self.embedding_dimensions = embedding_dimensions
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        """Clear the script and the recorded requests (``default`` is kept)."""
        with self._lock:
            self._script: list[Step] = []
            self._requests: list[RecordedRequest] = []

    def script(self, *steps: Step) -> None:
        """Append steps; each chat completion request consumes one, in order."""
        with self._lock:
            self._script.extend(steps)

    @property
    def remaining_steps(self) -> int:
        """Scripted steps not yet consumed."""
        with self._lock:
            return len(self._script)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every recorded request (chat, models, embeddings), oldest first."""
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """Recorded ``/v1/chat/completions`` requests."""
        return [r for r in self.requests if r.path == "/v1/chat/completions"]

    @property
    def embedding_requests(self) -> list[RecordedRequest]:
        """Recorded ``/v1/embeddings`` requests."""
        return [r for r in self.requests if r.path == "/v1/embeddings"]

    @property
    def request_count(self) -> int:
        """Number of chat completion requests received."""
        return len(self.chat_requests)

    # -- HTTP ----------------------------------------------------------------------------

    async def _record(self, request: Request, step: Step | None = None) -> Json:
        raw = await request.body()
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = None
        headers = {key: value for key, value in request.headers.items()}
        if "authorization" in headers:
            headers["authorization"] = "<redacted>"
        entry = RecordedRequest(request.url.path, body, headers, time.time(), step)
        with self._lock:
            self._requests.append(entry)
        return body if isinstance(body, dict) else {}

    def _next_step(self) -> Step:
        with self._lock:
            return self._script.pop(0) if self._script else self.default

    async def _chat(self, request: Request) -> Response:
        step = self._next_step()
        body = await self._record(request, step)
        return await self._run(step, body, request)

    async def _run(self, step: Step, body: Json, request: Request) -> Response:
        if isinstance(step, Dynamic):
            return await self._run(step.build(body), body, request)
        if isinstance(step, Hang):
            await _sleep_unless_disconnected(request, step.seconds)
            return await self._run(step.then or self.default, body, request)
        if isinstance(step, Status):
            return _status_response(step)
        if isinstance(step, Malformed):
            return Response('{"id": "chatcmpl-broken", "choices": [', media_type="application/json")
        completion = _Completion(
            f"chatcmpl-fake-{next(self._ids)}", body.get("model", DEFAULT_MODEL)
        )
        content = _as_stream(step)
        no_choices = isinstance(step, Empty) and step.no_choices
        if body.get("stream"):
            events = _sse(completion, body, content, no_choices=no_choices)
            return StreamingResponse(events, media_type="text/event-stream")
        return JSONResponse(_completion_json(completion, body, content, no_choices=no_choices))

    async def _models(self, request: Request) -> Response:
        await self._record(request)
        models = [
            {"id": model_id, "object": "model", "created": 0, "owned_by": "fake"}
            for model_id in (DEFAULT_MODEL, "text-embedding-3-small")
        ]
        return JSONResponse({"object": "list", "data": models})

    async def _embeddings(self, request: Request) -> Response:
        body = await self._record(request)
        inputs = body.get("input", [])
        texts = [inputs] if isinstance(inputs, str) or _is_tokens(inputs) else list(inputs)
        dimensions = int(body.get("dimensions") or self.embedding_dimensions)
        as_base64 = body.get("encoding_format") == "base64"
        data = [
            {"object": "embedding", "index": index, "embedding": _encode(vector, as_base64)}
            for index, vector in enumerate(embed_text(_as_text(t), dimensions) for t in texts)
        ]
        tokens = sum(len(_WORD_RE.findall(_as_text(t))) for t in texts)
        return JSONResponse(
            {
                "object": "list",
                "data": data,
                "model": body.get("model", "text-embedding-3-small"),
                "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
            }
        )


def _as_stream(step: Reply | Stream | Empty) -> Stream:
    if isinstance(step, Empty):
        return Stream("", 1)
    if isinstance(step, Reply):
        return Stream(step.text, 1, 0.0, step.finish_reason)
    return step


def _split(text: str, chunks: int) -> list[str]:
    size = max(1, math.ceil(len(text) / chunks))
    return [text[start : start + size] for start in range(0, len(text), size)] or [""]


def _completion_json(
    completion: _Completion, body: Json, content: Stream, *, no_choices: bool
) -> Json:
    text, finish = content.text, content.finish_reason
    choice = {
        "index": 0,
        "message": {"role": "assistant", "content": text, "refusal": None},
        "logprobs": None,
        "finish_reason": finish,
    }
    return {
        "id": completion.id,
        "object": "chat.completion",
        "created": completion.created,
        "model": completion.model,
        "choices": [] if no_choices else [choice],
        "usage": _usage(body, text),
        "system_fingerprint": None,
    }


def _chunk(completion: _Completion, choices: list[Json], usage: Json | None = None) -> str:
    payload = {
        "id": completion.id,
        "object": "chat.completion.chunk",
        "created": completion.created,
        "model": completion.model,
        "choices": choices,
        "usage": usage,
    }
    return f"data: {json.dumps(payload)}\n\n"


def _delta(delta: Json, finish: str | None = None) -> list[Json]:
    return [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}]


async def _sse(
    completion: _Completion, body: Json, content: Stream, *, no_choices: bool
) -> AsyncIterator[str]:
    if not no_choices:
        yield _chunk(completion, _delta({"role": "assistant", "content": ""}))
        for index, piece in enumerate(_split(content.text, content.chunks)):
            if content.delay and index:
                await asyncio.sleep(content.delay)
            if piece:
                yield _chunk(completion, _delta({"content": piece}))
        yield _chunk(completion, _delta({}, content.finish_reason))
    if (body.get("stream_options") or {}).get("include_usage"):
        yield _chunk(completion, [], _usage(body, content.text))
    yield "data: [DONE]\n\n"


def _status_response(step: Status) -> Response:
    body = step.body or {
        "error": {
            "message": f"Fake error {step.code}",
            "type": "server_error" if step.code >= 500 else "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    headers = {"retry-after": str(step.retry_after)} if step.retry_after is not None else None
    return JSONResponse(body, status_code=step.code, headers=headers)


async def _sleep_unless_disconnected(request: Request, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await request.is_disconnected():
            return
        await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))


def _is_tokens(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, int) for v in value)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _encode(vector: list[float], as_base64: bool) -> list[float] | str:
    if not as_base64:
        return vector
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")
