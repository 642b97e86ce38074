"""Build the answer pipeline from Settings (the one place that picks implementations)."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable

from bot.alerts import AlertStore
from bot.conversations import ConversationStore
from bot.database import Database, PostgresDatabase, SQLiteDatabase
from bot.ingest import Ingestion
from bot.settings import Settings
from retrieval import Answerer, IngestResult, Library
from vectorstore import (
    E5EmbeddingFunction,
    Embedder,
    OpenAICompatibleEmbeddingFunction,
    ParagraphStore,
)

logger = logging.getLogger(__name__)


def build_embedder(settings: Settings) -> Embedder:
    """The bundled e5 model, or an OpenAI-compatible embeddings endpoint."""
    if settings.embeddings.startswith("openai:"):
        return OpenAICompatibleEmbeddingFunction(
            settings.embeddings.split(":", 1)[1],
            base_url=settings.openai_base_url,
            api_key=settings.openai_api_key,
        )
    return E5EmbeddingFunction(threads=settings.embed_threads)


def build_library(settings: Settings) -> Library:
    """The store (embedded folder or Chroma server) and its lexical index."""
    embedder = build_embedder(settings)
    if settings.chroma_url:
        store = ParagraphStore.remote(
            settings.chroma_url, embedder=embedder, token=settings.chroma_token,
            timeout=settings.index_timeout,
        )  # fmt: skip
    else:
        settings.chroma_dir.mkdir(parents=True, exist_ok=True)
        store = ParagraphStore.persistent(str(settings.chroma_dir), embedder=embedder)
    return Library(store, lexical_dir=settings.lexical_dir, limits=settings.read_limits)


def build_answerer(settings: Settings, library: Library | None = None) -> Answerer:
    """The full pipeline; with CHITHI_ANSWER_MODE=llm, an LLM writes the lead."""
    library = library or build_library(settings)
    lead_writer = None
    if settings.answer_mode == "llm":
        from bot.llm_wiring import build_lead_writer

        lead_writer = build_lead_writer(settings)
    return Answerer(
        library,
        hotline=settings.hotline,
        lead_writer=lead_writer,
        rewriter=lead_writer,  # the same model reads follow-ups (offline when it fails)
        max_question_chars=settings.max_question_chars,
        today=settings.today,
        index_timeout=settings.index_timeout,
    )


def build_ingestion(settings: Settings, library: Library) -> Ingestion:
    """The one ingest service: originals kept under the uploads folder, alerts beside the log.

    Files (`chithi ingest`, the bundled notices) are embedded on CHITHI_INGEST_WORKERS threads
    with the bundled e5 model; an embeddings endpoint does its own work, so one thread waits
    on it.
    """
    workers = settings.ingest_workers if settings.embeddings == "e5" else 1
    return Ingestion(
        library,
        alerts=AlertStore(build_database(settings)),
        uploads_dir=settings.uploads_dir,
        workers=workers,
    )


def build_database(settings: Settings) -> Database:
    """Where the question log, follows, alerts and conversations live.

    The PostgreSQL database of CHITHI_DATABASE_URL (replicas on several hosts), else the
    SQLite file in the data folder.
    """
    if settings.database_url:
        return PostgresDatabase(settings.database_url)
    return SQLiteDatabase(settings.question_log_path)


def build_conversations(settings: Settings, database: Database | None = None) -> ConversationStore:
    """The chats' recent turns, beside the question log (every replica sees them).

    Args:
        settings: the silence after which a conversation starts over.
        database: the question log's database, when a front end was given its own log.
    """
    return ConversationStore(
        database or build_database(settings),
        ttl=dt.timedelta(minutes=settings.context_minutes),
    )


def ensure_bundled(
    library: Library,
    settings: Settings,
    *,
    progress: Callable[[int, str], Callable[[int], None]] | None = None,
    announce: Callable[[], None] | None = None,
) -> list[IngestResult]:
    """On first use, with an empty index, ingest the bundled notices (as `chithi ingest` would).

    Args:
        library: the index to fill.
        settings: where the bundled notices are.
        progress: a progress bar factory, as `Library.ingest` takes.
        announce: called before an ingest starts (it takes about a minute on 2 cores).

    Returns:
        What happened to each bundled file; empty when the index already held documents.
    """
    if not library.is_empty() or not settings.notices_dir.is_dir():
        return []
    logger.info("Empty index: ingesting the bundled notices from %s", settings.notices_dir)
    if announce is not None:
        announce()
    ingestion = build_ingestion(settings, library)
    return ingestion.files([settings.notices_dir], progress=progress).results


PROGRESS_LINE_EVERY = 200  # paragraphs between progress lines when stderr is not a terminal


def terminal_progress(total: int, label: str) -> Callable[[int], None]:
    """A tqdm bar on a terminal; nothing when output is piped (the first-use ingest)."""
    if not sys.stderr.isatty():
        return lambda n: None
    return _bar(total, label)


def ingest_progress(total: int, label: str) -> Callable[[int], None]:
    """A tqdm bar on a terminal; a line per document (and per 200 paragraphs) otherwise.

    `chithi ingest` run by cron or a service writes to a log, not a terminal: it still says
    how far it got, one line at a time.
    """
    if not sys.stderr.isatty():
        return _progress_lines(total, label)
    return _bar(total, label)


def _bar(total: int, label: str) -> Callable[[int], None]:
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="¶", leave=False, file=sys.stderr)

    def tick(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return tick


def _progress_lines(total: int, label: str) -> Callable[[int], None]:
    done = 0
    shown = 0
    _line(f"{label}: {total} paragraphs to index")

    def tick(n: int) -> None:
        nonlocal done, shown
        done += n
        if done >= total or done - shown >= PROGRESS_LINE_EVERY:
            shown = done
            _line(f"{label}: {min(done, total)}/{total}")

    return tick


def _line(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()
