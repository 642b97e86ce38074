"""A "how much" question is not answered as surely by a paragraph that states no amount."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrieval.answer.answerability import Answerability
from retrieval.index import Library
from retrieval.search import Query, Searcher
from tests.helpers.documents import hashing_library

LAW = """LUẬT
BẢO HIỂM Y TẾ

Điều 18. Cấp lại thẻ bảo hiểm y tế
1. Thẻ bảo hiểm y tế được cấp lại trong trường hợp bị mất.
2. Người được cấp lại thẻ bảo hiểm y tế phải nộp phí.

Điều 19. Đổi thẻ bảo hiểm y tế
1. Người được đổi thẻ bảo hiểm y tế phải nộp phí 20.000 đồng.

Điều 20. Hỗ trợ người cách ly
1. Người cách ly tập trung được hỗ trợ tiền ăn từ Quỹ phòng, chống dịch Covid-19.
2. Mức hỗ trợ tiền ăn cho người cách ly tập trung là 80.000 đồng một ngày.

Điều 21. Mức đóng bảo hiểm y tế
1. Mức đóng bảo hiểm y tế được xác định theo tỷ lệ phần trăm của tiền lương.
2. Mức đóng hằng tháng tối đa bằng 6% tiền lương tháng.

Điều 22. Thời hạn đổi thẻ
1. Thẻ bảo hiểm y tế được đổi trong thời hạn 7 ngày làm việc.
2. Thẻ bảo hiểm y tế được đổi tại cơ quan bảo hiểm xã hội cấp huyện trong 2 lần.

Điều 23. Khám sức khỏe cho người đổi thẻ
1. Tạm dừng khám sức khỏe cho người đổi thẻ bảo hiểm y tế.
2. Người đổi thẻ bảo hiểm y tế được khám sức khỏe tại trạm y tế xã.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("numberless")
    law = folder / "luat-bhyt.txt"
    law.write_text(LAW, encoding="utf-8")
    library = hashing_library(folder / "index")
    library.ingest([law])
    return library


def _signals(library: Library, question: str) -> dict[str, tuple[float, float, float]]:
    """Each found paragraph's numberless signal, its probability, and the probability it
    would have if it stated a number (every other signal the same)."""
    searcher = Searcher(library)
    scorer = Answerability(library, searcher=searcher)
    query = Query.parse(question)
    found = {}
    for passage in searcher.search(query, k=5):
        evidence = scorer.evidence(query, passage)
        stated = scorer.model.probability(replace(evidence, numberless=0.0))
        found[passage.paragraph.text] = (evidence.numberless, scorer.score(query, passage), stated)
    return found


def test_a_fee_without_its_amount_is_a_weaker_answer_to_how_much(library: Library) -> None:
    found = _signals(library, "Phí cấp lại thẻ bảo hiểm y tế là bao nhiêu tiền?")
    # The clause's own number ("2.") is not an amount.
    without = found["2. Người được cấp lại thẻ bảo hiểm y tế phải nộp phí."]
    with_amount = found["1. Người được đổi thẻ bảo hiểm y tế phải nộp phí 20.000 đồng."]
    assert without[0] == 1.0
    assert with_amount[0] == 0.0
    assert without[1] == 0.0 < without[2]  # an amount of money asked: only an amount answers
    assert with_amount[1] == with_amount[2]


def test_a_question_that_asks_no_amount_does_not_need_one(library: Library) -> None:
    found = _signals(library, "Cấp lại thẻ bảo hiểm y tế có phải nộp phí không?")
    assert found["2. Người được cấp lại thẻ bảo hiểm y tế phải nộp phí."][0] == 0.0


def test_a_name_with_a_number_is_no_amount(library: Library) -> None:
    # "Covid-19" holds a number; it says nothing of how much.
    found = _signals(library, "Người cách ly tập trung được hỗ trợ tiền ăn bao nhiêu tiền?")
    fund = "1. Người cách ly tập trung được hỗ trợ tiền ăn từ Quỹ phòng, chống dịch Covid-19."
    amount = "2. Mức hỗ trợ tiền ăn cho người cách ly tập trung là 80.000 đồng một ngày."
    assert found[fund][0] == 1.0
    assert found[amount][0] == 0.0


def test_a_percentage_asked_needs_a_percentage(library: Library) -> None:
    found = _signals(library, "Mức đóng bảo hiểm y tế tối đa bao nhiêu phần trăm tiền lương?")
    assert (
        found["1. Mức đóng bảo hiểm y tế được xác định theo tỷ lệ phần trăm của tiền lương."][0]
        == 1.0
    )
    assert found["2. Mức đóng hằng tháng tối đa bằng 6% tiền lương tháng."][0] == 0.0


def test_how_many_days_asked_with_may_needs_a_number_of_days(library: Library) -> None:
    found = _signals(library, "Đổi thẻ bảo hiểm y tế trong mấy ngày?")
    assert found["1. Thẻ bảo hiểm y tế được đổi trong thời hạn 7 ngày làm việc."][0] == 0.0
    # A number, but of times, not of days.
    twice = "2. Thẻ bảo hiểm y tế được đổi tại cơ quan bảo hiểm xã hội cấp huyện trong 2 lần."
    assert found[twice][0] == 1.0


def test_a_count_asked_is_answered_by_a_count_or_by_a_stop(library: Library) -> None:
    found = _signals(library, "Người đổi thẻ bảo hiểm y tế được khám sức khỏe mấy lần?")
    stopped = "1. Tạm dừng khám sức khỏe cho người đổi thẻ bảo hiểm y tế."
    where = "2. Người đổi thẻ bảo hiểm y tế được khám sức khỏe tại trạm y tế xã."
    assert found[where][0] == 1.0
    assert found[where][1] == 0.0 < found[where][2]  # on the topic, but says no count
    assert found[stopped][0] == 1.0
    assert found[stopped][1] > 0.5  # not zeroed: there is none any more


def test_which_number_and_which_day_ask_no_count_of_days(library: Library) -> None:
    # Folded, "số mấy, ngày nào?" reads "so may ngay nao": "mấy ngày" is not asked.
    from retrieval.answer.facts import asks_counted

    assert not asks_counted(Query.parse("Báo cáo đó số mấy, ngày nào?"))
    assert asks_counted(Query.parse("Báo cáo đó gửi mấy ngày?"))


@pytest.mark.parametrize(
    ("text", "stopped"),
    [
        ("Tạm dừng hoạt động các khu cách ly tập trung.", True),
        ("Dừng một số hoạt động, hội nghị không cần thiết.", True),
        # Folded, "nội dung" and "sử dụng" read "dung", as "dừng" does.
        ("Chỉ đạo triển khai thực hiện các nội dung trên.", False),
        ("Sử dụng vắc xin đúng đối tượng.", False),
    ],
)
def test_what_says_a_thing_stopped(text: str, stopped: bool) -> None:
    from retrieval.answer.facts import stops

    assert stops(text) is stopped


def test_a_count_of_cases_is_a_count_of_people() -> None:
    from retrieval.answer.facts import states, typed_pattern

    pattern = typed_pattern(Query.parse("Bệnh nhóm A có bao nhiêu ca thì công bố dịch?"))
    assert pattern is not None
    assert states(pattern, "Có ít nhất một người bệnh được chẩn đoán xác định.")
    assert states(pattern, "Ghi nhận 05 trường hợp mắc trong 14 ngày.")
    assert not states(pattern, "Trong thời gian 21 ngày.")
