"""The Zalo channel's parts without a server: settings, commands in words, the compact layout,
the reply window."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.database import Database
from bot.errors import ConfigError
from bot.settings import Settings
from bot.telegram.admin import zalo_stats_text
from bot.zalo import MAX_TEXT, SendCounts, ZaloStore
from bot.zalo.commands import Command, read_command
from bot.zalo.render import answer_text, cut_at_sentence
from retrieval import Answer, Citation

ZALO = {
    "CHITHI_ZALO_APP_ID": "123",
    "CHITHI_ZALO_APP_SECRET": "s1",
    "CHITHI_ZALO_OA_SECRET": "s2",
    "CHITHI_ZALO_REFRESH_TOKEN": "r",
}


def test_the_zalo_settings_are_all_or_none_and_secrets_stay_out_of_repr() -> None:
    assert Settings.from_env({"CHITHI_DATA_DIR": "/d"}).zalo is None
    zalo = Settings.from_env({"CHITHI_DATA_DIR": "/d", **ZALO}).zalo
    assert zalo is not None
    assert zalo.api_url == "https://openapi.zalo.me"
    assert "s1" not in repr(zalo)
    assert "s2" not in repr(zalo)
    partial = {k: v for k, v in ZALO.items() if k != "CHITHI_ZALO_OA_SECRET"}
    with pytest.raises(ConfigError, match="CHITHI_ZALO_OA_SECRET missing"):
        Settings.from_env({"CHITHI_DATA_DIR": "/d", **partial})
    with pytest.raises(ConfigError, match="CHITHI_ZALO_APP_ID='abc'"):
        Settings.from_env({"CHITHI_DATA_DIR": "/d", **ZALO, "CHITHI_ZALO_APP_ID": "abc"})
    with pytest.raises(ConfigError, match="CHITHI_PUBLIC_URL='hoidap.vn'"):
        Settings.from_env({"CHITHI_DATA_DIR": "/d", "CHITHI_PUBLIC_URL": "hoidap.vn"})


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("tỉnh Gia Lai", Command("province", "Gia Lai")),
        ("/tinh kien giang", Command("province", "kien giang")),
        ("Theo dõi Bà Rịa - Vũng Tàu", Command("follow", "Bà Rịa - Vũng Tàu")),
        ("huy theo doi Gia Lai.", Command("unfollow", "Gia Lai")),
        ("theo dõi", Command("follows")),
        ("Bỏ lọc", Command("all_provinces")),
        ("hỏi mới", Command("reset")),
        ("Hướng dẫn", Command("help")),
        ("tỉnh Kiên Giang giãn cách từ ngày nào", None),
        ("tỉnh nào?", None),
        ("5k la gi", None),
    ],
)
def test_commands_are_words_a_citizen_types(text: str, command: Command | None) -> None:
    assert read_command(text) == command


def test_a_quote_is_cut_at_a_sentence_and_stays_verbatim() -> None:
    text = "Câu một rất dài. Câu hai cũng dài; vế ba. " * 20
    cut = cut_at_sentence(text, 100)
    assert len(cut) <= 100
    assert cut.endswith((".…", ";…"))
    assert cut.removesuffix("…") in text
    assert cut_at_sentence("ngắn", 100) == "ngắn"


def test_an_answer_of_any_length_fits_one_zalo_message() -> None:
    citation = Citation(
        doc_id="d", paragraph_id="d:1", title="Thông báo", date=dt.date(2021, 9, 16),
        section="8", quote="Đoạn trích nguyên văn. " * 300, score=1.0, province="Gia Lai",
    )  # fmt: skip
    answer = Answer(
        question="q", status="answered", text="Câu trả lời. " * 300, citations=(citation,)
    )
    text = answer_text(answer, catalog={}, public_url="https://x.vn")
    assert len(text) <= MAX_TEXT
    assert "[1] Gia Lai · 16/9/2021 · mục 8\n“Đoạn trích nguyên văn." in text
    assert text.endswith("https://x.vn/?q=q")


def test_zalo_allows_eight_replies_within_48_hours_of_the_users_message(
    database: Database,
) -> None:
    store = ZaloStore(database)
    assert not store.take_reply("u")  # never wrote: nothing may be sent
    store.heard_from("u", now=1_000_000)
    assert [store.take_reply("u", now=1_000_001) for _ in range(9)] == [True] * 8 + [False]
    store.heard_from("u", now=1_000_002)  # a new message opens the window again
    assert store.take_reply("u", now=1_000_003)
    assert not store.take_reply("u", now=1_000_002 + 48 * 3600 + 1)
    assert store.counts() == store.counts(None)


def test_an_event_is_taken_once_and_a_follow_owes_no_older_alert(database: Database) -> None:
    store = ZaloStore(database)
    assert store.first_time("mac-1", keep_seconds=300)
    assert not store.first_time("mac-1", keep_seconds=300)  # a replay, here or on a replica
    assert store.follow("u", "Gia Lai", newest_alert=7)
    assert not store.follow("u", "Gia Lai", newest_alert=9)  # already followed
    assert store.follow("u", "Lai Châu", newest_alert=5)
    assert store.last_alert("u") == 7  # the mark never goes back
    assert store.claim_alerts("u", 7, 9)
    assert not store.claim_alerts("u", 7, 9)  # another replica moved it first: sent once
    assert store.follows("u") == ["Gia Lai", "Lai Châu"]


def test_thongke_counts_what_the_oa_sent_and_what_zalo_refused_by_code() -> None:
    assert zalo_stats_text(SendCounts()) == ""
    text = zalo_stats_text(SendCounts(sent=3, window_closed=1, refused=((-230, 1), (-211, 2))))
    assert "Đã gửi: 3 · Zalo từ chối: 3 (mã -230: 1, mã -211: 2)" in text
    assert "miễn phí của Zalo: 1" in text


def test_a_question_the_notices_do_not_cover_names_what_they_do_cover() -> None:
    answer = Answer(
        question="giá vàng?", status="not_found", text="Văn bản không đề cập. Gọi 1900 9095.",
        related_topics=("Giãn cách xã hội", "Tiêm vắc xin", "Cách ly", "Chợ"),
    )  # fmt: skip
    text = answer_text(answer, catalog={}, public_url="https://x.vn")
    assert text == (
        "Văn bản không đề cập. Gọi 1900 9095.\n\nCác văn bản hiện có đề cập đến:\n"
        "• Giãn cách xã hội\n• Tiêm vắc xin\n• Cách ly"
    )  # no link: the console would not answer it either
