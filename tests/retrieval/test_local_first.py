"""A province's own notice comes before a national law that matches about as well."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.index import Library
from retrieval.search import SearchConfig
from tests.helpers.asking import first_found
from tests.helpers.documents import hashing_library

LAW = Path(__file__).parents[1] / "data" / "legal" / "luat-03-2007-qh12.txt"
NOTICE = """TỈNH ỦY GIA LAI
Số: 12-TB/TU
THÔNG BÁO
KẾT LUẬN CỦA BAN THƯỜNG VỤ TỈNH ỦY
về phòng, chống dịch Covid-19

Ngày 02/3/2022, Ban Thường vụ Tỉnh ủy họp và kết luận như sau:

1. Người tiếp xúc gần (F1) được cách ly tại nhà khi nhà có phòng riêng, khép kín; cam kết \
không ra khỏi phòng trong 7 ngày.

2. Các huyện tiếp tục tiêm vắc xin mũi 3 cho người trên 18 tuổi.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("local")
    notice = folder / "tb-12.txt"
    notice.write_text(NOTICE, encoding="utf-8")
    library = hashing_library(folder / "index")
    results = library.ingest([LAW, notice])
    assert [r.meta.province if r.meta else None for r in results] == [None, "Gia Lai"]
    return library


def test_the_provinces_notice_leads_over_the_laws_general_clause(library: Library) -> None:
    # The law's "Hình thức cách ly bao gồm cách ly tại nhà, …" shares more of the words; the
    # province's rule is what the caller must do.
    question = "Cách ly tại nhà cần điều kiện gì?"
    assert first_found(library, question).startswith("1. Người tiếp xúc gần (F1)")
    without = first_found(library, question, SearchConfig(local_bonus=0.0))
    assert without.startswith("2. Hình thức cách ly")


def test_a_law_that_alone_answers_keeps_its_place(library: Library) -> None:
    assert first_found(library, "Hình thức cách ly gồm những gì?").startswith(
        "2. Hình thức cách ly"
    )
