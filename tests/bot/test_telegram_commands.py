"""Commands and buttons: /start, /help, /vanban, /tinh, /nguon, and the answer's buttons."""

from __future__ import annotations

from pathlib import Path

from bot import messages
from bot.chat_log import ChatLog
from retrieval import Answerer
from tests.bot.harness import ADMIN_ID, FIVE_K, RunningBot, buttons, started_bot
from tests.helpers.asking import ask
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.telegram_updates import DEFAULT_CHAT_ID, callback_update, text_update

NOTICES = Path(__file__).resolve().parents[2] / "data" / "notices"


async def cited_documents(bot: RunningBot, question: str) -> tuple[set[str], str]:
    """The documents an answer's "original document" buttons point to, and what it says."""
    [answer] = await bot.send(text_update(question))
    cited = {d.split(":", 1)[1] for _, d in buttons(answer) if d.startswith("d:")}
    return cited, answer.plain_text


async def test_start_welcomes_and_offers_example_questions(bot: RunningBot) -> None:
    [reply] = await bot.send(text_update("/start"))
    assert reply.plain_text.startswith("Xin chào!")
    assert "chỉ thị, thông báo phòng, chống dịch Covid-19" in reply.plain_text
    assert buttons(reply) == [(q, f"q:{n}") for n, q in enumerate(messages.EXAMPLE_QUESTIONS)]
    [answer] = await bot.send(callback_update("q:0"))
    assert answer.plain_text.startswith(FIVE_K)
    assert bot.fake.calls("answerCallbackQuery")


async def test_help_explains_commands_and_shows_admin_commands_to_admins_only(
    bot: RunningBot,
) -> None:
    [reply] = await bot.send(text_update("/help"))
    assert "/vanban" in reply.plain_text
    assert f"@{bot.username}" in reply.plain_text
    assert "1900 9095" in reply.plain_text
    assert "/xoa" not in reply.plain_text
    [admin] = await bot.send(text_update("/help", ADMIN_ID, ADMIN_ID))
    assert "/xoa" in admin.plain_text
    assert "/thongke" in admin.plain_text


async def test_command_menu_is_published_in_vietnamese(bot: RunningBot, tg: FakeTelegram) -> None:
    calls = tg.calls("setMyCommands")
    public = calls[0].params
    assert "scope" not in public
    assert [c["command"] for c in public["commands"]] == [name for name, _ in messages.COMMANDS]
    assert public["commands"][0]["description"] == "Giới thiệu và câu hỏi mẫu"
    [admin] = [c.params for c in calls if c.params.get("scope")]
    assert admin["scope"] == {"type": "chat", "chat_id": ADMIN_ID}
    assert "xoa" in [c["command"] for c in admin["commands"]]


async def test_documents_are_listed_newest_first_with_dates_and_originals(
    bot: RunningBot,
) -> None:
    [reply] = await bot.send(text_update("/vanban"))
    text = reply.plain_text
    assert text.startswith("Các văn bản đang có (5), mới nhất trước:")
    dates = ["13/5/2022", "22/11/2021", "16/9/2021", "13/9/2021", "không ghi ngày"]
    positions = [text.index(d) for d in dates]
    assert positions == sorted(positions)
    assert "1. Thông báo kết luận của đồng chí Bí thư Tỉnh ủy" in text
    assert "Lai Châu" in text
    assert "003_04a503c8cc38bcba" in text
    labels = buttons(reply)
    assert labels[0] == ("📎 1", "d:003_04a503c8cc38bcba")
    assert len(labels) == 5
    sent = await bot.send_for_document(callback_update("d:003_04a503c8cc38bcba"))
    assert sent.file_name == "003_04a503c8cc38bcba.txt"
    assert sent.data == (NOTICES / "003_04a503c8cc38bcba.txt").read_bytes()
    assert sent.caption is not None
    assert sent.caption.startswith("Thông báo kết luận")


async def test_province_restriction_applies_persists_and_clears(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        [chosen] = await bot.send(text_update("/tinh kien giang"))
        assert chosen.plain_text == messages.PROVINCE_SET.format(province="Kiên Giang")
        [unknown] = await bot.send(text_update("/tinh Hà <Nội>"))
        assert "Chưa có văn bản nào của “Hà <Nội>”" in unknown.plain_text
        assert "Gia Lai, Kiên Giang, Lai Châu, Vĩnh Phúc" in unknown.plain_text
    async with started_bot(tg, url, answerer, tmp_path) as bot:  # after a restart
        cited, text = await cited_documents(bot, "xét nghiệm diện rộng")
        assert cited == {"001_5c18a4811e1b304d"}
        assert "Đang chỉ tìm trong văn bản của Kiên Giang" in text
        [cleared] = await bot.send(text_update("/tinh"))
        assert cleared.plain_text == messages.PROVINCE_CLEARED
        [free] = await bot.send(text_update("5K là gì?"))
        assert free.plain_text.startswith(FIVE_K)
        assert "Đang chỉ tìm" not in free.plain_text


async def test_a_province_is_chosen_by_any_of_its_names_once_it_has_notices(
    tg: FakeTelegram, url: str, writable_answerer: Answerer, index_copy: Path, hcmc_notice: Path
) -> None:
    chosen = messages.PROVINCE_SET.format(province="TP. Hồ Chí Minh")
    async with started_bot(tg, url, writable_answerer, index_copy) as bot:
        [refused] = await bot.send(text_update("/tinh tphcm"))
        assert refused.plain_text.startswith("Chưa có văn bản nào của “tphcm”")
        [added] = writable_answerer.library.ingest([hcmc_notice])
        assert added.error is None
        for name in ("tphcm", "Sài Gòn", "ho chi minh"):
            [reply] = await bot.send(text_update(f"/tinh {name}"))
            assert reply.plain_text == chosen
        cited, text = await cited_documents(bot, "Quán ăn phục vụ khách đến mấy giờ?")
        assert cited == {"tphcm-quan-an"}
        assert "Đang chỉ tìm trong văn bản của TP. Hồ Chí Minh" in text
        [listing] = await bot.send(text_update("/vanban sai gon"))
        assert listing.plain_text.startswith("Các văn bản của TP. Hồ Chí Minh (1)")


async def test_source_command_shows_a_citation_in_full(bot: RunningBot, answerer: Answerer) -> None:
    [none] = await bot.send(text_update("/nguon 1"))
    assert none.plain_text == messages.SOURCE_NONE
    [usage] = await bot.send(text_update("/nguon"))
    assert usage.plain_text == messages.SOURCE_USAGE
    [answer] = await bot.send(text_update("5K là gì?"))
    [full] = await bot.send(text_update("/nguon 1"))
    assert full.plain_text.startswith("Thông báo kết luận của Thường trực Tỉnh ủy")
    assert "16/9/2021, mục 8" in full.plain_text
    assert "đẩy mạnh thông điệp 5K" in full.plain_text
    assert "blockquote" in [e["type"] for e in full.entities]
    assert buttons(full) == [("📎 Văn bản gốc", "d:000_95f2b98f29028119")]
    count = len(ask(answerer, "5K là gì?").citations)  # all of them are kept for /nguon
    [beyond] = await bot.send(text_update(f"/nguon {count + 1}"))
    assert beyond.plain_text.startswith(f"Câu trả lời gần nhất chỉ có {count} trích dẫn")


def full_paragraph_button(answerer: Answerer, question: str) -> str:
    """The data of a "full paragraph" button for an answer's first citation.

    The 5K answer's quotes are whole paragraphs, so it shows no such button; the bot still
    answers one from an older message (the button's data names the paragraph).
    """
    return f"p:{ask(answerer, question).citations[0].paragraph_id}"


async def test_answer_buttons_show_paragraph_send_original_and_take_feedback(
    bot: RunningBot, answerer: Answerer, tmp_path: Path
) -> None:
    [answer] = await bot.send(text_update("5K là gì?"))
    data = dict(buttons(answer))
    assert "📄 Xem đầy đủ [1]" not in data  # the quote is the whole paragraph
    [full] = await bot.send(callback_update(full_paragraph_button(answerer, "5K là gì?")))
    assert "đẩy mạnh thông điệp 5K" in full.plain_text
    sent = await bot.send_for_document(callback_update(data["📎 Văn bản gốc [1]"]))
    assert sent.data == (NOTICES / "000_95f2b98f29028119.txt").read_bytes()
    thanks = await bot.call(callback_update(data["👍 Hữu ích"]), "answerCallbackQuery")
    assert thanks.params["text"] == messages.FEEDBACK_THANKS
    await bot.settled()  # the vote is stored after the thanks
    stats = ChatLog(tmp_path / "data" / "questions.sqlite3").stats()
    assert (stats.asked, stats.answered, stats.helpful, stats.unhelpful) == (1, 1, 1, 0)


async def test_buttons_keep_working_after_a_restart(
    tg: FakeTelegram, url: str, answerer: Answerer, tmp_path: Path
) -> None:
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        [answer] = await bot.send(text_update("5K là gì?"))
    data = dict(buttons(answer))
    async with started_bot(tg, url, answerer, tmp_path) as bot:
        [full] = await bot.send(callback_update(full_paragraph_button(answerer, "5K là gì?")))
        assert "đẩy mạnh thông điệp 5K" in full.plain_text
        await bot.call(callback_update(data["👎 Chưa đúng"]), "answerCallbackQuery")
    assert ChatLog(tmp_path / "questions.sqlite3").stats().unhelpful == 1


async def test_unknown_or_stale_buttons_are_answered_politely(bot: RunningBot) -> None:
    stale = await bot.call(callback_update("x:whatever"), "answerCallbackQuery")
    assert stale.params["text"] == messages.BUTTON_EXPIRED
    [gone] = await bot.send(callback_update("p:no-such-doc:3"))
    assert gone.plain_text == messages.PARAGRAPH_GONE
    [missing] = await bot.send(callback_update("d:no-such-doc"))
    assert missing.plain_text == messages.DOCUMENT_GONE
    assert bot.fake.messages(DEFAULT_CHAT_ID)
