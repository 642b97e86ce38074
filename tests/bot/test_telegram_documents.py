"""/vanban on a national index: the newest documents, a province's on request, one message."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from retrieval import Answerer, Library
from retrieval.types import Notice, NoticeMeta, Paragraph
from tests.bot.harness import RunningBot, buttons, started_bot
from tests.helpers.asking import ask
from tests.helpers.embedders import HashingEmbedder
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import text_update
from vectorstore import ParagraphStore

PROVINCES = ("Kiên Giang", "Lào Cai", "Cà Mau")
NOTICES = 45  # 15 a province, more than one message lists


def notice(number: int) -> Notice:
    doc_id = f"tb{number:02d}"
    meta = NoticeMeta(
        doc_id=doc_id,
        title=f"Thông báo số {number}",
        kind="Thông báo",
        date=dt.date(2021, 1, 1) + dt.timedelta(days=7 * number),
        province=PROVINCES[number % 3],
    )
    text = f"Tiếp tục cách ly tập trung người nhập cảnh trong {number} ngày."
    return Notice(meta, (Paragraph(doc_id, 0, text),), fingerprint=f"v{number}")


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Answerer]:
    store = ParagraphStore.persistent(
        str(tmp_path_factory.mktemp("national")), embedder=HashingEmbedder()
    )
    library = Library(store, lexical_dir=None)
    for number in range(NOTICES):
        library.put(notice(number))
    yield Answerer(library, hotline="1900 9095")
    store.close()


@pytest.fixture
async def national_bot(
    tg: FakeTelegram, url: str, national: Answerer, tmp_path: Path
) -> AsyncIterator[RunningBot]:
    async with started_bot(tg, url, national, tmp_path / "data") as running_bot:
        yield running_bot


async def test_the_newest_documents_are_listed_with_how_many_are_left(
    national_bot: RunningBot,
) -> None:
    [reply] = await national_bot.send(text_update("/vanban"))
    text = reply.plain_text
    assert text.startswith(f"Các văn bản đang có ({NOTICES}), mới nhất trước:")
    assert "1. Thông báo số 44" in text
    assert "20. Thông báo số 25" in text
    assert "Thông báo số 24" not in text
    assert "… và 25 văn bản cũ hơn. Gõ /vanban Tên tỉnh để xem văn bản của một tỉnh." in text
    assert len(buttons(reply)) == 20


async def test_a_province_named_or_chosen_with_tinh_narrows_the_list(
    national_bot: RunningBot,
) -> None:
    [reply] = await national_bot.send(text_update("/vanban lao cai"))
    text = reply.plain_text
    assert text.startswith("Các văn bản của Lào Cai (15), mới nhất trước:")
    assert "cũ hơn" not in text
    assert "Kiên Giang" not in text
    assert text.count("(Lào Cai, ") == 15
    await national_bot.send(text_update("/tinh Cà Mau"))
    [chosen] = await national_bot.send(text_update("/vanban"))
    assert chosen.plain_text.startswith("Các văn bản của Cà Mau (15)")


async def test_a_province_without_documents_is_named_with_those_that_have_some(
    national_bot: RunningBot,
) -> None:
    [reply] = await national_bot.send(text_update("/vanban Hà Nội"))
    assert "Chưa có văn bản nào của “Hà Nội”" in reply.plain_text
    assert "Cà Mau, Kiên Giang, Lào Cai" in reply.plain_text


def test_asking_which_documents_there_are_lists_the_newest(national: Answerer) -> None:
    everything = ask(national, "Có những văn bản nào?")
    lines = everything.text.splitlines()
    assert lines[0] == f"Hiện có {NOTICES} văn bản, mới nhất trước:"
    assert lines[1].startswith("- Thông báo số 44")
    assert lines[-1] == "… và 25 văn bản cũ hơn."
    assert len(lines) == 22
    in_province = ask(national, "Kiên Giang có những văn bản nào?").text.splitlines()
    assert in_province[0] == "Hiện có 15 văn bản của Kiên Giang, mới nhất trước:"
    assert len(in_province) == 16
