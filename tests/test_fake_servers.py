"""Self-tests of the fake Telegram and OpenAI servers in ``tests/helpers``."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
import telegram
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from tests.helpers.fake_openai import (
    DEFAULT_REPLY,
    FakeOpenAI,
    embed_text,
    empty,
    hang,
    malformed,
    reply,
    status,
    stream,
)
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.http_server import (
    ServerHandle,
    closed_port_url,
    combine_apps,
    free_port,
    serve_in_thread,
)
from tests.helpers.telegram_updates import (
    BOT_USERNAME,
    GROUP_CHAT_ID,
    callback_update,
    document_update,
    inline_update,
    location_update,
    photo_update,
    sticker_update,
    text_update,
    voice_update,
)

TOKEN = "123456:TEST-token"
CHAT_ID = 1001


@pytest.fixture(scope="module")
def fakes() -> Iterator[tuple[FakeTelegram, FakeOpenAI, ServerHandle]]:
    telegram_fake, openai_fake = FakeTelegram(), FakeOpenAI()
    with serve_in_thread(combine_apps(telegram_fake, openai_fake)) as server:
        yield telegram_fake, openai_fake, server


@pytest.fixture
def tg(fakes: tuple[FakeTelegram, FakeOpenAI, ServerHandle]) -> FakeTelegram:
    fakes[0].reset()
    return fakes[0]


@pytest.fixture
def oai(fakes: tuple[FakeTelegram, FakeOpenAI, ServerHandle]) -> FakeOpenAI:
    fakes[1].reset()
    return fakes[1]


@pytest.fixture
def url(fakes: tuple[FakeTelegram, FakeOpenAI, ServerHandle]) -> str:
    return fakes[2].url


def call_api(url: str, method: str, **params: Any) -> httpx.Response:
    with httpx.Client(trust_env=False) as client:
        return client.post(f"{url}/bot{TOKEN}/{method}", json=params)


def error_of(response: httpx.Response) -> str:
    body = response.json()
    assert body["ok"] is False
    assert body["error_code"] == response.status_code
    return str(body["description"])


def make_bot(url: str) -> telegram.Bot:
    return telegram.Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot")


# -- HTTP server helper --------------------------------------------------------------------


def test_closed_port_url_refuses_connections() -> None:
    with httpx.Client(trust_env=False) as client, pytest.raises(httpx.ConnectError):
        client.get(closed_port_url())


def test_serve_in_thread_stops_cleanly() -> None:
    server = serve_in_thread(FakeOpenAI())
    with httpx.Client(trust_env=False) as client:
        assert client.get(f"{server.url}/v1/models").status_code == 200
    server.stop()
    assert not server.running
    assert isinstance(free_port(), int)


# -- Telegram limits -----------------------------------------------------------------------


def test_text_of_4096_characters_is_accepted_and_4097_rejected(url: str) -> None:
    assert call_api(url, "sendMessage", chat_id=CHAT_ID, text="a" * 4096).status_code == 200
    response = call_api(url, "sendMessage", chat_id=CHAT_ID, text="a" * 4097)
    assert response.status_code == 400
    assert error_of(response) == "Bad Request: message is too long"


def test_length_counts_utf16_units_after_html_parsing(url: str) -> None:
    visible = "<b>" + "x" * 4096 + "</b>"
    ok = call_api(url, "sendMessage", chat_id=CHAT_ID, text=visible, parse_mode="HTML")
    assert ok.status_code == 200
    emoji = call_api(url, "sendMessage", chat_id=CHAT_ID, text="😀" * 2049)
    assert error_of(emoji) == "Bad Request: message is too long"


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_text_is_rejected(url: str, text: str) -> None:
    response = call_api(url, "sendMessage", chat_id=CHAT_ID, text=text)
    assert error_of(response) == "Bad Request: message text is empty"


@pytest.mark.parametrize(
    "text",
    [
        "<b>x</i>",
        "<b>x",
        "<foo>x</foo>",
        '<b class="x">x</b>',
        "a & b",
        "&foo;",
        "1 < 2",
        '<span class="other">x</span>',
    ],
)
def test_invalid_html_is_rejected(url: str, text: str) -> None:
    response = call_api(url, "sendMessage", chat_id=CHAT_ID, text=text, parse_mode="HTML")
    assert response.status_code == 400
    assert error_of(response).startswith("Bad Request: can't parse entities: ")


def test_valid_html_is_accepted_and_stripped_for_the_user(tg: FakeTelegram, url: str) -> None:
    text = (
        '<b>a</b> &amp; <i>b</i> &lt;c&gt; &#8364; &#x20AC; <a href="https://x.vn/?a=1&amp;b=2">'
        'l</a> <pre><code class="language-python">p</code></pre> <tg-spoiler>s</tg-spoiler> '
        "<blockquote expandable>q</blockquote>"
    )
    response = call_api(url, "sendMessage", chat_id=CHAT_ID, text=text, parse_mode="HTML")
    assert response.status_code == 200
    [message] = tg.messages(CHAT_ID)
    assert message.plain_text == "a & b <c> € € l p s q"
    assert message.text == text
    types = {entity["type"] for entity in message.entities}
    assert types >= {"bold", "italic", "text_link", "pre", "spoiler", "expandable_blockquote"}


def test_callback_data_over_64_bytes_is_rejected(url: str) -> None:
    def keyboard(data: str) -> dict[str, Any]:
        return {"inline_keyboard": [[{"text": "Nút", "callback_data": data}]]}

    ok = call_api(url, "sendMessage", chat_id=CHAT_ID, text="t", reply_markup=keyboard("é" * 32))
    assert ok.status_code == 200
    too_long = call_api(
        url, "sendMessage", chat_id=CHAT_ID, text="t", reply_markup=keyboard("a" * 65)
    )
    assert error_of(too_long) == "Bad Request: BUTTON_DATA_INVALID"


def test_edit_rules(tg: FakeTelegram, url: str) -> None:
    sent = call_api(url, "sendMessage", chat_id=CHAT_ID, text="one").json()["result"]
    edit = {"chat_id": CHAT_ID, "message_id": sent["message_id"]}
    same = call_api(url, "editMessageText", **edit, text="one")
    assert error_of(same).startswith("Bad Request: message is not modified")
    assert call_api(url, "editMessageText", **edit, text="two").status_code == 200
    missing = call_api(url, "editMessageText", chat_id=CHAT_ID, message_id=1, text="x")
    assert error_of(missing) == "Bad Request: message to edit not found"
    assert [m.plain_text for m in tg.messages(CHAT_ID)] == ["two"]


def test_inline_results_over_50_are_rejected(url: str) -> None:
    results = [
        {
            "type": "article",
            "id": str(i),
            "title": "t",
            "input_message_content": {"message_text": "m"},
        }
        for i in range(51)
    ]
    response = call_api(url, "answerInlineQuery", inline_query_id="1", results=results)
    assert error_of(response) == "Bad Request: RESULTS_TOO_MUCH"


def test_unknown_method_is_404(url: str) -> None:
    response = call_api(url, "sendTelepathy", chat_id=CHAT_ID)
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


def test_fail_next_answers_429_then_recovers(tg: FakeTelegram, url: str) -> None:
    tg.fail_next("sendMessage", retry_after=3)
    first = call_api(url, "sendMessage", chat_id=CHAT_ID, text="x")
    assert first.status_code == 429
    assert first.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 3",
        "parameters": {"retry_after": 3},
    }
    assert call_api(url, "sendMessage", chat_id=CHAT_ID, text="x").status_code == 200
    assert [call.status for call in tg.calls("sendMessage")] == [429, 200]


def test_get_updates_honours_offset_and_returns_early(tg: FakeTelegram, url: str) -> None:
    first, second = text_update("một"), text_update("hai")
    tg.queue_update(first)
    tg.queue_update(second)
    got = call_api(url, "getUpdates", offset=0, timeout=0).json()["result"]
    assert [u["update_id"] for u in got] == [first["update_id"], second["update_id"]]
    got = call_api(url, "getUpdates", offset=second["update_id"], timeout=0).json()["result"]
    assert [u["update_id"] for u in got] == [second["update_id"]]
    empty_poll = call_api(url, "getUpdates", offset=second["update_id"] + 1, timeout=5)
    assert empty_poll.json()["result"] == []
    assert tg.calls("getUpdates")[-1].params["timeout"] == 5


async def test_get_updates_long_poll_returns_when_an_update_arrives(
    tg: FakeTelegram, url: str
) -> None:
    tg.max_poll_wait = 5.0
    try:
        async with httpx.AsyncClient(trust_env=False) as client:
            poll = asyncio.create_task(
                client.post(f"{url}/bot{TOKEN}/getUpdates", json={"timeout": 5})
            )
            await asyncio.sleep(0.2)
            tg.queue_update(text_update("đến rồi"))
            started = time.monotonic()
            response = await poll
    finally:
        tg.max_poll_wait = 1.0
    assert time.monotonic() - started < 1.0
    assert response.json()["result"][0]["message"]["text"] == "đến rồi"


# -- real python-telegram-bot ----------------------------------------------------------------


async def test_ptb_bot_gets_me_sends_and_gets_bad_request(tg: FakeTelegram, url: str) -> None:
    async with make_bot(url) as bot:
        assert bot.username == BOT_USERNAME
        message = await bot.send_message(CHAT_ID, "<b>Xin chào</b>", parse_mode="HTML")
        assert message.text == "Xin chào"
        assert message.text_html == "<b>Xin chào</b>"
        with pytest.raises(telegram.error.BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(CHAT_ID, "<b>x</i>", parse_mode="HTML")
    await tg.await_for("sendMessage")
    assert [m.plain_text for m in tg.messages(CHAT_ID)] == ["Xin chào"]


async def test_ptb_bot_raises_retry_after(
    tg: FakeTelegram, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without it PTB 22 warns (PTBDeprecationWarning) whenever it builds a RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    tg.fail_next("sendMessage", retry_after=2)
    async with make_bot(url) as bot:
        with pytest.raises(telegram.error.RetryAfter) as caught:
            await bot.send_message(CHAT_ID, "x")
    assert caught.value.retry_after == dt.timedelta(seconds=2)


async def test_ptb_bot_uploads_and_downloads_documents(tg: FakeTelegram, url: str) -> None:
    doc = tg.add_file("file-1", "chỉ thị.txt", b"noi dung\r\n")
    async with make_bot(url) as bot:
        file = await bot.get_file(doc["file_id"])
        assert bytes(await file.download_as_bytearray()) == b"noi dung\r\n"
        await bot.send_document(CHAT_ID, b"\x00\x01\r\n", filename="kết quả.bin", caption="c")
        with pytest.raises(telegram.error.BadRequest, match="caption is too long"):
            await bot.send_document(CHAT_ID, b"x", filename="a.txt", caption="c" * 1025)
    [sent] = tg.documents(CHAT_ID)
    assert (sent.file_name, sent.data, sent.caption) == ("kết quả.bin", b"\x00\x01\r\n", "c")


async def test_builders_make_valid_updates(url: str) -> None:
    updates = [
        text_update("/start@chithi_test_bot hỏi @someone", GROUP_CHAT_ID, chat_type="group"),
        text_update("tiếp", reply_to_bot=True),
        callback_update("page:2", message_id=5),
        inline_update("cách ly"),
        photo_update(caption="ảnh"),
        sticker_update(),
        voice_update(),
        location_update(),
        document_update("file-9", "a.pdf"),
    ]
    async with make_bot(url) as bot:
        parsed = [telegram.Update.de_json(update, bot) for update in updates]
    command = parsed[0].message
    assert command is not None
    assert command.parse_entities(["bot_command"]).popitem()[1] == "/start@chithi_test_bot"
    assert command.parse_entities(["mention"]).popitem()[1] == "@someone"
    assert parsed[1].message is not None
    assert parsed[1].message.reply_to_message is not None
    assert parsed[2].callback_query is not None
    assert parsed[2].callback_query.data == "page:2"
    ids = [update["update_id"] for update in updates]
    assert ids == sorted(ids)


async def _echo(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


def _application(url: str) -> Application[Any, Any, Any, Any, Any, Any]:
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{url}/bot")
        .base_file_url(f"{url}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, _echo))
    return app


async def test_ptb_application_polls_updates(tg: FakeTelegram, url: str) -> None:
    app = _application(url)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        tg.queue_update(text_update("xin chào"))
        await tg.await_for("sendMessage", timeout=5)
        await app.updater.stop()
        await app.stop()
    assert [m.text for m in tg.messages(CHAT_ID)] == ["echo: xin chào"]


async def test_ptb_application_receives_webhook_posts(tg: FakeTelegram, url: str) -> None:
    app = _application(url)
    port = free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url=f"http://127.0.0.1:{port}/hook",
            secret_token="s3cret",
        )
        assert tg.webhook["secret_token"] == "s3cret"
        assert await tg.post_update_to_webhook(text_update("qua webhook")) == 200
        await tg.await_for("sendMessage", timeout=5)
        await app.updater.stop()
        await app.stop()
    assert [m.text for m in tg.messages(CHAT_ID)] == ["echo: qua webhook"]


# -- OpenAI ------------------------------------------------------------------------------


@pytest.fixture
def client(url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{url}/v1", api_key="sk-test", max_retries=0) as client:
        yield client


def ask(client: openai.OpenAI) -> str | None:
    completion = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "Hỏi?"}]
    )
    return completion.choices[0].message.content if completion.choices else None


def test_openai_client_reads_scripted_reply(oai: FakeOpenAI, client: openai.OpenAI) -> None:
    oai.script(reply("Trả lời 1"))
    assert ask(client) == "Trả lời 1"
    assert ask(client) == DEFAULT_REPLY
    [first, _] = oai.chat_requests
    assert first.messages == [{"role": "user", "content": "Hỏi?"}]
    assert first.headers["authorization"] == "<redacted>"


def test_openai_client_reads_a_stream(oai: FakeOpenAI, client: openai.OpenAI) -> None:
    oai.script(stream("Một hai ba bốn", chunks=4))
    chunks = client.chat.completions.create(
        model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}], stream=True
    )
    with chunks:
        pieces = [c.choices[0].delta.content for c in chunks if c.choices]
    assert "".join(p or "" for p in pieces) == "Một hai ba bốn"
    assert len([p for p in pieces if p]) == 4


def test_openai_client_raises_on_500(oai: FakeOpenAI, client: openai.OpenAI) -> None:
    oai.script(status(500), status(429, retry_after=1))
    with pytest.raises(openai.InternalServerError):
        ask(client)
    with pytest.raises(openai.RateLimitError) as caught:
        ask(client)
    assert caught.value.response.headers["retry-after"] == "1"


def test_openai_malformed_and_empty(oai: FakeOpenAI, client: openai.OpenAI) -> None:
    oai.script(malformed(), empty(), empty(no_choices=True))
    with pytest.raises(ValueError, match="Expecting value"):
        ask(client)
    assert ask(client) == ""
    assert ask(client) is None


def test_hang_times_out_the_client(oai: FakeOpenAI, url: str) -> None:
    oai.script(hang(30))
    client = openai.OpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0, timeout=0.3)
    with client, pytest.raises(openai.APITimeoutError):
        ask(client)


def test_embeddings_are_deterministic_and_normalised(
    oai: FakeOpenAI, client: openai.OpenAI
) -> None:
    result = client.embeddings.create(
        model="text-embedding-3-small", input=["cách ly tại nhà", "cách ly tại nhà", "xe buýt"]
    )
    first, again, other = (item.embedding for item in result.data)
    assert first == again
    assert len(first) == 64
    assert math.isclose(sum(v * v for v in first), 1.0, rel_tol=1e-5)
    assert first != other
    assert first == pytest.approx(embed_text("cách ly tại nhà"), rel=1e-6)


async def test_async_openai_and_langchain_accept_the_shape(oai: FakeOpenAI, url: str) -> None:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr

    oai.script(reply("từ async"), reply("từ langchain"))
    async with openai.AsyncOpenAI(base_url=f"{url}/v1", api_key="k", max_retries=0) as aclient:
        completion = await aclient.chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}]
        )
    assert completion.choices[0].message.content == "từ async"
    # ChatOpenAI's default async client is a process-wide cached one that is never closed
    # (a ResourceWarning at exit); give it one we close.
    http_client = openai.DefaultAsyncHttpxClient()
    chat = ChatOpenAI(
        model="gpt-4o-mini",
        base_url=f"{url}/v1",
        api_key=SecretStr("k"),
        max_retries=0,
        http_async_client=http_client,
    )
    try:
        answer = await chat.ainvoke("x")
    finally:
        await http_client.aclose()
    assert answer.content == "từ langchain"
