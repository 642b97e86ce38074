"""The OpenAPI description of the HTTP API, served at /openapi.json.

Written by hand beside the routes (bot/web/app.py): the answer's shape is the `chithi ask
--json` contract of DESIGN.md, and one description of it is enough.
"""

from __future__ import annotations

from typing import Any

_CITATION = {
    "type": "object",
    "properties": {
        "doc_id": {"type": "string"},
        "title": {"type": "string"},
        "date": {"type": ["string", "null"], "format": "date"},
        "section": {"type": ["string", "null"]},
        "quote": {"type": "string", "description": "verbatim substring of a stored paragraph"},
        "score": {"type": "number", "description": "P(the paragraph answers), 0-1"},
        "valid_from": {
            "type": ["string", "null"],
            "format": "date",
            "description": "first day of the rule's stated period, else the issue date",
        },
        "valid_until": {
            "type": ["string", "null"],
            "format": "date",
            "description": "last day of the rule's stated period, if stated",
        },
        "superseded_by": {
            "type": ["string", "null"],
            "description": "id of the indexed document that replaces this one",
        },
        "expired": {"type": "boolean", "description": "the stated period ended before today"},
    },
}
_ANSWER = {
    "type": "object",
    "description": "exactly the `chithi ask --json` contract",
    "properties": {
        "question": {"type": "string"},
        "status": {"enum": ["answered", "not_found", "refused"]},
        "answer": {"type": "string"},
        "mode": {"enum": ["extractive", "llm"]},
        "citations": {"type": "array", "items": _CITATION},
        "latency_ms": {"type": "number"},
        "understood_as": {
            "type": "string",
            "description": "present when the question was read as a follow-up of the "
            "conversation's previous one: the standalone question answered",
        },
    },
}
_ASK = {
    "type": "object",
    "required": ["question"],
    "properties": {
        "question": {"type": "string"},
        "province": {"type": "string"},
        "doc_id": {"type": "string"},
        "date_from": {"type": "string", "format": "date"},
        "date_to": {"type": "string", "format": "date"},
        "conversation_id": {
            "type": "string",
            "pattern": "^[A-Za-z0-9_-]{1,64}$",
            "description": "the caller's conversation: a follow-up ('còn Rạch Giá thì sao?') "
            "is read in the context of the previous question sent with the same id (for 30 "
            "minutes); a new id starts over",
        },
    },
}
_ERROR = {"type": "object", "properties": {"error": {"type": "string"}}}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): _json(_ERROR, "error") for code in codes}


def openapi_document() -> dict[str, Any]:
    """The API's OpenAPI 3.1 document."""
    admin: list[dict[str, list[str]]] = [{"admin": []}]
    staff: list[dict[str, list[str]]] = [{"staff": []}, {}]
    return {
        "openapi": "3.1.0",
        "info": {"title": "chithi", "version": "1", "description": "Questions on Covid notices"},
        "components": {
            "securitySchemes": {
                "admin": {"type": "http", "scheme": "bearer", "description": "CHITHI_ADMIN_TOKEN"},
                "staff": {"type": "http", "scheme": "bearer", "description": "CHITHI_STAFF_TOKEN"},
            }
        },
        "paths": {
            "/api/ask": {"post": {
                "summary": "Answer a question, quoting the notices", "security": staff,
                "requestBody": {"content": {"application/json": {"schema": _ASK}}},
                "responses": {"200": _json(_ANSWER), **_errors(400, 401, 403, 413)},
            }},
            "/api/documents": {
                "get": {"summary": "Indexed documents, newest first", "security": staff,
                        "responses": {"200": _json({"type": "object"}), **_errors(401, 403)}},
                "post": {
                    "summary": "Upload a notice file (form field 'file'; optional 'doc_id', and "
                               "'date', 'province', 'supersedes' for what the file does not state)",
                    "security": admin,
                    "requestBody": {"content": {"multipart/form-data": {"schema": {
                        "type": "object", "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "doc_id": {"type": "string"},
                            "date": {"type": "string", "description": "DD/MM/YYYY"},
                            "province": {"type": "string"},
                            "supersedes": {"type": "string", "description": "a doc_id"}}}}}},
                    "responses": {"200": _json({"type": "object"}),
                                  **_errors(400, 401, 403, 413, 415)},
                },
            },
            "/api/documents/{doc_id}": {"delete": {
                "summary": "Remove a document", "security": admin,
                "parameters": [{"name": "doc_id", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"200": _json({"type": "object"}), **_errors(401, 403, 404)},
            }},
            "/api/provinces": {"get": {"summary": "Provinces with notices", "security": staff,
                                       "responses": {"200": _json({"type": "object"})}}},
            "/api/stats": {"get": {
                "summary": "Question counts, the most asked unanswered questions, and what the"
                           " Zalo OA sent (zalo_*)",
                "security": admin,
                "parameters": [{"name": "days", "in": "query", "schema": {"type": "integer"}}],
                "responses": {"200": _json({"type": "object"}), **_errors(401, 403)},
            }},
            "/api/questions.csv": {"get": {
                "summary": "The question log as CSV", "security": admin,
                "responses": {"200": {"description": "CSV"}, **_errors(401, 403)},
            }},
            "/zalo/webhook": {"post": {
                "summary": "Zalo OA events (only with CHITHI_ZALO_*; signed by Zalo with"
                           " X-ZEvent-Signature, docs/zalo.md)",
                "responses": {"200": _json({"type": "object"}), **_errors(400, 401, 403, 413)},
            }},
            "/healthz": {"get": {"summary": "Liveness", "responses": {"200": _json(_ERROR)}}},
        },
    }  # fmt: skip
