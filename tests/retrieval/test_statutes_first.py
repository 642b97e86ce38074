"""A law's own article comes before a decree's clause that matches about as well."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.index import Library
from retrieval.search import SearchConfig
from tests.helpers.asking import first_found
from tests.helpers.documents import hashing_library

LAW = Path(__file__).parents[1] / "data" / "legal" / "luat-03-2007-qh12.txt"
# A decree that details the law: its clause repeats the law's words, and a few more.
DECREE = """CHÍNH PHỦ
Số: 88/2011/NĐ-CP
Hà Nội, ngày 05 tháng 10 năm 2011

NGHỊ ĐỊNH
QUY ĐỊNH CHI TIẾT VIỆC CÁCH LY Y TẾ

Điều 3. Người phải cách ly y tế
1. Người tiếp xúc với tác nhân gây bệnh dịch thuộc nhóm A được cách ly y tế tại nhà hoặc tại \
cơ sở cách ly theo hướng dẫn của Bộ Y tế.
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    folder = tmp_path_factory.mktemp("statutes")
    decree = folder / "nd-88-2011.txt"
    decree.write_text(DECREE, encoding="utf-8")
    library = hashing_library(folder / "index")
    results = library.ingest([LAW, decree])
    assert [r.meta.kind if r.meta else None for r in results] == ["Luật", "Nghị định"]
    return library


def test_the_laws_article_leads_over_the_decree_that_details_it(library: Library) -> None:
    question = "Người tiếp xúc với tác nhân gây bệnh dịch nhóm A có phải cách ly y tế không?"
    assert first_found(library, question).startswith("1. Người mắc bệnh dịch")
    without = first_found(library, question, SearchConfig(statute_bonus=0.0))
    assert without.startswith("1. Người tiếp xúc với tác nhân")


def test_a_decree_that_alone_answers_keeps_its_place(library: Library) -> None:
    first = first_found(
        library, "Cách ly theo hướng dẫn của Bộ Y tế tại nhà hoặc tại cơ sở cách ly?"
    )
    assert first.startswith("1. Người tiếp xúc với tác nhân")
