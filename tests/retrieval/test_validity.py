"""Rules have dates: stated periods, newest first, replaced documents, undated stays undated.

Real e5 and a real index. The Lâm Đồng notices in tests/data/validity are two versions of one
province's rules: the second (1/3/2022) says in its text that it replaces the first.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_answerer, build_library
from retrieval import Answerer, Library, document_status
from retrieval.index.records import paragraph_from_row
from retrieval.text import find_period, find_replaced
from retrieval.types import Period
from tests.conftest import TEST_DATA
from tests.helpers.asking import ask

VALIDITY = TEST_DATA / "validity"
OLD, NEW = "lam-dong-2021-10-01", "lam-dong-2022-03-01"


def _answerer(library: Library, today: str) -> Answerer:
    settings = Settings.from_env({"CHITHI_DATA_DIR": "/nonexistent", "CHITHI_TODAY": today})
    return build_answerer(settings, library)


@pytest.fixture(scope="module")
def lam_dong(tmp_path_factory: pytest.TempPathFactory) -> Library:
    """An index of the two Lâm Đồng versions alone."""
    data = tmp_path_factory.mktemp("lam-dong")
    library = build_library(Settings.from_env({"CHITHI_DATA_DIR": str(data)}))
    results = library.ingest([VALIDITY / f"{OLD}.txt", VALIDITY / f"{NEW}.txt"])
    assert [r.error for r in results] == [None, None]
    return library


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Tạm dừng karaoke từ ngày 01-10-2021 đến hết ngày 15-10-2021.",
         Period(dt.date(2021, 10, 1), dt.date(2021, 10, 15))),
        ("áp dụng từ ngày 14 tháng 9 năm 2021 đến ngày 20 tháng 9 năm 2021",
         Period(dt.date(2021, 9, 14), dt.date(2021, 9, 20))),
        ("Giãn cách theo Chỉ thị 15, bắt đầu từ ngày 14-9-2021.", Period(dt.date(2021, 9, 14))),
        ("tiêm mũi 2 cho trẻ từ 5 đến dưới 12 tuổi trong Quý II/2022",
         Period(dt.date(2022, 4, 1), dt.date(2022, 6, 30))),
        ("Đeo khẩu trang nơi công cộng cho đến khi có thông báo mới.",
         Period(until_further_notice=True)),
        # A report on the past, and "TU" (Tỉnh ủy) that folds like "từ", state no period.
        ("báo cáo tình hình dịch từ ngày 28/5/2021 đến ngày 16/9/2021", None),
        ("Thông báo này thay thế Thông báo số 15-TB/TU ngày 01/10/2021.", None),
        ("Cách ly tập trung 21 ngày.", None),
    ],
)  # fmt: skip
def test_a_period_is_read_as_the_text_states_it(text: str, period: Period | None) -> None:
    assert find_period(text) == period


def test_a_period_over_before_the_notice_was_issued_is_the_past_it_reports() -> None:
    text = "số ca mắc mới trong quý I/2022 liên tục tăng cao"
    assert find_period(text) is not None
    assert find_period(text, issued=dt.date(2022, 5, 13)) is None


def test_the_documents_a_text_replaces_or_repeals_are_read_by_number() -> None:
    text = (
        "Chỉ thị này thay thế Chỉ thị số 05-CT/TU ngày 1/2/2021. Thông báo số 12/TB-TU hết "
        "hiệu lực kể từ ngày ký. Thay thế cán bộ yếu kém."
    )
    assert find_replaced(text) == ["05-CT/TU", "12/TB-TU"]


def test_an_ended_period_is_flagged_only_once_it_has_ended(bundled_library: Library) -> None:
    question = "Hòn Đất còn giãn cách theo Chỉ thị 16 không?"
    later = ask(_answerer(bundled_library, "2026-12-01"), question)
    lead = later.text.splitlines()[0]
    assert lead.startswith("Kiên Giang")
    assert "(áp dụng 14-20/9/2021, thời hạn đã qua)" in lead
    stated = next(c for c in later.citations if c.to_json()["valid_until"] == "2021-09-20")
    assert stated.to_json()["valid_from"] == "2021-09-14"
    assert stated.expired
    during = ask(_answerer(bundled_library, "2021-09-15"), question)
    assert "thời hạn đã qua" not in during.text
    assert not any(c.expired for c in during.citations)


def test_a_question_about_now_says_how_new_the_newest_notice_is(bundled_library: Library) -> None:
    answer = ask(
        _answerer(bundled_library, "2026-12-01"), "Hòn Đất còn giãn cách theo Chỉ thị 16 không?"
    )
    assert "Đây là văn bản mới nhất về nội dung này trong hệ thống (" in answer.text
    assert "1900 9095" in answer.text.splitlines()[-1]


def test_the_newest_notice_of_a_province_leads_and_the_older_is_named_as_earlier(
    lam_dong: Library,
) -> None:
    answer = ask(
        _answerer(lam_dong, "2026-12-01"), "Người từ vùng dịch về Lâm Đồng có phải cách ly không?"
    )
    lead = answer.text.splitlines()[0]
    assert lead.startswith("Lâm Đồng, thông báo số 22-TB/TU 1/3/2022: Người từ vùng dịch về")
    assert "không phải cách ly" in lead.split(";")[0]
    assert "văn bản trước đó (Lâm Đồng, thông báo số 15-TB/TU 1/10/2021)" in lead
    assert answer.citations[0].doc_id == NEW


def test_a_document_the_newer_one_says_it_replaces_is_flagged(lam_dong: Library) -> None:
    answer = ask(_answerer(lam_dong, "2026-12-01"), "Karaoke ở Lâm Đồng có được hoạt động không?")
    old = [c.to_json() for c in answer.citations if c.doc_id == OLD]
    assert old
    assert all(c["superseded_by"] == NEW for c in old)
    assert all(c["superseded_by"] is None for c in (c.to_json() for c in answer.citations)
               if c["doc_id"] == NEW)  # fmt: skip
    assert "(văn bản này đã được thay thế bởi thông báo số 22-TB/TU ngày 1/3/2022)" in answer.text
    today = dt.date(2026, 12, 1)
    assert document_status(lam_dong.catalog[OLD], lam_dong.catalog, today).startswith(
        "đã được thay thế bởi Thông báo kết luận"
    )
    assert document_status(lam_dong.catalog[NEW], lam_dong.catalog, today) == (
        "còn hiệu lực (theo các văn bản hiện có)"
    )


def test_a_sidecar_says_what_a_notice_replaces(tmp_path: Path) -> None:
    folder = tmp_path / "notices"
    folder.mkdir()
    shutil.copy(VALIDITY / f"{OLD}.txt", folder)
    newer = (VALIDITY / f"{NEW}.txt").read_text(encoding="utf-8")
    newer = newer.replace("3. Thông báo này thay thế Thông báo số 15-TB/TU ngày 01/10/2021 của "
                          "Ban Thường vụ Tỉnh ủy.\n", "")  # fmt: skip
    (folder / "moi.txt").write_text(newer, encoding="utf-8")
    library = build_library(Settings.from_env({"CHITHI_DATA_DIR": str(tmp_path / "data")}))
    library.ingest([folder])
    assert library.catalog[OLD].superseded_by is None  # nothing says so yet
    (folder / "moi.meta.json").write_text(json.dumps({"supersedes": OLD}), encoding="utf-8")
    library.ingest([folder / "moi.txt"])
    assert library.catalog[OLD].superseded_by == "moi"


def test_an_undated_notice_stays_undated(bundled_library: Library) -> None:
    answer = ask(_answerer(bundled_library, "2026-12-01"), "Phải cách ly tập trung bao nhiêu ngày?")
    undated = next(c for c in answer.citations if c.doc_id == "002_0549bf549650297a")
    assert undated.to_json()["date"] is None
    assert undated.to_json()["valid_from"] is None
    assert undated.to_json()["valid_until"] is None
    assert "Gia Lai, chỉ thị (không ghi ngày)" in answer.text


def test_an_index_made_before_periods_were_stored_reads_them_from_the_text() -> None:
    text = "Tạm dừng karaoke từ ngày 01-10-2021 đến hết ngày 15-10-2021."
    old_row = {"doc_id": "x", "position": 0, "role": "body"}
    assert paragraph_from_row(text, old_row).period == Period(
        dt.date(2021, 10, 1), dt.date(2021, 10, 15)
    )
