"""Rebuild the fixtures of tests/retrieval/test_legacy_and_docx.py (the outputs are committed).

    .venv/bin/python -m tests.data.legacy.make_fixtures

- notice_utf8.txt: the first 40 lines of bundled notice 001, the Unicode original;
  notice_tcvn3.txt, notice_vni.txt, notice_cp1258.txt, notice_utf16le.txt (no BOM): the same
  text in the old encodings; notice_tcvn3_as_utf8.txt: TCVN3 bytes opened as Windows-1252 and
  saved as UTF-8 (the mojibake that then travels as "Unicode").
- template.docx: the administrative template, header and signature in two-column tables.
- vntime.docx: TCVN3 text in .VnTime runs, a .VnTimeH heading, a paragraph style in .VnTime;
  then Unicode text, a run in Word's "All caps" and a hidden run.
- vni.docx: VNI text, the VNI-Times font set only in the document defaults.
- mojibake.docx: TCVN3 text in Times New Roman (the font changed, the text not converted).
- one_table.docx: a whole notice inside one table, its header in a table nested in a cell.
- numbered.docx: Word's automatic numbering ("1.", "2.", bullets) instead of typed markers.
- truncated.docx, bad_xml.docx, billion_laughs.docx: damaged files.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.shared import Pt

from retrieval.parse.legacy import encode_legacy

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2] / "data" / "notices" / "001_5c18a4811e1b304d.txt"

ISSUER = ["TỈNH ỦY KIÊN GIANG", "*", "Số 12-TB/TU"]
MOTTO = ["ĐẢNG CỘNG SẢN VIỆT NAM", "Kiên Giang, ngày 14 tháng 9 năm 2021"]
TITLE = [
    "THÔNG BÁO",
    "KẾT LUẬN CỦA BAN THƯỜNG VỤ TỈNH ỦY",
    "về tiếp tục chỉ đạo công tác phòng, chống dịch bệnh Covid-19 trên địa bàn tỉnh",
]
BODY = [
    "Ngày 13-9-2021, Ban Thường vụ Tỉnh ủy tổ chức cuộc họp để nghe báo cáo và cho ý kiến về "
    "công tác phòng, chống dịch bệnh Covid-19 trên địa bàn tỉnh. Đồng chí Bí thư Tỉnh ủy kết "
    "luận như sau:",
    "1. Trong 7 ngày qua, công tác phòng, chống dịch bệnh Covid-19 tiếp tục đạt được kết quả "
    "tích cực; có 8/15 huyện, thành phố số ca dương tính giảm so với 07 ngày trước.",
    "2. Trước tình hình trên, Ban Thường vụ Tỉnh ủy yêu cầu các cấp, các ngành tập trung thực "
    "hiện tốt một số công việc sau:",
    "- Áp dụng giãn cách xã hội theo Chỉ thị 15/CT-TTg đối với 9 huyện, thành phố, bắt đầu từ "
    "ngày 14-9-2021.",
    "- Tiếp tục giãn cách xã hội theo Chỉ thị 16/CT-TTg đối với 6 huyện, thành phố đến hết ngày "
    "20-9-2021.",
    "Ban Thường vụ Tỉnh ủy thông báo đến các cấp ủy, tổ chức đảng, chính quyền biết, thực hiện.",
]
RECIPIENTS = ["Nơi nhận:", "- Các đ/c Tỉnh ủy viên,", "- Các huyện, thành ủy,", "- Lưu VPTU."]
SIGNATURE = ["T/M BAN THƯỜNG VỤ", "PHÓ BÍ THƯ THƯỜNG TRỰC", "", "Mai Văn Huỳnh"]
SIGNER = "Mai Văn Huỳnh"

# A short TCVN3 notice: a heading typed in .VnTimeH, body in .VnTime.
LEGACY_HEADING = "THÔNG BÁO KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY"
LEGACY_BODY = [
    "Ngày 16 tháng 9 năm 2021, Thường trực Tỉnh ủy tổ chức Hội nghị trực tuyến toàn tỉnh về "
    "công tác phòng, chống dịch Covid-19.",
    "Các cấp ủy, chính quyền tiếp tục thực hiện nghiêm việc giãn cách xã hội, không để dịch lây "
    "lan ra cộng đồng; người dân ở đâu ở đó.",
]


def original_text() -> str:
    """The first 40 lines of the bundled notice, NFC."""
    import unicodedata

    lines = SOURCE.read_text(encoding="utf-8").splitlines(keepends=True)[:40]
    return unicodedata.normalize("NFC", "".join(lines))


def as_font_text(text: str, encoding: str) -> str:
    """What Word shows (and python-docx returns) for legacy bytes: Windows-1252 characters."""
    return encode_legacy(text, encoding).decode("cp1252")


def write_text_fixtures() -> None:
    text = original_text()
    (HERE / "notice_utf8.txt").write_bytes(text.encode("utf-8"))
    for encoding in ("tcvn3", "vni", "cp1258"):
        (HERE / f"notice_{encoding}.txt").write_bytes(encode_legacy(text, encoding))
    (HERE / "notice_utf16le.txt").write_bytes(text.encode("utf-16-le"))
    mojibake = as_font_text(text, "tcvn3").encode("utf-8")
    (HERE / "notice_tcvn3_as_utf8.txt").write_bytes(mojibake)


def _cell_lines(cell: Any, lines: list[str]) -> None:
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _two_columns(container: Any, left: list[str], right: list[str]) -> None:
    table = container.add_table(rows=1, cols=2)
    _cell_lines(table.cell(0, 0), left)
    _cell_lines(table.cell(0, 1), right)


def write_template() -> None:
    document = docx.Document()
    _two_columns(document, ISSUER, MOTTO)
    for line in TITLE + BODY:
        document.add_paragraph(line)
    _two_columns(document, RECIPIENTS, SIGNATURE)
    document.save(str(HERE / "template.docx"))


def write_one_table() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=1)
    header = table.cell(0, 0)
    nested = header.add_table(rows=1, cols=2)
    _cell_lines(nested.cell(0, 0), ISSUER)
    _cell_lines(nested.cell(0, 1), MOTTO)
    _cell_lines(table.cell(1, 0), TITLE + BODY)
    _two_columns(table.cell(2, 0), RECIPIENTS, SIGNATURE)
    document.save(str(HERE / "one_table.docx"))


def write_vntime() -> None:
    document = docx.Document()
    body_style = document.styles.add_style("VnBody", 1)  # 1: a paragraph style
    body_style.font.name = ".VnTime"
    heading = document.add_paragraph()
    run = heading.add_run(as_font_text(LEGACY_HEADING.lower(), "tcvn3"))
    run.font.name = ".VnTimeH"
    run.font.size = Pt(14)
    first = document.add_paragraph()
    first.add_run(as_font_text(LEGACY_BODY[0], "tcvn3")).font.name = ".VnTime"
    document.add_paragraph(as_font_text(LEGACY_BODY[1], "tcvn3"), style="VnBody")
    document.add_paragraph("Covid-19 (Unicode, Times New Roman)")
    shown = document.add_paragraph()
    shown.add_run("chữ in hoa").font.all_caps = True
    shown.add_run(" (ẩn)").font.hidden = True
    document.save(str(HERE / "vntime.docx"))


def write_vni() -> None:
    document = docx.Document()
    fonts = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    fonts = fonts.find(qn("w:rPr")).find(qn("w:rFonts"))
    for attribute in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(attribute), "VNI-Times")
    for theme in ("w:asciiTheme", "w:hAnsiTheme"):
        fonts.attrib.pop(qn(theme), None)
    document.add_paragraph(as_font_text(LEGACY_HEADING, "vni"))
    for line in LEGACY_BODY:
        document.add_paragraph(as_font_text(line, "vni"))
    document.save(str(HERE / "vni.docx"))


def write_mojibake() -> None:
    document = docx.Document()
    for line in LEGACY_BODY:
        document.add_paragraph().add_run(as_font_text(line, "tcvn3")).font.name = "Times New Roman"
    document.save(str(HERE / "mojibake.docx"))


def write_numbered() -> None:
    document = docx.Document()
    document.add_paragraph("THÔNG BÁO")
    document.add_paragraph("Ban Thường vụ Tỉnh ủy kết luận như sau:")
    document.add_paragraph("Tiếp tục giãn cách xã hội.", style="List Number")
    document.add_paragraph("Các huyện thực hiện tốt:", style="List Number")
    document.add_paragraph("Tiêm vắc xin mũi 3.", style="List Bullet")
    document.add_paragraph("Đeo khẩu trang nơi công cộng.", style="List Bullet")
    document.save(str(HERE / "numbered.docx"))


def rewrite_part(source: Path, target: Path, part: str, data: bytes) -> None:
    """A copy of a .docx with one part replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for member in old.infolist():
            new.writestr(member.filename, data if member.filename == part else old.read(member))
    target.write_bytes(out.getvalue())


BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + b"".join(
        b' <!ENTITY lol%d "%s">\n' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
)


def write_damaged() -> None:
    template = HERE / "template.docx"
    data = template.read_bytes()
    (HERE / "truncated.docx").write_bytes(data[: len(data) // 2])
    broken = b'<?xml version="1.0"?><w:document xmlns:w="urn:x"><w:body><w:p><w:r><w:t>Th'
    rewrite_part(template, HERE / "bad_xml.docx", "word/document.xml", broken)
    rewrite_part(template, HERE / "billion_laughs.docx", "word/document.xml", BILLION_LAUGHS)


def main() -> None:
    write_text_fixtures()
    write_template()
    write_one_table()
    write_vntime()
    write_vni()
    write_mojibake()
    write_numbered()
    write_damaged()


if __name__ == "__main__":
    main()
