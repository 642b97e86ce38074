"""The `chithi` command line: ingest, docs, remove, ask, eval, chat, bot, run."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import textwrap
from pathlib import Path
from typing import Any

import click

from bot import messages
from bot.errors import ConfigError
from bot.logging_setup import configure_logging
from bot.settings import Settings
from bot.wiring import build_answerer, build_library, ensure_bundled, terminal_progress
from retrieval import (
    Answer,
    Answerer,
    DocumentNotFoundError,
    IndexUnavailableError,
    Library,
    SearchFilters,
    format_date,
)
from retrieval.evaluation import evaluate, load_items
from retrieval.text.places import canonical_province

logger = logging.getLogger(__name__)


class _State:
    """Lazily built pipeline shared by the subcommands of one invocation."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._library: Library | None = None
        self._answerer: Answerer | None = None

    @property
    def library(self) -> Library:
        if self._library is None:
            try:
                self._library = build_library(self.settings)
            except IndexUnavailableError as exc:
                raise click.ClickException(f"index unavailable: {exc}") from exc
        return self._library

    def answerer(self) -> Answerer:
        if self._answerer is None:
            results = ensure_bundled(self.library, self.settings, progress=terminal_progress)
            if results:
                click.echo(messages.BUNDLED_INGESTED.format(count=len(results)), err=True)
            try:
                self._answerer = build_answerer(self.settings, self.library)
            except ConfigError as exc:
                raise click.ClickException(str(exc)) from exc
        return self._answerer


class _Group(click.Group):
    """Turns an index that went away mid-command into a message instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IndexUnavailableError as exc:
            raise click.ClickException(f"{messages.INDEX_UNAVAILABLE} ({exc})") from exc


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Answer questions about Covid-19 notices, quoting the paragraphs."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    service = ctx.invoked_subcommand in ("bot", "run")
    configure_logging(
        "DEBUG" if verbose else settings.log_level or ("INFO" if service else "WARNING")
    )
    ctx.obj = _State(settings)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.pass_obj
def ingest(state: _State, paths: tuple[Path, ...]) -> None:
    """Add or replace notices (.txt, .md, .docx, .pdf files or folders)."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.ClickException(f"no such file or folder: {', '.join(missing)}")
    results = state.library.ingest(list(paths), progress=terminal_progress)
    failed = 0
    for r in results:
        if r.error:
            failed += 1
            click.echo(f"✗ {r.error}", err=True)
        else:
            verb = "added" if r.changed else "unchanged"
            date = format_date(r.meta.date) if r.meta else ""
            click.echo(f"✓ {r.doc_id} ({verb}): {r.title} — {date}, {r.paragraphs} paragraphs")
    if failed:
        raise click.ClickException(f"{failed} of {len(results)} files could not be ingested")


@cli.command()
@click.option("--province", help="Only this province's documents.")
@click.pass_obj
def docs(state: _State, province: str | None) -> None:
    """List indexed documents, newest first."""
    state.answerer()
    chosen = (canonical_province(province) or province) if province else None
    items = state.library.documents(chosen)
    if not items:
        click.echo(
            messages.NO_DOCUMENTS_IN.format(province=chosen) if chosen else messages.NO_DOCUMENTS
        )
    for d in items:
        place = f" [{d.meta.province}]" if d.meta.province else ""
        click.echo(f"{d.meta.doc_id}  {format_date(d.meta.date):>10}  {d.paragraph_count:>4} ¶"
                   f"{place}  {d.meta.title}")  # fmt: skip


@cli.command()
@click.argument("doc_id")
@click.pass_obj
def remove(state: _State, doc_id: str) -> None:
    """Remove a document from the index."""
    try:
        meta = state.library.remove(doc_id)
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
    filters = SearchFilters(
        province=(canonical_province(province) or province) if province else None,
        doc_id=doc_id,
        date_from=since.date() if since else None,
        date_to=until.date() if until else None,
    )
    answerer = state.answerer()
    if jsonl:
        for line in sys.stdin:
            if line.strip():
                answer = answerer.ask(line.strip(), filters=filters)
                click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
        return
    if not question:
        raise click.UsageError("give a QUESTION, or --jsonl to read questions from stdin")
    answer = answerer.ask(question, filters=filters)
    if as_json:
        click.echo(json.dumps(answer.to_json(), ensure_ascii=False))
    else:
        click.echo(render_answer(answer))


@cli.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--misses", is_flag=True, help="List the questions answered wrongly.")
@click.pass_obj
def eval_command(state: _State, file: Path, misses: bool) -> None:
    """Score answers on a question set (hit@1, hit@3, MRR, refusals, per kind)."""
    try:
        items = load_items(file)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    answerer = state.answerer()
    report = evaluate(items, answerer.ask)
    rows: list[tuple[str, dict[str, Any]]] = [("overall", report.overall.row())]
    rows += sorted((k, v.row()) for k, v in report.kinds.items())
    click.echo(f"{'kind':<14}{'n':>4}{'hit@1':>8}{'hit@3':>8}{'MRR':>8}{'refuse':>8}{'refused':>9}")
    for name, r in rows:
        total = r["answerable"] + r["refuse_items"]
        click.echo(
            f"{name:<14}{total:>4}{_pct(r['hit@1'])}{_pct(r['hit@3'])}"
            f"{_pct(r['mrr'])}{_pct(r['refusal_acc'])}{r['wrongly_refused']:>9}"
        )
    stats = answerer.stats
    if answerer.lead_writer is not None:
        click.echo(
            f"llm answers used: {stats.llm_used}, fell back to extractive: {stats.llm_fallback}"
        )
        for reason, count in sorted(stats.fallback_reasons.items()):
            click.echo(f"  fallback {count}× {reason}")
    click.echo("(refuse = share of refuse items refused; refused = answerable items refused)")
    if misses:
        for item_id, question, status in report.misses:
            click.echo(f"miss {item_id} [{status}] {question}")


def _pct(value: float | None) -> str:
    return f"{'-':>8}" if value is None else f"{value:>8.3f}"


def render_answer(answer: Answer) -> str:
    """An answer for a terminal: lead, then numbered quotes."""
    lines = [answer.text]
    for n, citation in enumerate(answer.citations, start=1):
        lines += ["", messages.citation_heading(n, citation) + ":"]
        lines += textwrap.wrap(f"“{citation.quote}”", width=96, initial_indent="    ",
                               subsequent_indent="    ")  # fmt: skip
    return "\n".join(lines)


@cli.command()
@click.pass_obj
def chat(state: _State) -> None:
    """Interactive questions and answers in the terminal."""
    from bot.terminal import run_chat

    run_chat(state.answerer(), render_answer)


@cli.command(name="bot")
@click.pass_obj
def bot_command(state: _State) -> None:
    """Run the Telegram bot (needs TELEGRAM_BOT_TOKEN)."""
    if not state.settings.telegram_token:
        raise click.ClickException(
            "TELEGRAM_BOT_TOKEN is not set; get a token from @BotFather (see README)"
        )
    from bot.telegram.app import run_bot

    run_bot(state.settings, state.answerer())


@cli.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Run the Telegram bot when a token is configured, the terminal chat otherwise."""
    state: _State = ctx.obj
    ctx.invoke(bot_command if state.settings.telegram_token else chat)
