"""Administrators: upload, replace and remove notices; statistics and CSV export. Others: no."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from tests.bot.harness import ADMIN_ID, FIVE_K, RunningBot, buttons
from tests.helpers.documents import mobile_vaccination_notice, mobile_vaccination_paragraph
from tests.helpers.fake_telegram import FakeTelegram
from tests.helpers.system_tools import require_programs
from tests.helpers.telegram_updates import (
    GROUP_CHAT_ID,
    callback_update,
    document_update,
    text_update,
)

MARKET = """THÔNG BÁO
KẾT LUẬN CỦA BAN CHỈ ĐẠO PHÒNG, CHỐNG DỊCH TỈNH BẾN TRE
về phòng, chống dịch Covid-19 tại chợ đầu mối

Ngày 05/3/2022, Ban Chỉ đạo họp và kết luận như sau:

1. Chợ đầu mối Bình Điền mở cửa từ 4 giờ đến 10 giờ sáng; người bán phải có thẻ xanh Covid \
và xét nghiệm nhanh 7 ngày một lần.

2. Tiểu thương vi phạm quy định <5K> & không đeo khẩu trang tại chợ sẽ bị xử phạt theo \
*Nghị định 117* và _Quyết định 2686_.

T/M BAN CHỈ ĐẠO
TRƯỞNG BAN

Trần Văn Bình
"""
LONG_PARAGRAPH = mobile_vaccination_paragraph(30)
MOBILE = mobile_vaccination_notice(LONG_PARAGRAPH)


def upload(
    tg: FakeTelegram, name: str, data: bytes, user_id: int = ADMIN_ID, **kwargs: Any
) -> dict[str, Any]:
    doc = tg.add_file(f"file-{name}-{len(data)}", name, data)
    return document_update(
        doc["file_id"], doc["file_name"], user_id, user_id, mime_type=doc["mime_type"],
        file_size=len(data), **kwargs,
    )  # fmt: skip


async def send_upload(bot: RunningBot, update: dict[str, Any]) -> str:
    """The admin's upload, and the bot's status message once it has been edited."""
    edits = len(bot.fake.calls("editMessageText"))
    [status] = await bot.send(update)
    await bot.fake.await_for("editMessageText", count=edits + 1, timeout=60)
    [edited] = [m for m in bot.fake.messages(ADMIN_ID) if m.message_id == status.message_id]
    return edited.plain_text


async def test_admin_adds_a_notice_users_get_quotes_from_it_and_admin_removes_it(
    admin_bot: RunningBot, tg: FakeTelegram, index_copy: Path
) -> None:
    bot = admin_bot
    data = MARKET.encode()
    added = await send_upload(bot, upload(tg, "ben-tre-cho.txt", data))
    assert added.startswith("✅ Đã thêm văn bản:")
    assert "Thông báo kết luận của Ban Chỉ đạo phòng, chống dịch tỉnh" in added
    assert "Ngày: 5/3/2022" in added
    assert "Số đoạn: 3" in added
    assert added.endswith("Mã: ben-tre-cho")

    [answer] = await bot.send(text_update("Tiểu thương không đeo khẩu trang ở chợ bị xử lý sao?"))
    assert "\n\n[1] Bến Tre · " in answer.plain_text
    assert "Thông báo kết luận của Ban Chỉ đạo phòng, chống dịch tỉnh" in answer.plain_text
    assert "quy định <5K> & không đeo khẩu trang tại chợ" in answer.plain_text
    original = await bot.send_for_document(callback_update(dict(buttons(answer))[
        "📎 Văn bản gốc [1]"]))  # fmt: skip
    assert (original.file_name, original.data) == ("ben-tre-cho.txt", data)
    [listing] = await bot.send(text_update("/vanban"))
    assert listing.plain_text.startswith("Các văn bản đang có (6)")

    again = await send_upload(bot, upload(tg, "ben-tre-cho.txt", data))
    assert again.startswith(messages.UPLOAD_UNCHANGED)

    [removed] = await bot.send(text_update("/xoa ben-tre-cho", ADMIN_ID, ADMIN_ID))
    assert removed.plain_text.startswith("🗑 Đã xóa văn bản:")
    assert not (index_copy / "uploads" / "ben-tre-cho").exists()
    [unknown] = await bot.send(text_update("/xoa ben-tre-cho", ADMIN_ID, ADMIN_ID))
    assert unknown.plain_text.startswith("Không có văn bản mã “ben-tre-cho”")
    [listing] = await bot.send(text_update("/vanban"))
    assert listing.plain_text.startswith("Các văn bản đang có (5)")


async def test_upload_with_the_same_id_replaces_the_document(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    bot = admin_bot
    first = await send_upload(bot, upload(tg, "ben-tre-cho.txt", MARKET.encode()))
    assert first.startswith(messages.UPLOAD_ADDED)
    changed = MARKET.replace("10 giờ sáng", "11 giờ trưa").encode()
    replaced = await send_upload(bot, upload(tg, "cho-moi.txt", changed, caption="ben-tre-cho"))
    assert replaced.startswith(messages.UPLOAD_REPLACED)
    assert replaced.endswith("Mã: ben-tre-cho")
    [answer] = await bot.send(text_update("Chợ đầu mối Bình Điền mở cửa mấy giờ?"))
    assert "11 giờ trưa" in answer.plain_text
    assert "10 giờ sáng" not in answer.plain_text


async def test_a_paragraph_longer_than_a_message_is_sent_in_parts(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    bot = admin_bot
    added = await send_upload(bot, upload(tg, "tiem-luu-dong.txt", MOBILE.encode()))
    assert added.startswith(messages.UPLOAD_ADDED)
    [answer] = await bot.send(text_update("Tổ tiêm lưu động xã Phú Mỹ tiêm cho ai?"))
    full_button = dict(buttons(answer))["📄 Xem đầy đủ [1]"]
    assert full_button == "p:tiem-luu-dong:1"
    parts = await bot.send(callback_update(full_button), replies=2)
    assert all(len(p.plain_text) <= 4096 for p in parts)
    assert parts[0].plain_text.startswith("Thông báo kết luận của Ban Chỉ đạo tỉnh")
    assert parts[0].reply_markup is None
    assert buttons(parts[1]) == [("📎 Văn bản gốc", "d:tiem-luu-dong")]
    heading, first = parts[0].plain_text.split("\n", 1)
    assert f"{first.strip()} {parts[1].plain_text.strip()}" == f"1. {LONG_PARAGRAPH}"


@pytest.mark.parametrize(
    ("name", "data", "caption", "expected"),
    [
        ("chi-thi.pdf", b"%PDF-1.4 this is not really a pdf", None, "❌ Không đọc được tệp"),
        ("chi-thi.docx", b"PK\x03\x04 broken zip", None, "❌ Không đọc được tệp"),
        ("trong.txt", b"\n\n  \n", None, "❌ Tệp trong.txt không có nội dung"),
        ("anh.jpg", b"\xff\xd8\xff", None, "❌ Không đọc được tệp"),
        ("bang-tinh.xlsx", b"PK\x03\x04", None, "❌ Không nhận loại tệp .xlsx"),
        ("ok.txt", MARKET.encode(), "mã có dấu", "❌ Chưa hiểu chú thích “mã có dấu”"),
        ("ok.txt", MARKET.encode(), "ngày 31/02/2021", "❌ “31/02/2021” không phải là ngày"),
        ("ok.txt", MARKET.encode(), "tỉnh Xyz", "❌ Không biết tỉnh “Xyz”"),
        ("ok.txt", MARKET.encode(), "thay thế khong-co", "❌ Không có văn bản mã “khong-co”"),
    ],
)
async def test_broken_or_wrong_files_get_a_clear_error_and_change_nothing(
    admin_bot: RunningBot, tg: FakeTelegram, name: str, data: bytes, caption: str | None,
    expected: str,
) -> None:  # fmt: skip
    update = upload(tg, name, data, caption=caption)
    if expected.startswith("❌ Không đọc") or expected.startswith("❌ Tệp"):
        text = await send_upload(admin_bot, update)
    else:
        [reply] = await admin_bot.send(update)
        text = reply.plain_text
        assert not tg.calls("getFile")
    assert text.startswith(expected)
    [listing] = await admin_bot.send(text_update("/vanban"))
    assert listing.plain_text.startswith("Các văn bản đang có (5)")


async def test_files_from_non_admins_are_refused_and_not_ingested(
    bot: RunningBot, tg: FakeTelegram
) -> None:
    [reply] = await bot.send(upload(tg, "ben-tre-cho.txt", MARKET.encode(), user_id=1001))
    assert reply.plain_text == messages.UPLOAD_NOT_ALLOWED
    assert not tg.calls("getFile")
    [listing] = await bot.send(text_update("/vanban"))
    assert listing.plain_text.startswith("Các văn bản đang có (5)")


@pytest.mark.parametrize("command", ["/xoa 000_95f2b98f29028119", "/thongke", "/xuatcsv"])
async def test_admin_commands_are_refused_to_others_and_in_groups(
    bot: RunningBot, command: str
) -> None:
    [refused] = await bot.send(text_update(command))
    assert refused.plain_text == messages.ADMIN_ONLY
    group = text_update(command, GROUP_CHAT_ID, ADMIN_ID, chat_type="supergroup")
    [private_only] = await bot.send(group)
    assert private_only.plain_text == messages.ADMIN_PRIVATE_ONLY
    [listing] = await bot.send(text_update("/vanban"))
    assert listing.plain_text.startswith("Các văn bản đang có (5)")


async def test_statistics_and_csv_export_of_the_question_log(bot: RunningBot) -> None:
    [answer] = await bot.send(text_update("5K là gì?"))
    await bot.call(callback_update(dict(buttons(answer))["👍 Hữu ích"]), "answerCallbackQuery")
    for spelling in ["Giá vàng hôm nay?", "gia vang hom nay", "Xổ số miền Nam?"]:
        await bot.send(text_update(spelling, 1002, 1002))
    [summary, gaps] = await bot.send(text_update("/thongke", ADMIN_ID, ADMIN_ID), replies=2)
    assert summary.plain_text.splitlines() == [
        "Thống kê câu hỏi trong 7 ngày qua", "Câu hỏi: 4", "Đã trả lời: 1",
        "Văn bản không đề cập: 3", "Ngoài phạm vi: 0", "Góp ý: 👍 1 · 👎 0",
    ]  # fmt: skip
    lines = gaps.plain_text.splitlines()
    assert lines[0] == messages.STATS_GAPS
    assert lines[1].endswith("— 2 lần")
    assert lines[2] == "2. Xổ số miền Nam? — 1 lần"
    [usage] = await bot.send(text_update("/thongke hôm qua", ADMIN_ID, ADMIN_ID))
    assert usage.plain_text == messages.STATS_USAGE

    sent = await bot.send_for_document(text_update("/xuatcsv", ADMIN_ID, ADMIN_ID))
    assert sent.file_name.startswith("chithi-cau-hoi-")
    assert sent.file_name.endswith(".csv")
    assert sent.caption == "Nhật ký câu hỏi từ trước đến nay: 4 dòng."
    rows = list(csv.DictReader(io.StringIO(sent.data.decode("utf-8-sig"))))
    assert [r["question"] for r in rows] == [
        "5K là gì?", "Giá vàng hôm nay?", "gia vang hom nay", "Xổ số miền Nam?",
    ]  # fmt: skip
    assert rows[0]["status"] == "answered"
    assert rows[0]["helpful"] == "1"
    assert rows[0]["citations"].startswith("000_95f2b98f29028119:")
    assert {r["user_id"] for r in rows} == {"1001", "1002"}
    assert "tester" not in sent.data.decode("utf-8-sig")  # ids only, never names
    assert answer.plain_text.startswith(FIVE_K)


async def test_an_uploaded_scan_is_read_by_ocr_and_the_reply_says_so(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    require_programs("tesseract", "pdftoppm")
    scan = Path(__file__).resolve().parents[1] / "data" / "readers" / "scanned_notice.pdf"
    text = await send_upload(admin_bot, upload(tg, "ban-quet.pdf", scan.read_bytes()))
    assert text.startswith(messages.UPLOAD_ADDED)
    assert "Đã đọc: PDF quét (OCR), nhận dạng chữ (OCR) 1 trang" in text


async def test_a_different_notice_under_a_taken_name_is_not_replaced_without_the_id_caption(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    first = await send_upload(admin_bot, upload(tg, "thong-bao.txt", MARKET.encode()))
    assert first.startswith(messages.UPLOAD_ADDED)
    other = MARKET.replace("05/3/2022", "20/4/2022").replace("Bến Tre", "Long An")
    refused = await send_upload(admin_bot, upload(tg, "thong-bao.txt", other.encode()))
    assert refused.startswith("⚠️ Chưa thêm tệp thong-bao.txt")
    assert "thong-bao" in refused
    [listing] = await admin_bot.send(text_update("/vanban"))
    assert "Bến Tre" in listing.plain_text
    assert "Long An" not in listing.plain_text
    replaced = await send_upload(
        admin_bot, upload(tg, "thong-bao.txt", other.encode(), caption="thong-bao")
    )
    assert replaced.startswith(messages.UPLOAD_REPLACED)


UNDATED = """THÔNG BÁO
KẾT LUẬN CỦA BAN CHỈ ĐẠO
về hoạt động của chợ

1. Chợ Lớn mở cửa từ 5 giờ đến 11 giờ sáng; người bán đeo khẩu trang.

2. Ban quản lý chợ bố trí lối vào riêng, đo thân nhiệt người mua.
"""


async def test_a_caption_sets_the_date_and_province_a_file_does_not_state(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    caption = "ngày 01/02/2021, tỉnh Gia Lai, thay thế 000_95f2b98f29028119"
    reply = await send_upload(admin_bot, upload(tg, "cho-lon.txt", UNDATED.encode(),
                                                caption=caption))  # fmt: skip
    assert reply.startswith(messages.UPLOAD_ADDED)
    assert "Ngày: 1/2/2021" in reply
    assert reply.endswith(
        "Đã ghi theo chú thích: ngày 1/2/2021, tỉnh Gia Lai, thay thế 000_95f2b98f29028119."
    )
    [listing] = await admin_bot.send(text_update("/vanban gia lai"))
    assert "Thông báo kết luận của Ban Chỉ đạo về hoạt động của chợ (Gia Lai, 1/2/2021" in (
        listing.plain_text
    )
    assert "đã được thay thế bởi Thông báo kết luận của Ban Chỉ đạo về hoạt động của chợ" in (
        listing.plain_text
    )


async def test_a_copy_under_another_name_is_reported_and_a_nameless_txt_is_read(
    admin_bot: RunningBot, tg: FakeTelegram
) -> None:
    bot = admin_bot
    data = MARKET.encode()
    assert (await send_upload(bot, upload(tg, "ben-tre-cho.txt", data))).startswith(
        messages.UPLOAD_ADDED
    )
    copy = await send_upload(bot, upload(tg, "ban sao.txt", data))
    assert copy.startswith(messages.UPLOAD_DUPLICATE.format(name="ban sao.txt"))
    assert copy.endswith("Mã: ben-tre-cho")
    [listing] = await bot.send(text_update("/vanban"))
    assert listing.plain_text.startswith("Các văn bản đang có (6)")  # not a seventh
    nameless = await send_upload(bot, upload(tg, ".txt", MOBILE.encode()))
    assert nameless.startswith(messages.UPLOAD_ADDED)
    assert nameless.endswith("Mã: document")
