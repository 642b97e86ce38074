"""What an administrator says a file does not: a caption or options read and checked."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.notice_facts import FactError, GivenFacts, given_facts, read_caption
from retrieval import AdminFacts

FEB_1 = dt.date(2021, 2, 1)
KNOWN = {"000_95f2b98f29028119": object(), "ben-tre-cho": object()}


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        (None, GivenFacts()),
        ("ben-tre-cho", GivenFacts(doc_id="ben-tre-cho")),
        ("ngày 01/02/2021, tỉnh Gia Lai",
         GivenFacts(facts=AdminFacts(date=FEB_1, province="Gia Lai"))),
        ("ngay 1-2-2021; tinh gia lai",
         GivenFacts(facts=AdminFacts(date=FEB_1, province="Gia Lai"))),
        ("ngày 1 tháng 2 năm 2021\nthay thế ben-tre-cho",
         GivenFacts(facts=AdminFacts(date=FEB_1, supersedes="ben-tre-cho"))),
        ("ben-tre-cho, 2021-02-01", GivenFacts(doc_id="ben-tre-cho",
                                               facts=AdminFacts(date=FEB_1))),
        ("thành phố Hồ Chí Minh", GivenFacts(facts=AdminFacts(province="TP. Hồ Chí Minh"))),
    ],
)  # fmt: skip
def test_a_caption_gives_an_id_and_the_facts_to_set(
    caption: str | None, expected: GivenFacts
) -> None:
    assert read_caption(caption, KNOWN) == expected


@pytest.mark.parametrize(
    ("caption", "field"),
    [
        ("ngày 31/02/2021", "date"),
        ("ngày hôm qua", "date"),
        ("tỉnh Atlantis", "province"),
        ("thay thế khong-co-ma-nay", "supersedes"),
        ("xin chào bạn", "caption"),
        ("x" * 400, "caption"),
    ],
)
def test_a_caption_that_cannot_be_used_says_which_part(caption: str, field: str) -> None:
    with pytest.raises(FactError) as error:
        read_caption(caption, KNOWN)
    assert error.value.field == field


def test_the_facts_are_described_as_the_reply_shows_them() -> None:
    facts = given_facts(date="01/02/2021", province="gia lai", supersedes="ben-tre-cho",
                        known=KNOWN)  # fmt: skip
    assert GivenFacts(facts=facts).describe() == (
        "ngày 1/2/2021, tỉnh Gia Lai, thay thế ben-tre-cho"
    )
