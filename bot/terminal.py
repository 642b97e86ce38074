"""The interactive terminal chat."""

from __future__ import annotations

from collections.abc import Callable

import click

from bot import messages
from retrieval import Answer, Answerer, IndexUnavailableError, format_date

_QUIT = {"/thoat", "/quit", "/exit", "thoat", "exit", "quit"}


def run_chat(answerer: Answerer, render: Callable[[Answer], str]) -> None:
    """Read questions until end of input or /thoat; answer each with quotes."""
    click.echo(messages.CHAT_WELCOME)
    while True:
        try:
            question = input(messages.CHAT_PROMPT)
        except (EOFError, KeyboardInterrupt):
            click.echo("")
            break
        question = question.strip()
        if not question:
            continue
        if question.lower() in _QUIT:
            break
        if question.lower() == "/vanban":
            for d in answerer.library.documents():
                click.echo(f"- {format_date(d.meta.date)}: {d.meta.title} ({d.meta.doc_id})")
            continue
        try:
            click.echo(render(answerer.ask(question)) + "\n")
        except IndexUnavailableError:
            click.echo(messages.INDEX_UNAVAILABLE)
    click.echo(messages.CHAT_BYE)
