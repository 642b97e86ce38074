"""Request bodies bounded while they are read, chunked ones (no Content-Length) included.

Starlette reads a body whole (`request.body()`, `request.form()` spools files to disk) before
a handler can look at its size: 200 MB sent chunked to /api/ask would be held in memory first.
This ASGI middleware counts the bytes as they arrive and answers 413 as soon as a request
passes its route's limit (or declares more in Content-Length), before the rest is read.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)


class BodyTooLargeError(Exception):
    """Raised inside the app when the body being read passes its limit."""


class BodyLimit:
    """Answer 413 (JSON `{"error": text}`) to a body larger than its route allows.

    Args:
        app: the ASGI app.
        limit_for: (path, method) -> the most bytes such a request may send, and the
            Vietnamese error to answer past it.
    """

    def __init__(self, app: ASGIApp, *, limit_for: Callable[[str, str], tuple[int, str]]) -> None:
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on with a counting `receive`; 413 once it reads too much."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, text = self.limit_for(scope["path"], scope["method"])
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(send, text)
            return
        read = 0
        started = False

        async def counting() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise BodyTooLargeError(f"{scope['path']}: body over {limit} bytes")
            return message

        async def watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, watching)
        except BodyTooLargeError:
            logger.info("Refused a body over %d bytes on %s", limit, scope["path"])
            if not started:
                await _refuse(send, text)


async def _refuse(send: Send, text: str) -> None:
    body = json.dumps({"error": text}, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
