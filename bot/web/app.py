"""The HTTP API and the web console: `chithi serve`, one process, the bot's Answerer and index.

Starlette, not FastAPI: the API is a dozen small handlers over objects we already have, and
Starlette gives routing, form parsing and a test client without pydantic models or a second
way to describe the JSON contract (which `Answer.to_json` already fixes). The OpenAPI
description is written by hand in openapi.py, next to the routes it describes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot import messages
from bot.alerts import AlertStore
from bot.bookkeeping import STORE_ERRORS, Bookkeeper
from bot.chat_log import ChatLog
from bot.conversations import CLIENT_ID, conversation_key
from bot.ingest import Ingestion
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import Metrics
from bot.notice_facts import FactError, given_facts
from bot.settings import Settings
from bot.upload_replies import (
    document_summary,
    duplicate_reply,
    fact_error_text,
    upload_reply,
    upload_status,
)
from bot.uploads import DOC_ID, safe_name
from bot.web.auth import Access, SecurityHeaders, requires
from bot.web.limits import BodyLimit
from bot.web.openapi import openapi_document
from bot.wiring import build_answerer, build_conversations, build_database, build_library
from bot.zalo import MAX_BODY_BYTES as ZALO_MAX_BODY_BYTES
from bot.zalo import ZaloStore, ZaloWebhook, build_webhook
from retrieval import (
    Answerer,
    DocumentNotFoundError,
    IndexTimeoutError,
    IndexUnavailableError,
    Library,
    SearchFilters,
    bounded,
    document_status,
)
from retrieval.answer import phrasing
from retrieval.parse import SUPPORTED_SUFFIXES
from retrieval.text import resolve_province

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
MAX_JSON_BYTES = 16 * 1024  # an ask request: a question of at most a few thousand characters
MAX_JSON_DEPTH = 32  # an ask request is one flat object; deeper nesting is refused unparsed
FORM_OVERHEAD = 64 * 1024  # an upload's form: the file plus its fields and boundaries
DEFAULT_DAYS = 7
RETRY_AFTER_SECONDS = 30  # an index that is down or hung: when a client may try again


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def build_app(
    settings: Settings,
    *,
    library: Library | None = None,
    answerer: Answerer | None = None,
    chat_log: ChatLog | None = None,
) -> Starlette:
    """The ASGI app: the JSON API under /api, the console at / and /admin."""
    library = library or build_library(settings)
    answerer = answerer or build_answerer(settings, library)
    log = chat_log or ChatLog(build_database(settings))
    access = Access(admin_token=settings.admin_token, staff_token=settings.staff_token)
    api = _Api(settings, library, answerer, log, access)
    zalo = None
    if settings.zalo is not None:  # the Zalo OA channel rides on the same process family
        zalo = build_webhook(settings, settings.zalo, answerer, log=log,
                             conversations=api.conversations, books=api.books,
                             metrics=api.metrics)  # fmt: skip
    routes = [
        Route("/healthz", api.health),
        Route("/metrics", api.metrics_text),
        Route("/api/whoami", api.whoami),
        Route("/api/ask", api.ask, methods=["POST"]),
        Route("/api/documents", api.documents, methods=["GET"]),
        Route("/api/documents", api.upload, methods=["POST"]),
        Route("/api/documents/{doc_id}", api.remove, methods=["DELETE"]),
        Route("/api/provinces", api.provinces),
        Route("/api/stats", api.stats),
        Route("/api/questions.csv", api.questions_csv),
        Route("/openapi.json", api.openapi),
        Route("/", _page("index.html")),
        Route("/admin", _page("admin.html")),
        Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
    ]
    if zalo is not None:
        routes.append(Route("/zalo/webhook", zalo.endpoint, methods=["POST"]))

    def limit_for(path: str, method: str) -> tuple[int, str]:
        if path == "/api/documents" and method == "POST":
            limit = settings.read_limits.max_file_bytes
            return limit + FORM_OVERHEAD, messages.WEB_FILE_TOO_LARGE.format(mb=_mb(limit))
        if path == "/zalo/webhook":  # an event is a few hundred bytes: its own, smaller limit
            return ZALO_MAX_BODY_BYTES, "body too large"
        return MAX_JSON_BYTES, messages.WEB_BODY_TOO_LARGE.format(kb=MAX_JSON_BYTES // 1024)

    middleware = [
        Middleware(SecurityHeaders),
        Middleware(BodyLimit, limit_for=limit_for),
        Middleware(AuthenticationMiddleware, backend=access),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=_lifespan(zalo, api),
        exception_handlers={IndexUnavailableError: api.index_unavailable},
    )


def _lifespan(zalo: ZaloWebhook | None, api: _Api) -> Any:
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if zalo is not None:
            await zalo.start()
        try:
            yield
        finally:
            if zalo is not None:
                await zalo.stop()
            await api.books.close()  # the log writes still queued, for a few seconds

    return lifespan


def _page(name: str) -> Any:
    async def page(request: Request) -> Response:
        path = STATIC / name
        if not path.is_file():
            return JSONResponse({"error": messages.WEB_NO_CONSOLE}, status_code=404)
        return FileResponse(path, media_type="text/html; charset=utf-8")

    return page


class _Api:
    def __init__(
        self,
        settings: Settings,
        library: Library,
        answerer: Answerer,
        log: ChatLog,
        access: Access,
    ) -> None:
        self.settings = settings
        self.library = library
        self.answerer = answerer
        self.log = log
        self.access = access
        self.alerts = AlertStore(log.database)  # beside the log, as the bot's
        self.ingestion = Ingestion(library, alerts=self.alerts, uploads_dir=settings.uploads_dir)
        self.conversations = build_conversations(settings, log.database)
        self.zalo = ZaloStore(log.database)  # counted whether or not this replica serves Zalo
        self.metrics = Metrics()
        self.metrics.watch(answerer, self.alerts)
        self.books = Bookkeeper()  # the log and the turns, written after the reply
        self.books.on_drop = self.metrics.dropped_write

    # -- open ----------------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        """What is up and what is down: the index (within its timeout) and the question log."""
        checks = {
            # One small read (the store's state token), as a balancer may ask every second.
            "index": await _check(
                bounded(self.settings.index_timeout, self.library.store.state_token)
            ),
            "question_log": await _check(
                bounded(self.settings.index_timeout, self.log.province, 0)
            ),
        }  # fmt: skip
        ok = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if ok else "degraded", "documents": len(self.library.catalog),
                **checks}  # fmt: skip
        # The index is what answers need: without it the replica should leave the balancer.
        return JSONResponse(body, status_code=200 if checks["index"] == "ok" else 503)

    async def metrics_text(self, request: Request) -> Response:
        """Prometheus' text format: no question text, no token (docs/metrics.md)."""
        body = await asyncio.to_thread(self.metrics.exposition)
        return Response(body, media_type=METRICS_CONTENT_TYPE)

    async def index_unavailable(self, request: Request, exc: Exception) -> Response:
        """Any route whose index call failed or timed out: the bot's message, as JSON 503."""
        logger.warning("Index unavailable for %s %s: %s", request.method, request.url.path, exc)
        self.metrics.index_failed("web", exc)
        return JSONResponse(
            {"error": messages.INDEX_UNAVAILABLE},
            status_code=503,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

    async def whoami(self, request: Request) -> Response:
        return JSONResponse({"staff_token_required": self.access.staff_token is not None})

    async def openapi(self, request: Request) -> Response:
        return JSONResponse(openapi_document())

    # -- staff ---------------------------------------------------------------------------

    @requires("staff")
    async def ask(self, request: Request) -> Response:
        try:
            body = await _json_body(request)
            question = body.get("question")
            if not isinstance(question, str) or not question.strip():
                raise _BadRequest(400, messages.WEB_NEEDS_QUESTION)
            filters = _filters(body, self.library)
            talk = _conversation_id(body)
        except _BadRequest as exc:
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        conversation = None
        if talk is not None:  # with the previous answer's turn, written after its response
            conversation = await self.books.last_turns(self.conversations, talk)
        answer = await self.answerer.answer(question, filters=filters, conversation=conversation)
        self.metrics.answered("web", answer)
        if talk is not None and answer.turn is not None:
            await self.books.keep_turn(self.conversations, talk, answer.turn)

        async def keep() -> None:  # after the response is sent (bot/bookkeeping.py)
            self.books.later(
                "question", partial(self.log.record, answer, user_id=None, chat_id=None,
                                    chat_type="web", province=filters.province),
            )  # fmt: skip

        return JSONResponse(answer.to_json(), background=BackgroundTask(keep))

    @requires("staff")
    async def documents(self, request: Request) -> Response:
        province = request.query_params.get("province") or None
        items = await bounded(self.settings.index_timeout, self.library.documents, province)
        today, catalog = self.settings.today(), self.library.catalog
        return JSONResponse(
            {
                "documents": [
                    {
                        "doc_id": d.meta.doc_id,
                        "title": d.meta.title,
                        "kind": d.meta.kind,
                        "province": d.meta.province,
                        "date": d.meta.date.isoformat() if d.meta.date else None,
                        "paragraphs": d.paragraph_count,
                        "label": phrasing.doc_label(d.meta),
                        # "Gia Lai · TB 16/9/2021": the console adds a citation's section.
                        "short": phrasing.short_source(
                            d.meta.province, d.meta.kind, d.meta.number, d.meta.date, None
                        ),
                        "status": document_status(d.meta, catalog, today),
                        "superseded_by": d.meta.superseded_by,
                        "periods_ended": sum(p.ended(today) for p in d.meta.periods),
                    }
                    for d in items
                ]
            }
        )

    @requires("staff")
    async def provinces(self, request: Request) -> Response:
        return JSONResponse({"provinces": sorted(self.library.provinces)})

    # -- admin ---------------------------------------------------------------------------

    @requires("admin")
    async def upload(self, request: Request) -> Response:
        limit = self.settings.read_limits.max_file_bytes
        declared = int(request.headers.get("content-length") or 0)
        if declared > limit + 64 * 1024:
            return _too_large(limit)
        # The form's temp files are closed when the block ends.
        async with request.form(max_files=1, max_part_size=limit + 1) as form:
            file = form.get("file")
            if not isinstance(file, UploadFile) or not file.filename:
                return JSONResponse({"error": messages.WEB_NEEDS_FILE}, 400)
            data = await file.read(limit + 1)
            doc_id = str(form.get("doc_id") or "").strip() or None
            typed = {
                k: str(form.get(k) or "").strip()[:200] for k in ("date", "province", "supersedes")
            }
        if len(data) > limit:
            return _too_large(limit)
        name = safe_name(file.filename)
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            text = messages.UPLOAD_UNSUPPORTED.format(suffix=Path(name).suffix or name)
            return JSONResponse({"error": text}, status_code=415)
        if doc_id is not None and not DOC_ID.fullmatch(doc_id):
            return JSONResponse({"error": messages.UPLOAD_BAD_ID.format(doc_id=doc_id)}, 400)
        try:
            facts = given_facts(**{k: v or None for k, v in typed.items()},
                                known=self.library.catalog)  # fmt: skip
        except FactError as exc:
            return JSONResponse({"error": fact_error_text(exc)}, status_code=400)
        upload = await asyncio.to_thread(
            self.ingestion.upload, name, data, doc_id=doc_id, facts=facts
        )
        self.metrics.ingested("web", upload)
        same = upload.duplicate_of
        if same is not None:
            count = self.library.counts.get(same.doc_id, 0)
            message = duplicate_reply(name, same, count)
            found = {"doc_id": same.doc_id, "status": "duplicate", "title": same.title}
            return JSONResponse({"results": [{**found, "message": message}]})
        results = [
            {
                "doc_id": r.doc_id,
                "status": upload_status(r),
                "title": r.meta.title if r.meta else None,
                "message": upload_reply(name, data, r),
            }
            for r in upload.results
        ]
        return JSONResponse({"results": results})

    @requires("admin")
    async def remove(self, request: Request) -> Response:
        doc_id = request.path_params["doc_id"]
        count = self.library.counts.get(doc_id, 0)
        try:
            meta = await asyncio.to_thread(self.ingestion.remove, doc_id)
        except DocumentNotFoundError:
            text = messages.REMOVE_UNKNOWN.format(doc_id=doc_id)
            return JSONResponse({"error": text}, status_code=404)
        message = document_summary(messages.REMOVE_DONE, meta, count)
        return JSONResponse({"removed": doc_id, "message": message})

    @requires("admin")
    async def stats(self, request: Request) -> Response:
        since = _since(request)
        await self.books.settled()  # the questions just answered, if not yet logged
        stats = await asyncio.to_thread(self.log.stats, since, top=20)
        zalo = await asyncio.to_thread(self.zalo.counts, since)
        return JSONResponse(
            {
                "asked": stats.asked,
                "answered": stats.answered,
                "not_found": stats.not_found,
                "refused": stats.refused,
                "helpful": stats.helpful,
                "unhelpful": stats.unhelpful,
                "gaps": [{"question": q, "count": n} for q, n in stats.unanswered],
                "zalo_sent": zalo.sent,
                "zalo_refused": zalo.refused_total,
                "zalo_refused_codes": {str(code): n for code, n in zalo.refused},
                "zalo_unknown": zalo.unknown,
                "zalo_window_closed": zalo.window_closed,
            }
        )

    @requires("admin")
    async def questions_csv(self, request: Request) -> Response:
        await self.books.settled()
        data = await asyncio.to_thread(self.log.export_csv, _since(request))
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="cau-hoi.csv"'},
        )


async def _json_body(request: Request) -> dict[str, Any]:
    if int(request.headers.get("content-length") or 0) > MAX_JSON_BYTES:
        raise _BadRequest(413, messages.WEB_BODY_TOO_LARGE.format(kb=MAX_JSON_BYTES // 1024))
    raw = await request.body()
    if len(raw) > MAX_JSON_BYTES:
        raise _BadRequest(413, messages.WEB_BODY_TOO_LARGE.format(kb=MAX_JSON_BYTES // 1024))
    text = raw.decode("utf-8", "replace")
    if _depth(text) > MAX_JSON_DEPTH:  # json.loads would recurse once per level
        raise _BadRequest(400, messages.WEB_JSON_TOO_DEEP)
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise _BadRequest(400, messages.WEB_NOT_JSON) from exc
    if not isinstance(body, dict):
        raise _BadRequest(400, messages.WEB_NOT_OBJECT)
    return body


def _depth(text: str) -> int:
    """How deep the JSON text's arrays and objects nest (brackets inside strings ignored)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _filters(body: dict[str, Any], library: Library) -> SearchFilters:
    typed = body.get("province") or None
    doc_id = body.get("doc_id") or None
    for key, value in (("province", typed), ("doc_id", doc_id)):
        if value is not None and not isinstance(value, str):
            raise _BadRequest(400, messages.WEB_NOT_TEXT.format(key=key))
    province = resolve_province(typed, among=library.provinces) if typed else None
    if typed and province is None:
        raise _BadRequest(400, messages.NO_DOCUMENTS_IN.format(province=typed))
    return SearchFilters(
        province=province,
        doc_id=doc_id,
        date_from=_date(body.get("date_from"), "date_from"),
        date_to=_date(body.get("date_to"), "date_to"),
    )


def _conversation_id(body: dict[str, Any]) -> str | None:
    """The caller's conversation ("conversation_id": a console tab's, an API client's)."""
    value = body.get("conversation_id")
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not CLIENT_ID.fullmatch(value):
        raise _BadRequest(400, messages.WEB_BAD_CONVERSATION)
    return conversation_key("web", value)


def _date(value: Any, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise _BadRequest(400, messages.WEB_NOT_DATE.format(key=key)) from exc


def _since(request: Request) -> dt.datetime:
    try:
        days = max(1, min(3650, int(request.query_params.get("days") or DEFAULT_DAYS)))
    except ValueError:
        days = DEFAULT_DAYS
    return dt.datetime.now(dt.UTC) - dt.timedelta(days=days)


async def _check(call: Awaitable[object]) -> str:
    """'ok', 'timeout' or 'unavailable', for /healthz."""
    try:
        await call
    except IndexTimeoutError:
        return "timeout"
    except IndexUnavailableError:
        return "unavailable"
    except STORE_ERRORS:
        return "unavailable"
    return "ok"


def _mb(limit: int) -> str:
    return f"{limit / (1024 * 1024):g}"


def _too_large(limit: int) -> Response:
    return JSONResponse({"error": messages.WEB_FILE_TOO_LARGE.format(mb=_mb(limit))}, 413)
