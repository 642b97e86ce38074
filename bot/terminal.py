"""The interactive terminal chat, and how a terminal lists documents."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import replace

import click

from bot import messages
from bot.conversations import ConversationStore, conversation_key
from retrieval import (
    Answer,
    Answerer,
    Conversation,
    DocumentInfo,
    IndexUnavailableError,
    Library,
    document_status,
    phrasing,
)


def document_line(info: DocumentInfo, library: Library, today: dt.date) -> str:
    """A document as `chithi docs` and the chat's /vanban list it: id, label, then status."""
    label = phrasing.doc_label(info.meta, paragraphs=info.paragraph_count)
    status = document_status(info.meta, library.catalog, today)
    return f"{info.meta.doc_id}  {label}\n    {status}"


def run_chat(
    answerer: Answerer, render: Callable[[Answer], str], conversations: ConversationStore
) -> None:
    """Read questions until end of input or /thoat; answer each with quotes.

    The session is one conversation: a follow-up ("còn Gia Lai thì sao?") is read in the
    context of the previous question, until /moi.
    """
    talk = conversation_key("terminal", uuid.uuid4().hex)
    click.echo(messages.CHAT_WELCOME)
    with asyncio.Runner() as runner:  # one event loop for the whole chat
        while True:
            try:
                question = input(messages.CHAT_PROMPT)
            except (EOFError, KeyboardInterrupt):
                click.echo("")
                break
            question = question.strip()
            if not question:
                continue
            if question.lower() in messages.CHAT_QUIT_WORDS:
                break
            if question.lower() == messages.CHAT_DOCUMENTS_COMMAND:
                for d in answerer.library.documents():
                    click.echo(document_line(d, answerer.library, answerer.today()))
                continue
            if question.lower() == messages.CHAT_RESET_COMMAND:
                conversations.reset(talk)
                click.echo(messages.CONTEXT_RESET)
                continue
            try:
                conversation = conversations.load(talk)
                answer = runner.run(answer_streaming(answerer, question, render, conversation))
            except IndexUnavailableError:
                click.echo(messages.INDEX_UNAVAILABLE)
                continue
            if answer.turn is not None:
                conversations.add(talk, answer.turn)
    click.echo(messages.CHAT_BYE)


async def answer_streaming(
    answerer: Answerer,
    question: str,
    render: Callable[[Answer], str],
    conversation: Conversation | None = None,
    echo: Callable[[str], None] = lambda text: click.echo(text, nl=False),
) -> Answer:
    """Print an answer; with an LLM, its lead as it is written, then the quotes.

    A model takes seconds to tens of seconds; showing its words as they come is what tells
    the user it is working. If its lead fails the checks after some of it was shown, the user
    is told, and gets the answer taken from the notices instead.
    """
    shown = ""

    async def on_draft(text: str) -> None:
        nonlocal shown
        if text.startswith(shown) and len(text) > len(shown):
            echo(text[len(shown) :])
            shown = text

    answer = await answerer.answer(question, on_draft=on_draft, conversation=conversation)
    full = render(answer)
    if shown and answer.understood_as:  # the lead was shown already: how it was read goes last
        understood = messages.UNDERSTOOD_AS.format(question=answer.understood_as)
        full = render(replace(answer, understood_as=None)) + "\n" + understood
    if shown and full.startswith(shown):
        echo(full[len(shown) :] + "\n\n")
    elif shown:
        echo("\n\n" + messages.CHAT_LEAD_REPLACED + "\n" + full + "\n\n")
    else:
        echo(full + "\n\n")
    return answer
