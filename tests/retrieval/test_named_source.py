"""A question that names a decree by its number is answered from that decree's articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.index import Library
from retrieval.search import SearchConfig, Searcher
from retrieval.search.searcher import named_sources
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
