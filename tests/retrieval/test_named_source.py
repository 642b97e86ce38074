"""A question that names a decree by its number is answered from that decree's articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.index import Library
from retrieval.search import SearchConfig, Searcher
from retrieval.search.naming import is_named_statute, named_sources, named_statutes
from retrieval.text import fold
from tests.helpers.documents import hashing_library

EXCERPT = Path(__file__).parents[1] / "data" / "legal" / "phong-chong-benh-truyen-nhiem-excerpt.md"


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    library = hashing_library(tmp_path_factory.mktemp("named"))
    library.ingest([EXCERPT])
    return library


def _first_source(library: Library, question: str, config: SearchConfig | None = None) -> str:
    origin = Searcher(library, config=config).search(question, k=3)[0].paragraph.origin
    assert origin is not None
    return origin.document


def test_the_decree_named_is_the_one_answered_from(library: Library) -> None:
    # Unnamed, Nghị định 104/2016's "Bộ trưởng Bộ Y tế trong phạm vi nhiệm vụ …" comes first.
    asked = "Bộ trưởng Bộ Y tế có trách nhiệm gì?"
    assert _first_source(library, asked) == "Nghị định số 104/2016/NĐ-CP"
    named = f"Theo Nghị định 101, {asked[0].lower()}{asked[1:]}"
    assert _first_source(library, named) == "Nghị định số 101/2010/NĐ-CP"
    unnudged = SearchConfig(source_bonus=0.0)
    assert _first_source(library, named, unnudged) == "Nghị định số 104/2016/NĐ-CP"


def test_a_law_named_by_its_name_is_the_one_answered_from(library: Library) -> None:
    # Unnamed, Nghị định 104/2016's "Bộ trưởng Bộ Y tế trong phạm vi …" is second.
    asked = "Theo luat phong chong benh truyen nhiem, bo truong bo y te co trach nhiem gi?"

    def sources(config: SearchConfig | None = None) -> list[str]:
        found = Searcher(library, config=config).search(asked, k=2)
        return [p.paragraph.origin.document for p in found if p.paragraph.origin]

    assert sources() == ["Luật số 03/2007/QH12"] * 2
    assert "Nghị định số 104/2016/NĐ-CP" in sources(SearchConfig(source_bonus=0.0))


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Theo Luật Phòng, chống bệnh truyền nhiễm thì …", ["phong chong benh truyen nhiem thi"]),
        ("theo phap lenh dan so moi cap vo chong", ["dan so moi cap vo chong"]),
        ("Luật số 03/2007 nói gì?", []),
        ("tu y bo viec trai luat", []),
    ],
)
def test_what_a_question_says_after_a_laws_kind(question: str, named: list[str]) -> None:
    assert named_statutes(fold(question)) == named


def test_a_statutes_name_must_be_said_whole() -> None:
    named = named_statutes(fold("Theo pháp lệnh dân số, mỗi cặp vợ chồng sinh mấy con?"))
    assert is_named_statute("Pháp lệnh số 06/2003/PL-UBTVQH11", "Dân số", named)
    assert not is_named_statute("Nghị định số 104/2003/NĐ-CP", "Dân số", named)  # not a law
    assert not is_named_statute("Luật số 21-LCT/HDNN8", "Bảo vệ sức khoẻ nhân dân", named)


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Theo Nghị định 101/2010/NĐ-CP, …", [("nghi dinh", "101", "2010")]),
        ("theo nghi dinh so 165 kham suc khoe", [("nghi dinh", "165", None)]),
        ("Mức phụ cấp theo Quyết định 73?", [("quyet dinh", "73", None)]),
        ("Thông tư liên tịch 42/2013 quy định gì?", [("thong tu lien tich", "42", "2013")]),
        ("Nghị định mới quy định gì?", []),
        ("Cách ly 14 ngày theo chỉ thị nào?", []),
    ],
)
def test_how_a_question_names_a_law_or_decree(
    question: str, named: list[tuple[str, str, str | None]]
) -> None:
    assert named_sources(fold(question)) == named


def test_a_notice_paragraph_naming_the_directive_asked_comes_first(
    bundled_library: Library,
) -> None:
    # Kiên Giang's notice puts some districts under Chỉ thị 15 and others under Chỉ thị 16;
    # the Chỉ thị 15 paragraph shares "áp dụng" with the question and led before.
    asked = "Kiên Giang giãn cách theo Chỉ thị 16 áp dụng bao lâu?"
    [first, *_] = Searcher(bundled_library).search(asked, k=3)
    assert "Chỉ thị 16/CT-TTg" in first.paragraph.text
    [unnudged, *_] = Searcher(bundled_library, config=SearchConfig(source_bonus=0.0)).search(
        asked, k=3
    )
    assert "Chỉ thị 15/CT-TTg" in unnudged.paragraph.text
