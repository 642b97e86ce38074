"""Legal texts read as such: a codified topic of the Bộ Pháp điển, a Nghị định, a Luật.

tests/data/legal/SOURCE.md says where each file comes from (the codified excerpt keeps the
web copy's damage: headings glued to the sentence before them, a wrapped cross-reference, a
decree's "Nơi nhận" and form inside an article, the trailing index).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retrieval import Origin, Passage, phrasing
from retrieval.answer.compose import citation_for
from retrieval.index.records import paragraph_from_row, paragraph_metadata
from retrieval.parse import load_notice, load_notices
from retrieval.search import Query
from retrieval.types import CODIFIED_KIND, Notice, Paragraph
from tests.conftest import NOTICES, TEST_DATA

LEGAL = TEST_DATA / "legal"
CODIFIED = LEGAL / "phong-chong-benh-truyen-nhiem-excerpt.md"
LAW = "Luật số 03/2007/QH12"
LAW_NAME = "Phòng, chống bệnh truyền nhiễm"
DECREE = "Nghị định số 101/2010/NĐ-CP"


@pytest.fixture(scope="module")
def codified() -> Notice:
    return load_notice(CODIFIED)


def paragraph(notice: Notice, start: str) -> Paragraph:
    """The paragraph that starts with these words, or holds a line that does (a clause's point)."""
    return next(p for p in notice.body if p.text.startswith(start) or f"\n{start}" in p.text)


def test_a_codified_topic_is_one_document_named_by_its_page(codified: Notice) -> None:
    loaded = load_notices(CODIFIED)
    assert len(loaded.notices) == 1  # the decree's "Nơi nhận" and form inside split nothing
    meta = codified.meta
    assert meta.title == "Phòng, chống bệnh truyền nhiễm"
    assert meta.kind == CODIFIED_KIND
    # The table's "Đang cập nhật" is no value, and nothing is taken from the articles' texts.
    assert (meta.date, meta.number, meta.issuer, meta.province) == (None, None, None, None)
    assert (meta.signer, meta.recipients, meta.replaces) == (None, (), ())
    assert phrasing.doc_label(meta, paragraphs=len(codified.body)) == (
        "Phòng, chống bệnh truyền nhiễm (Bộ Pháp điển, 21 đoạn)"
    )


def test_no_paragraph_is_metadata_an_index_or_a_closing(codified: Notice) -> None:
    texts = [p.text for p in codified.paragraphs]
    assert not [t for t in texts if t.startswith(("(Điều", "(Mục", "|", "#"))]
    for marker in ("có nội dung liên quan", "có hiệu lực thi hành kể từ", "http", "Đang cập nhật",
                   "Danh sách điều khoản", "4500700000", "Nơi nhận", "Nguyễn Xuân Phúc",
                   "MẪU THÔNG BÁO", "………"):  # fmt: skip
        assert not [t for t in texts if marker in t], marker
    assert all(p.section and p.origin for p in codified.body)


@pytest.mark.parametrize(
    ("start", "section", "document", "article", "codified_number"),
    [
        ("2. Luật này áp dụng", "Điều 1, khoản 2", LAW, "Điều 1", "Điều 45.7.LQ.1"),
        ("Việc phòng, chống nhiễm vi rút", "Điều 1, khoản 1", LAW, "Điều 1", "Điều 45.7.LQ.1"),
        ("Nghị định này quy định về điều kiện bảo đảm an toàn sinh học", "Điều 1",
         "Nghị định số 103/2016/NĐ-CP", "Điều 1", "Điều 45.7.NĐ.3.1"),
        ("2. Huy động phương tiện", "Điều 48, khoản 2", LAW, "Điều 48", "Điều 45.7.LQ.48"),
        ("b) Điều động đội chống dịch", "Điều 48, khoản 3", LAW, "Điều 48",
         "Điều 45.7.LQ.48"),
        # its heading is glued to a wrapped cross-reference in the web copy
        ("1. Người mắc bệnh dịch", "Điều 49, khoản 1", LAW, "Điều 49", "Điều 45.7.LQ.49"),
        ("- Thân nhân hoặc người chịu trách nhiệm", "Điều 10, khoản 2", DECREE,
         "Điều 10", "Điều 45.7.NĐ.1.10"),
        # its heading is glued to the last clause of Điều 10
        ("a) Được thiết lập ở vị trí ít người qua lại", "Điều 11, khoản 1", DECREE,
         "Điều 11", "Điều 45.7.NĐ.1.11"),
        ("2. Bộ trưởng Bộ Y tế ban hành quy chuẩn", "Điều 11, khoản 2", DECREE, "Điều 11",
         "Điều 45.7.NĐ.1.11"),
        ("Nghị định này có hiệu lực thi hành từ ngày ký", "Điều 2",
         "Nghị định số 13/2024/NĐ-CP", "Điều 2", "Điều 45.7.NĐ.4.30"),
    ],
)  # fmt: skip
def test_each_article_is_cited_by_its_source(
    codified: Notice,
    start: str,
    section: str,
    document: str,
    article: str,
    codified_number: str,
) -> None:
    found = paragraph(codified, start)
    assert found.section == section
    assert found.origin is not None
    assert (found.origin.document, found.origin.article) == (document, article)
    assert found.origin.codified == codified_number


def test_an_article_without_a_heading_is_cited_as_its_own_article(codified: Notice) -> None:
    before = paragraph(codified, "2. Bộ trưởng Bộ Y tế ban hành quy chuẩn")
    headless = paragraph(codified, "1. Thủ tục, thẩm quyền áp dụng biện pháp cách ly y tế")
    assert headless.section == "Điều 12, khoản 1"  # not "Điều 11, khoản 1"
    assert headless.origin == Origin(DECREE, "Điều 12")
    assert headless.headings == ("Chương IV. CHỐNG DỊCH", "Mục 3. CÁC BIỆN PHÁP CHỐNG DỊCH")
    assert before.headings[-1].startswith("Điều 11. Điều kiện đối với cơ sở thực hiện")


def test_the_heading_trail_holds_the_divisions_and_the_article(codified: Notice) -> None:
    clause = paragraph(codified, "2. Huy động phương tiện")
    assert clause.headings == (
        "Chương IV. CHỐNG DỊCH",
        "Mục 3. CÁC BIỆN PHÁP CHỐNG DỊCH",
        "Điều 48. Tổ chức cấp cứu, khám bệnh, chữa bệnh",
    )
    first = paragraph(codified, "1. Luật này quy định về phòng, chống bệnh truyền nhiễm")
    assert first.headings == (
        "Chương I. NHỮNG QUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi điều chỉnh, đối tượng áp dụng",
    )


def test_a_law_is_named_by_the_first_source_line_that_names_it(codified: Notice) -> None:
    later = paragraph(codified, "2. Huy động phương tiện")  # "(Điều 48 Luật số …, có hiệu lực …)"
    assert later.origin == Origin(LAW, "Điều 48", LAW_NAME, "Điều 45.7.LQ.48")


def test_citation_labels_a_cadre_can_paste(codified: Notice) -> None:
    law = paragraph(codified, "2. Huy động phương tiện")
    decree = paragraph(codified, "1. Cơ sở thực hiện việc cách ly y tế")
    assert law.origin
    assert decree.origin
    assert phrasing.article_source(law.origin, law.section) == (
        "Luật Phòng, chống bệnh truyền nhiễm · Điều 48, khoản 2"
    )
    assert phrasing.article_source(decree.origin, decree.section) == (
        "Nghị định 101/2010/NĐ-CP · Điều 11, khoản 1"
    )
    assert phrasing.rule_source(codified.meta, origin=decree.origin) == (
        "Nghị định 101/2010/NĐ-CP, Điều 11"
    )
    # A notice's label is as it was.
    notice_label = phrasing.short_source(
        "Gia Lai", "Thông báo kết luận", None, dt.date(2021, 9, 16), "8"
    )
    assert notice_label == "Gia Lai · TB 16/9/2021 · mục 8"


def test_a_citation_carries_its_origin(codified: Notice) -> None:
    decree = paragraph(codified, "1. Cơ sở thực hiện việc cách ly y tế")
    passage = Passage(paragraph=decree, meta=codified.meta, score=1.0)
    citation = citation_for(Query.parse("điều kiện cơ sở cách ly y tế"), passage)
    assert citation is not None
    assert citation.origin == decree.origin
    assert citation.section == "Điều 11, khoản 1"
    assert "origin" not in citation.to_json()  # the JSON contract is unchanged


def test_the_origin_is_stored_with_the_paragraph_and_read_back(codified: Notice) -> None:
    decree = paragraph(codified, "1. Cơ sở thực hiện việc cách ly y tế")
    stored = {**paragraph_metadata(codified, decree), "doc_id": codified.meta.doc_id}
    assert paragraph_from_row(decree.text, stored) == decree
    notice = load_notice(NOTICES / "000_95f2b98f29028119.txt")
    notice_row = paragraph_metadata(notice, notice.body[0])
    assert not [key for key in notice_row if key.startswith("origin")]  # absent for notices
    assert paragraph_from_row(notice.body[0].text, {**notice_row, "doc_id": "x"}).origin is None


def test_a_decree_is_read_from_its_header() -> None:
    decree = load_notice(LEGAL / "nghi-dinh-101-2010.txt")
    meta = decree.meta
    assert (meta.kind, meta.number, meta.date) == (
        "Nghị định",
        "101/2010/NĐ-CP",
        dt.date(2010, 9, 30),
    )
    assert meta.issuer == "Chính phủ"  # not "Luật phòng, …" from the title's "CỦA LUẬT …"
    assert meta.province is None  # "Hà Nội, ngày …" is where it was signed
    assert meta.title.startswith("Nghị định quy định chi tiết thi hành một số điều của luật")
    assert meta.title.endswith("trong thời gian có dịch")  # the repeated "CHÍNH PHỦ" is not in it
    assert meta.signer == "Nguyễn Tấn Dũng"
    assert "Lưu: Văn thư, KGVX (5b)" in meta.recipients
    # A clause's lead-in and its points are one paragraph, cited as the clause.
    clause = paragraph(decree, "a) Được thiết lập")
    assert clause.text.startswith("1. Cơ sở")
    assert not clause.text.endswith(":")
    assert [line[:2] for line in clause.text.splitlines()[1:4]] == ["a)", "b)", "c)"]
    assert clause.section == "Điều 11, khoản 1"
    assert clause.origin is None
    assert clause.headings == (
        "Chương II. ÁP DỤNG BIỆN PHÁP CÁCH LY Y TẾ, CƯỠNG CHẾ CÁCH LY Y TẾ",
        "Điều 11. Điều kiện đối với cơ sở thực hiện việc cách ly y tế, cưỡng chế cách ly y tế",
    )
    # Prose after the points is the clause's again.
    assert paragraph(decree, "Việc bố trí cơ sở cách ly").section == "Điều 11, khoản 1"
    assert paragraph(decree, "Căn cứ Luật Tổ chức Chính phủ").section is None


def test_a_law_is_read_from_its_header_and_dated_by_its_passing() -> None:
    law = load_notice(LEGAL / "luat-03-2007-qh12.txt")
    meta = law.meta
    assert (meta.kind, meta.number, meta.issuer) == ("Luật", "03/2007/QH12", "Quốc hội")
    assert meta.title == "Luật Phòng, chống bệnh truyền nhiễm"
    assert meta.date == dt.date(2007, 11, 21)  # not the Hiến pháp's 25/12/2001 of "Căn cứ"
    assert meta.province is None
    clause = paragraph(law, "2. Hình thức cách ly")
    assert clause.section == "Điều 49, khoản 2"
    assert clause.headings == (
        "Chương IV. CHỐNG DỊCH",
        "Mục 3. CÁC BIỆN PHÁP CHỐNG DỊCH",
        "Điều 49. Tổ chức cách ly y tế",
    )


def test_a_legal_page_gives_what_its_table_states(tmp_path: Path) -> None:
    page = tmp_path / "nghi-dinh-165-2026.md"
    page.write_text(
        '---\nlayout: page\ntitle: "Nghị định 165/2026/NĐ-CP quy định chi tiết Luật Phòng bệnh"\n'
        "---\n\n> **Phương pháp crawl:** trích từ Thư viện Pháp luật.\n\n"
        "## THÔNG TIN VĂN BẢN\n\n| Mục | Nội dung |\n|---|---|\n"
        "| **Số hiệu** | 165/2026/NĐ-CP |\n| **Loại văn bản** | Nghị định |\n"
        "| **Cơ quan ban hành** | Chính phủ |\n"
        "| **Người ký** | Phạm Thị Thanh Trà - Phó Thủ tướng Chính phủ |\n"
        "| **Ngày ban hành** | 15/05/2026 |\n| **Nơi ban hành** | Hà Nội |\n"
        "| **Trạng thái** | Đang cập nhật |\n\n### Căn cứ pháp lý\n\n- Luật Phòng bệnh;\n\n---\n\n"
        "## Chương I NHỮNG QUY ĐỊNH CHUNG\n\n### Điều 1. Phạm vi\n\nđiều chỉnh\n\n"
        "Nghị định này quy định chi tiết một số điều của Luật Phòng bệnh.\n",
        encoding="utf-8",
    )
    meta = load_notice(page).meta
    assert meta.title == "Nghị định 165/2026/NĐ-CP quy định chi tiết Luật Phòng bệnh"
    assert (meta.kind, meta.number, meta.issuer) == ("Nghị định", "165/2026/NĐ-CP", "Chính phủ")
    assert (meta.date, meta.province) == (dt.date(2026, 5, 15), None)
    assert (meta.signer, meta.signer_title) == ("Phạm Thị Thanh Trà", "Phó Thủ tướng Chính phủ")
    [article] = load_notice(page).body
    assert article.section == "Điều 1"
    assert article.headings == ("Chương I. NHỮNG QUY ĐỊNH CHUNG", "Điều 1. Phạm vi điều chỉnh")


def test_a_directive_of_the_prime_minister_names_no_province(tmp_path: Path) -> None:
    directive = tmp_path / "chi-thi-15.txt"
    directive.write_text(
        "THỦ TƯỚNG CHÍNH PHỦ\n-------\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Độc lập - Tự do - Hạnh phúc\n---------------\nSố: 15/CT-TTg\n"
        "Hà Nội, ngày 27 tháng 3 năm 2020\n\nCHỈ THỊ\n"
        "VỀ QUYẾT LIỆT THỰC HIỆN ĐỢT CAO ĐIỂM PHÒNG, CHỐNG DỊCH COVID-19\n\n"
        "1. Tạm dừng các hoạt động tập trung trên 20 người tại một địa điểm.\n\n"
        "Nơi nhận:\n- Lưu: VT, KGVX (2).\n\nTHỦ TƯỚNG\n\nNguyễn Xuân Phúc\n",
        encoding="utf-8",
    )
    meta = load_notice(directive).meta
    assert (meta.kind, meta.number, meta.date) == ("Chỉ thị", "15/CT-TTg", dt.date(2020, 3, 27))
    assert (meta.issuer, meta.province) == ("Thủ tướng Chính phủ", None)
    assert meta.title == "Chỉ thị về quyết liệt thực hiện đợt cao điểm phòng, chống dịch Covid-19"
