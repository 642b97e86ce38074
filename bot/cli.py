"""The `chithi` command line: ingest, docs, remove, ask, eval, chat, bot, run."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from bot import messages
from bot.bookkeeping import STORE_ERRORS
from bot.errors import ConfigError
from bot.logging_setup import configure_logging
from bot.notice_facts import FactError, given_facts
from bot.settings import Settings
from bot.terminal import document_line, run_chat
from bot.upload_replies import is_disk_full
from bot.wiring import (
    build_answerer,
    build_conversations,
    build_ingestion,
    build_library,
    ensure_bundled,
    ingest_progress,
    terminal_progress,
)
from retrieval import (
    AdminFacts,
    Answer,
    Answerer,
    DocumentNotFoundError,
    IndexUnavailableError,
    Library,
    SearchFilters,
    evaluate,
    evaluate_dialogues,
    is_dialogue_set,
    load_dialogues,
    load_items,
    phrasing,
)
from retrieval.text import resolve_province

logger = logging.getLogger(__name__)


class _State:
    """Lazily built pipeline shared by the subcommands of one invocation."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._library: Library | None = None
        self._answerer: Answerer | None = None

    @property
    def library(self) -> Library:
        """The index as it is (``ingest`` and ``remove`` change it)."""
        if self._library is None:
            try:
                self._library = build_library(self.settings)
            except IndexUnavailableError as exc:
                if is_disk_full(exc):
                    raise click.ClickException(f"{messages.DISK_FULL_CLI} ({exc})") from exc
                raise click.ClickException(f"index unavailable: {exc}") from exc
        return self._library

    def notices(self) -> Library:
        """The index to read from: on first use (empty) the bundled notices go in first."""
        ensure_bundled(
            self.library, self.settings, progress=terminal_progress, announce=_announce_bundled
        )
        return self.library

    def answerer(self) -> Answerer:
        """The whole pipeline (with CHITHI_ANSWER_MODE=llm, the model client too)."""
        if self._answerer is None:
            library = self.notices()
            try:
                self._answerer = build_answerer(self.settings, library)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._answerer

    def province(self, typed: str | None) -> str | None:
        """The province a --province option names; an error when it has no notices."""
        if not typed:
            return None
        library = self.notices()
        province = resolve_province(typed, among=library.provinces)
        if province is None:
            raise click.ClickException(messages.province_unknown(typed, library.provinces))
        return province


def _announce_bundled() -> None:
    click.echo(messages.BUNDLED_INGESTING, err=True)


class _Group(click.Group):
    """Turns an index that went away mid-command into a message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IndexUnavailableError as exc:
            if is_disk_full(exc):
                raise click.ClickException(f"{messages.DISK_FULL_CLI} ({exc})") from exc
            raise click.ClickException(f"{messages.INDEX_UNAVAILABLE} ({exc})") from exc
        except STORE_ERRORS as exc:  # the question log or a kept original could not be written
            if is_disk_full(exc):
                raise click.ClickException(f"{messages.DISK_FULL_CLI} ({exc})") from exc
            raise


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The data folder (index, question log) instead of CHITHI_DATA_DIR: e.g. to run "
    "`eval` against another corpus.",
)
@click.pass_context
def cli(ctx: click.Context, verbose: bool, data_dir: Path | None) -> None:
    """Answer questions about Covid-19 notices, quoting the paragraphs."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if data_dir is not None:
        settings = dataclasses.replace(settings, data_dir=data_dir.expanduser())
    # Only the bot logs at INFO by default; `run` without a token is the terminal chat, where
    # log lines would come between a question and its answer.
    command = ctx.invoked_subcommand
    service = command == "bot" or (command == "run" and bool(settings.telegram_token))
    configure_logging(
        "DEBUG" if verbose else settings.log_level or ("INFO" if service else "WARNING"),
        secrets=settings.secrets,
    )
    ctx.obj = _State(settings)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Let a file replace an indexed document that is a different notice under its id.",
)
@click.option("--date", help="The issue date the file does not state (DD/MM/YYYY or YYYY-MM-DD).")
@click.option("--province", help="The province the file does not name.")
@click.option("--supersedes", metavar="DOC_ID", help="The indexed document this file replaces.")
@click.pass_obj
def ingest(
    state: _State,
    paths: tuple[Path, ...],
    replace: bool,
    date: str | None,
    province: str | None,
    supersedes: str | None,
) -> None:
    """Add or replace notices: files (.txt .md .docx .doc .pdf .html, images) or folders.

    --date, --province and --supersedes set what one file does not state; they are kept
    when a new version of the file is ingested later.
    """
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"no such file or folder: {', '.join(missing)}")
    facts = _facts(state.library, paths, date, province, supersedes)
    ingested = build_ingestion(state.settings, state.library).files(
        list(paths), replace=replace, facts=facts, progress=ingest_progress
    )
    results, alerted = ingested.results, ingested.alerted
    failed = [r for r in results if r.error]
    for r in results:
        if r.error:
            click.echo(f"✗ {r.error}", err=True)
        elif r.meta is not None:
            verb = "replaced" if r.replaced else "added" if r.changed else "unchanged"
            label = phrasing.doc_label(r.meta, paragraphs=r.paragraphs)
            how = "; ".join(x for x in (r.kind, *r.notes) if x)
            click.echo(f"✓ {r.doc_id} ({verb}): {label}" + (f" [{how}]" if how else ""))
    done = len(results) - len(failed)
    files = len({r.path for r in results})
    summary = f"{done} of {len(results)} notices indexed from {files} files"
    if alerted:
        summary += f"; alerts queued for {alerted} subscribed chats (the bot sends them)"
    if failed:
        bad = sorted({Path(r.path).name for r in failed})
        raise click.ClickException(f"{summary}; not indexed: {', '.join(bad)}")
    click.echo(summary, err=True)


def _facts(
    library: Library,
    paths: tuple[Path, ...],
    date: str | None,
    province: str | None,
    supersedes: str | None,
) -> AdminFacts | None:
    """The facts given on the command line, checked; None when none was given."""
    if not (date or province or supersedes):
        return None
    if len(paths) != 1 or paths[0].is_dir():
        raise click.ClickException("--date, --province and --supersedes describe one file")
    try:
        return given_facts(
            date=date, province=province, supersedes=supersedes, known=library.catalog
        )
    except FactError as exc:
        hints = {
            "date": "is not a date; use DD/MM/YYYY or YYYY-MM-DD",
            "province": "is not a province of Việt Nam",
            "supersedes": "is not an indexed document; see `chithi docs`",
        }
        raise click.ClickException(f"--{exc.field} {exc.value!r} {hints[exc.field]}") from exc


@cli.command()
@click.option("--province", help="Only this province's documents.")
@click.pass_obj
def docs(state: _State, province: str | None) -> None:
    """List indexed documents, newest first."""
    library = state.notices()
    chosen = resolve_province(province, among=library.provinces) if province else None
    if province and chosen is None:
        click.echo(messages.NO_DOCUMENTS_IN.format(province=province))
        return
    items = library.documents(chosen)
    if not items:
        click.echo(messages.NO_DOCUMENTS)
    for d in items:
        click.echo(document_line(d, library, state.settings.today()))


@cli.command()
@click.argument("doc_id")
@click.pass_obj
def remove(state: _State, doc_id: str) -> None:
    """Remove a document from the index."""
    try:
        meta = build_ingestion(state.settings, state.library).remove(doc_id)
    except DocumentNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"removed {doc_id}: {meta.title}")


@cli.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (DESIGN.md contract).")
@click.option("--jsonl", is_flag=True, help="Read questions from stdin, one JSON object a line.")
@click.option("--province", help="Answer only from this province's notices.")
@click.option("--doc", "doc_id", help="Answer only from this document id.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Only notices dated on/after.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Only notices dated on/before.")
@click.pass_obj
def ask(
    state: _State, question: str | None, as_json: bool, jsonl: bool,
    province: str | None, doc_id: str | None, since: dt.datetime | None, until: dt.datetime | None,
) -> None:  # fmt: skip
    """Answer a question with quotes."""
    answerer = state.answerer()
    filters = SearchFilters(
        province=state.province(province),
        doc_id=doc_id,
        date_from=since.date() if since else None,
        date_to=until.date() if until else None,
    )
    with asyncio.Runner() as runner:  # one event loop for every question of the command
        if jsonl:
            # Bytes, decoded here: a line that is not UTF-8 gets "?" for its bad bytes and an
            # answer, instead of a UnicodeDecodeError that ends the whole stream.
            for raw in sys.stdin.buffer:
                line = raw.decode("utf-8", "replace")
                if line.strip():
                    answer = runner.run(answerer.answer(line.strip(), filters=filters))
                    click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
            return
        if not question:
            raise click.UsageError("give a QUESTION, or --jsonl to read questions from stdin")
        answer = runner.run(answerer.answer(question, filters=filters))
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        click.echo(render_answer(answer))


@cli.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--misses", is_flag=True, help="List the questions answered wrongly, with why.")
@click.option(
    "--split",
    type=click.Choice(["tune", "heldout"]),
    help="Keep only the items with this split field (default: every item).",
)
@click.pass_obj
def eval_command(state: _State, file: Path, misses: bool, split: str | None) -> None:
    """Score answers on a question set (hit@1, hit@3, MRR, lead, refusals, per kind).

    A dialogue set (one dialogue a line, with "turns") scores the follow-up questions: asked
    in their conversation, alone, and in their standalone form.
    """
    if is_dialogue_set(file):
        _eval_dialogues(state, file, misses, split)
        return
    try:
        items = load_items(file, split=split)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if not items:
        chosen = f" with split {split}" if split else ""
        raise click.ClickException(f"no items in {file}{chosen}")
    answerer = state.answerer()
    with asyncio.Runner() as runner:
        report = evaluate(items, lambda question: runner.run(answerer.answer(question)))
    rows: list[tuple[str, dict[str, Any]]] = [("overall", report.overall.row())]
    rows += sorted((k, v.row()) for k, v in report.kinds.items())
    width = max(len(name) for name, _ in rows) + 2
    click.echo(
        f"{'kind':<{width}}{'n':>5}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}{'lead':>8}{'first':>8}"
        f"{'answered':>9}{'refuse':>8}{'refused':>9}"
    )
    for name, r in rows:
        total = r["answerable"] + r["refuse_items"]
        click.echo(
            f"{name:<{width}}{total:>5}{_pct(r['hit@1'])}{_pct(r['hit@3'])}{_pct(r['mrr'])}"
            f"{_pct(r['lead_hit'])}{_pct(r['first_hit'])}{_pct(r['answered_rate'], 9)}"
            f"{_pct(r['refusal_acc'])}"
            f"{r['wrongly_refused']:>9}"
        )
    stats = answerer.stats
    if stats.llm:
        click.echo(
            f"llm answers used: {stats.llm_used}, fell back to extractive: {stats.llm_fallback}"
        )
        for reason, count in sorted(stats.fallback_reasons.items()):
            click.echo(f"  fallback {count}× {reason}")
    click.echo(
        "(answerable items: hit@k = a gold span quoted in the top k citations, lead = the lead"
        " states a gold span's words, first = its first answer alone does, refused = how many"
        " came back not answered)"
    )
    click.echo(
        "(refuse items: answered = share answered, lower is better;"
        " refuse = share refused without citations)"
    )
    if misses:
        for miss in report.misses:
            click.echo(f"miss {miss.item_id} [{miss.status}] {miss.reason}: {miss.question}")
            if miss.detail:
                click.echo(f"    {miss.detail}")


def _eval_dialogues(state: _State, file: Path, misses: bool, split: str | None) -> None:
    try:
        dialogues = load_dialogues(file, split=split)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if not dialogues:
        raise click.ClickException(
            f"no dialogues in {file}" + (f" with split {split}" if split else "")
        )
    answerer = state.answerer()
    with asyncio.Runner() as runner:
        report = evaluate_dialogues(
            dialogues,
            lambda q, conversation: runner.run(answerer.answer(q, conversation=conversation)),
        )
    click.echo(f"{'follow-ups':<20}{'n':>5}{'carried':>9}{'led':>8}{'refuse':>8}{'refused':>9}")
    rows = [("in context", report.in_context), ("alone", report.alone),
            ("standalone form", report.standalone)]  # fmt: skip
    rows += [(f"  {kind}", score) for kind, score in sorted(report.kinds.items())]
    for name, score in rows:
        r = score.row()
        click.echo(
            f"{name:<20}{r['answerable'] + r['refuse_items']:>5}{_pct(r['carried'], 9)}"
            f"{_pct(r['led'])}{r['refuse_items']:>8}{_pct(r['refused_right'], 9)}"
        )
    click.echo(
        f"topic switches read as questions of their own: {report.switches_fresh}/{report.switches}"
    )
    click.echo(
        "(carried = a gold span quoted in the first three citations; led = the lead states it;"
        " refused = unanswerable follow-ups not answered; 'in context' is the product,"
        " 'alone' the same message in a new chat, 'standalone form' its full question alone)"
    )
    if misses:
        for line in report.misses:
            click.echo(f"miss {line}")


def _pct(value: float | None, width: int = 8) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.3f}"


def render_answer(answer: Answer) -> str:
    """An answer for a terminal: how a follow-up was read, the lead, then each shown citation.

    The citations are those Telegram shows (`messages.shown_citations`), each under its short
    source ('[1] Gia Lai · TB 16/9/2021 · mục 8:'). The kind and number of the document come
    from the library of the command that runs (``ask``, ``chat``); outside a command, the
    source names province, date and section only.
    """
    ctx = click.get_current_context(silent=True)
    state = ctx.find_object(_State) if ctx is not None else None
    catalog = state.library.catalog if state is not None else {}
    lines = []
    if answer.understood_as:  # a follow-up: how it was read, so a misreading shows
        lines.append(messages.UNDERSTOOD_AS.format(question=answer.understood_as))
    lines.append(answer.text)
    for n, citation in enumerate(messages.shown_citations(answer.citations), start=1):
        meta = catalog.get(citation.doc_id)
        lines += ["", messages.citation_heading(n, citation, meta) + ":"]
        lines += textwrap.wrap(f"“{citation.quote}”", width=96, initial_indent="    ",
                               subsequent_indent="    ")  # fmt: skip
    return "\n".join(lines)


@cli.command()
@click.pass_obj
def chat(state: _State) -> None:
    """Interactive questions and answers in the terminal."""
    run_chat(state.answerer(), render_answer, build_conversations(state.settings))


@cli.command(name="bot")
@click.pass_obj
def bot_command(state: _State) -> None:
    """Run the Telegram bot (needs TELEGRAM_BOT_TOKEN)."""
    if not state.settings.telegram_token:
        raise click.ClickException(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather (see README)"
        )
    from bot.telegram import run_bot

    run_bot(state.settings, state.answerer())


@cli.command()
@click.option("--host", help="Address to listen on (default CHITHI_HTTP_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default CHITHI_HTTP_PORT, 8080).")
@click.pass_obj
def serve(state: _State, host: str | None, port: int | None) -> None:
    """Serve the HTTP API and the web console (staff page /, admin page /admin).

    With CHITHI_ZALO_* set, also a Zalo Official Account's webhook (docs/zalo.md).
    """
    import uvicorn

    from bot.web import build_app

    settings = state.settings
    answerer = state.answerer()
    app = build_app(settings, library=answerer.library, answerer=answerer)
    host, port = host or settings.http_host, port or settings.http_port
    click.echo(f"chithi serve: http://{host}:{port}/ (API: /openapi.json)", err=True)
    if settings.zalo is not None:
        click.echo(f"Zalo OA webhook: POST http://{host}:{port}/zalo/webhook", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the Telegram bot when a token is configured, the terminal chat otherwise."""
    state: _State = ctx.obj
    ctx.invoke(bot_command if state.settings.telegram_token else chat)
