"""The parser on the real notices: structure, repairs, metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from retrieval import Origin, load_notice
from retrieval.parse import load_notices
from tests.conftest import NOTICES, TEST_DATA

# The codified law (Bộ Pháp điển 45.7), a second document shape: see its SOURCE.md.
EXTERNAL = TEST_DATA / "phapdien-phong-chong-benh-truyen-nhiem"


def notice(stem: str):
    return load_notice(NOTICES / f"{stem}.txt")


def body_texts(stem: str) -> list[str]:
    return [p.text for p in notice(stem).body]


@pytest.mark.parametrize(
    ("stem", "date", "signer", "kind"),
    [
        ("000_95f2b98f29028119", dt.date(2021, 9, 16), "Nguyễn Như Trình", "Thông báo kết luận"),
        ("001_5c18a4811e1b304d", dt.date(2021, 9, 13), "Mai Văn Huỳnh", "Thông báo kết luận"),
        ("002_0549bf549650297a", None, None, "Chỉ thị"),
        ("003_04a503c8cc38bcba", dt.date(2022, 5, 13), "Đào Bích Vân", "Thông báo kết luận"),
        ("004_fba22be130b6add7", dt.date(2021, 11, 22), "Trần Việt Cường", "Thông báo ý kiến"),
    ],
)
def test_notice_metadata(stem: str, date: dt.date | None, signer: str | None, kind: str) -> None:
    meta = notice(stem).meta
    assert meta.date == date
    assert meta.signer == signer
    assert meta.kind == kind
    assert meta.doc_id == stem


def test_dates_are_read_from_the_text_without_a_sidecar(tmp_path: Path) -> None:
    for stem, expected in [
        ("000_95f2b98f29028119", dt.date(2021, 9, 16)),  # "Chiều ngày 16 tháng 9 năm 2021"
        ("001_5c18a4811e1b304d", dt.date(2021, 9, 13)),  # "Ngày 13-9-2021"
        ("003_04a503c8cc38bcba", dt.date(2022, 5, 13)),  # "Ngày 13/5/2022"
    ]:
        bare = tmp_path / f"{stem}.txt"
        bare.write_bytes((NOTICES / f"{stem}.txt").read_bytes())
        parsed = load_notice(bare)
        assert parsed.meta.date == expected
        assert parsed.meta.signer  # read from the signature block, not the sidecar


def test_split_number_at_line_end_is_rejoined() -> None:
    texts = body_texts("000_95f2b98f29028119")
    assert any("Quyết định số 2686/QĐ-BCĐQG, ngày 31 tháng 5 năm 2021" in t for t in texts)


def test_hard_wrapped_double_spaced_lines_become_whole_paragraphs() -> None:
    texts = body_texts("000_95f2b98f29028119")
    section_3 = next(t for t in texts if t.startswith("3. "))
    assert section_3.endswith("người dân là “chiến sỹ” trong phòng, chống dịch.")
    assert "\n" not in section_3


def test_paragraph_broken_by_a_blank_line_mid_sentence_is_rejoined() -> None:
    assert any("Rạch Giá, Hà Tiên, Châu Thành" in t for t in body_texts("001_5c18a4811e1b304d"))


def test_markdown_marks_and_stray_word_are_removed() -> None:
    texts = body_texts("001_5c18a4811e1b304d")
    assert texts[-1].endswith("các cấp biết, thực hiện.")
    assert not any("*" in t or "nah" in t for t in texts)
    assert any("“chống dịch như chống giặc”" in t for t in body_texts("002_0549bf549650297a"))


def test_no_recipients_or_signature_text_in_any_body_paragraph() -> None:
    for path in NOTICES.glob("*.txt"):
        parsed = load_notice(path)
        for p in parsed.body:
            assert "Nơi nhận" not in p.text
            assert "Lưu VPTU" not in p.text
            assert "Lưu Văn phòng" not in p.text
            if parsed.meta.signer:
                assert parsed.meta.signer not in p.text
        assert parsed.meta.recipients or parsed.meta.doc_id.startswith("002")


def test_sections_bullets_and_heading_trail() -> None:
    parsed = notice("001_5c18a4811e1b304d")
    bullet = next(p for p in parsed.body if "U Minh Thượng, An Minh" in p.text)
    assert bullet.section == "2.1"
    assert bullet.headings[-1] == "2.1. Đối với biện pháp phòng, chống dịch bệnh"
    assert bullet.headings[0].startswith("2. Trước tình hình trên")
    intro = parsed.body[0]
    assert intro.section is None
    assert intro.text.startswith("Ngày 13-9-2021")


def test_each_paragraph_keeps_its_exact_text_and_position() -> None:
    parsed = notice("004_fba22be130b6add7")
    positions = [p.position for p in parsed.paragraphs]
    assert positions == list(range(len(parsed.paragraphs)))
    assert {p.id for p in parsed.paragraphs} == {f"{parsed.meta.doc_id}:{i}" for i in positions}
    assert any(
        p.text == "- Tăng cường năng lực y tế cơ sở, năng lực y tế dự phòng. Tổ chức tập huấn "
        "cho toàn bộ cán bộ, nhân viên y tế cơ sở để nắm vững chuyên môn, tham gia điều trị, chăm "
        "sóc người dân ngay tại nhà, tại Trạm y tế xã, trạm y tế lưu động. Có kế hoạch, phương án "
        "chuẩn bị bảo đảm các loại thuốc điều trị, thuốc kháng virus điều trị sớm cho F0."
        for p in parsed.body
    )


def test_metadata_records_hold_header_recipients_and_signature() -> None:
    parsed = notice("001_5c18a4811e1b304d")
    roles = {p.role: p.text for p in parsed.paragraphs if p.role != "body"}
    assert "về tiếp tục chỉ đạo công tác phòng, chống dịch bệnh Covid-19" in roles["title"]
    assert "TT Chỉ huy PCDB Covid-19 tỉnh" in roles["recipients"]
    assert roles["signature"].endswith("Mai Văn Huỳnh")


def test_legal_code_articles_come_out_as_sections() -> None:
    loaded = load_notices(EXTERNAL / "phong-chong-benh-truyen-nhiem.md")
    assert len(loaded.notices) == 1  # its quoted "Nơi nhận" blocks split nothing
    parsed = loaded.notices[0]
    articles = {(p.origin.document, p.origin.article) for p in parsed.body if p.origin}
    assert len(articles) > 300
    assert all(p.origin and p.section for p in parsed.body)
    clause = next(p for p in parsed.body if p.section == "Điều 1, khoản 2")
    assert clause.text.startswith("2. Luật này áp dụng đối với cơ quan, tổ chức, cá nhân")
    assert clause.origin == Origin(
        "Luật số 03/2007/QH12", "Điều 1", "Phòng, chống bệnh truyền nhiễm", "Điều 45.7.LQ.1"
    )
    assert clause.headings == (
        "Chương I. NHỮNG QUY ĐỊNH CHUNG",
        "Điều 1. Phạm vi điều chỉnh, đối tượng áp dụng",
    )
    # Articles glued to the previous sentence in the web copy are still articles of their own.
    codified = {p.origin.codified for p in parsed.body if p.origin}
    assert {"Điều 45.7.LQ.19", "Điều 45.7.NĐ.1.11", "Điều 45.7.TT.20.12"} <= codified
    assert parsed.meta.title == "Phòng, chống bệnh truyền nhiễm"
    assert not any(t.startswith(("|", "(Điều")) for t in (p.text for p in parsed.body))


def test_the_quarantine_facility_conditions_are_cited_as_their_own_article() -> None:
    parsed = load_notice(EXTERNAL / "phong-chong-benh-truyen-nhiem.md")
    condition = next(p for p in parsed.body if p.text.startswith("1. Cơ sở thực hiện việc cách ly"))
    assert condition.section == "Điều 11, khoản 1"
    assert condition.origin is not None
    assert condition.origin.document == "Nghị định số 101/2010/NĐ-CP"
    assert condition.headings[-1] == (
        "Điều 11. Điều kiện đối với cơ sở thực hiện việc cách ly y tế, cưỡng chế cách ly y tế"
    )
