"""A question about this year's or the asker's own place's events is not answered by a law."""

from __future__ import annotations

import pytest

from retrieval.answer.answerability import Answerability
from retrieval.index import Library
from retrieval.search import Query, Searcher
from tests.helpers.documents import hashing_library

LAW = """LUẬT
KHÁM BỆNH, CHỮA BỆNH

Điều 30. Giường bệnh kế hoạch
1. Bệnh viện tuyến huyện được giao giường bệnh kế hoạch theo quy mô dân số của huyện.
2. Mức đóng bảo hiểm y tế của hộ gia đình được giảm dần từ người thứ hai.
"""

NOTICE = """THÔNG BÁO
KẾT LUẬN CỦA BAN CHỈ ĐẠO TỈNH BẾN TRE
về giường bệnh điều trị Covid-19

Ngày 07/3/2022, Ban Chỉ đạo kết luận:

1. Năm nay bệnh viện tuyến huyện được giao thêm 50 giường bệnh kế hoạch điều trị Covid-19.

T/M BAN CHỈ ĐẠO
Trần Văn Bình
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("about-now")
    (folder / "luat-kcb.txt").write_text(LAW, encoding="utf-8")
    (folder / "ben-tre.txt").write_text(NOTICE, encoding="utf-8")
    library = hashing_library(folder / "index")
    library.ingest([folder / "luat-kcb.txt", folder / "ben-tre.txt"])
    return library


def _probabilities(library: Library, question: str) -> dict[str, float]:
    """Each found paragraph's probability of answering, by whether its document has a province."""
    searcher = Searcher(library)
    scorer = Answerability(library, searcher=searcher)
    query = Query.parse(question)
    found: dict[str, float] = {}
    for passage in searcher.search(query, k=5):
        key = "notice" if passage.meta.province else "law"
        found[key] = max(found.get(key, 0.0), scorer.score(query, passage))
    return found


@pytest.mark.parametrize(
    "question",
    [
        "Bệnh viện huyện năm nay được giao bao nhiêu giường bệnh kế hoạch?",
        "benh vien huyen o tinh minh duoc giao bao nhieu giuong benh ke hoach",
    ],
)
def test_this_years_figure_is_never_a_laws_clause(library: Library, question: str) -> None:
    found = _probabilities(library, question)
    assert found["law"] == 0.0
    assert found["notice"] > 0.0  # the province's own notice may still answer it


def test_the_rule_in_force_now_is_still_the_laws(library: Library) -> None:
    # "hiện nay" asks for the rule in force, which the law states.
    found = _probabilities(
        library, "Bệnh viện huyện hiện nay được giao giường bệnh kế hoạch thế nào?"
    )
    assert found["law"] > 0.0
