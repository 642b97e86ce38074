"""Decode Bot API request parameters from JSON, urlencoded and multipart bodies.

python-multipart is not a project dependency, so multipart bodies are split here; the
shapes httpx produces for python-telegram-bot are all that needs to work.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

__all__ = ["UploadedFile", "read_params"]

# Parameters whose values python-telegram-bot sends JSON-encoded in form bodies.
JSON_FIELDS = frozenset(
    {
        "allowed_updates",
        "caption_entities",
        "commands",
        "entities",
        "link_preview_options",
        "media",
        "reply_markup",
        "reply_parameters",
        "results",
        "scope",
        "button",
    }
)
INT_FIELDS = frozenset(
    {
        "cache_time",
        "limit",
        "max_connections",
        "message_id",
        "message_thread_id",
        "offset",
        "timeout",
    }
)
BOOL_FIELDS = frozenset(
    {"disable_notification", "drop_pending_updates", "is_personal", "protect_content", "show_alert"}
)
_DISPOSITION_RE = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str
    data: bytes
    content_type: str


def _normalise(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        return json.loads(value)
    if name in INT_FIELDS or (name in {"chat_id", "user_id"} and value.lstrip("-").isdigit()):
        return int(value)
    if name in BOOL_FIELDS:
        return value.lower() == "true"
    return value


def _split_multipart(body: bytes, boundary: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in body.split(b"--" + boundary.encode())[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, _, data = part.partition(b"\r\n\r\n")
        headers = dict(
            line.split(": ", 1) for line in head.decode("utf-8").split("\r\n") if ": " in line
        )
        lowered = {key.lower(): value for key, value in headers.items()}
        disposition = dict(_DISPOSITION_RE.findall(lowered.get("content-disposition", "")))
        name = disposition.get("name", "")
        if "filename" in disposition:
            content_type = lowered.get("content-type", "application/octet-stream")
            filename = disposition["filename"].replace("%22", '"').replace("\\\\", "\\")
            files[name] = UploadedFile(filename, data, content_type)
        else:
            fields[name] = data.decode("utf-8")
    return fields, files


async def read_params(request: Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Read query and body parameters the way the Bot API does.

    Args:
        request: The incoming request.

    Returns:
        Parameters (JSON-encoded fields decoded, numeric ids as ints) and uploaded files.
    """
    raw: dict[str, Any] = dict(request.query_params)
    files: dict[str, UploadedFile] = {}
    content_type = request.headers.get("content-type", "")
    body = await request.body()
    if content_type.startswith("application/json") and body:
        raw.update(json.loads(body))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        raw.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    elif content_type.startswith("multipart/form-data"):
        boundary = content_type.split("boundary=", 1)[1].strip('"')
        fields, files = _split_multipart(body, boundary)
        raw.update(fields)
    return {name: _normalise(name, value) for name, value in raw.items()}, files
