"""Old encodings and Word files read as a cadre would read them on screen.

Fixtures: tests/data/legacy (see its make_fixtures.py). The zip bomb is made here, in tmp_path.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import struct
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path

import pytest

from retrieval.errors import DecodeError, ParseError
from retrieval.parse import read_file
from retrieval.parse.chunking import split_structure
from retrieval.parse.docx_reader import read_docx
from retrieval.parse.extracted import ReadLimits
from retrieval.parse.legacy import (
    convert_legacy_text,
    decode_text,
    detect_legacy,
    encode_legacy,
    font_encoding,
    is_capitals_font,
    syllable_share,
)
from retrieval.text import first_date

DATA = Path(__file__).resolve().parents[1] / "data" / "legacy"
ORIGINAL = (DATA / "notice_utf8.txt").read_text(encoding="utf-8")
TCVN3_NOTE = "chuyển từ mã TCVN3 sang Unicode"
VNI_NOTE = "chuyển từ mã VNI sang Unicode"
CP1258_NOTE = "chuyển từ mã Windows-1258 sang Unicode"
SIGNER = "Mai Văn Huỳnh"

TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
VOWELS = [unicodedata.normalize("NFC", b + t) for b in "aăâeêioôơuưy" for t in TONES]
LETTERS = [*VOWELS, "đ"]  # every vowel with every tone, and đ: lower case
# TCVN3 has no code for a capital with a tone mark: mid-sentence, "Ủy" comes back "ủy".
TCVN3_ORIGINAL = ORIGINAL.replace("đồng chí Ủy viên", "đồng chí ủy viên")


def _decoded(data: bytes, encoding: str) -> str:
    return decode_text(data, "test.txt")[0] if encoding == "cp1258" else _legacy(data, encoding)


def _legacy(data: bytes, encoding: str) -> str:
    return convert_legacy_text(data.decode("cp1252"), encoding)


# --- the tables, against published text -----------------------------------------------------


@pytest.mark.parametrize(
    ("legacy", "encoding", "unicode"),
    [
        ("Céng hßa x· héi chñ nghÜa ViÖt Nam", "tcvn3", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("§éc lËp - Tù do - H¹nh phóc", "tcvn3", "Độc lập - Tự do - Hạnh phúc"),
        ("Th«ng b¸o kÕt luËn", "tcvn3", "Thông báo kết luận"),
        ("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
        ("Ñoäc laäp - Töï do - Haïnh phuùc", "vni", "Độc lập - Tự do - Hạnh phúc"),
        ("Thoâng baùo keát luaän", "vni", "Thông báo kết luận"),
        ("CHÆ THÒ VEÀ PHOØNG, CHOÁNG DÒCH", "vni", "CHỈ THỊ VỀ PHÒNG, CHỐNG DỊCH"),
        ("Aùp duïng giaõn caùch xaõ hoäi", "vni", "Áp dụng giãn cách xã hội"),  # "Aù": mixed case
    ],
)
def test_known_legacy_text_converts(legacy: str, encoding: str, unicode: str) -> None:
    assert convert_legacy_text(legacy, encoding) == unicode
    assert detect_legacy(legacy) == encoding


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258"])
def test_every_lower_case_letter_round_trips(encoding: str) -> None:
    text = " ".join(f"t{letter}n" for letter in LETTERS)
    assert _decoded(encode_legacy(text, encoding), encoding) == text


@pytest.mark.parametrize("encoding", ["vni", "cp1258"])
def test_every_capital_round_trips(encoding: str) -> None:
    text = " ".join(letter.upper() for letter in LETTERS)
    assert _decoded(encode_legacy(text, encoding), encoding) == text


def test_tcvn3_capitals_come_back_in_words_in_capitals_and_at_sentence_starts() -> None:
    """TCVN3 writes "Ấ" as "ấ"; the context says it was a capital."""
    capital_words = " ".join(f"T{letter.upper()}N" for letter in LETTERS)
    assert _legacy(encode_legacy(capital_words, "tcvn3"), "tcvn3") == capital_words
    sentence_starts = "\n".join(f"{letter.upper()}n ba. {letter.upper()}n." for letter in LETTERS)
    assert _legacy(encode_legacy(sentence_starts, "tcvn3"), "tcvn3") == sentence_starts
    heading = (
        "TỈNH ỦY KIÊN GIANG\nSố 12-TB/TU\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "- Ấp Bắc, Bá Hổ và ủy viên; các đồng chí\nở lại cơ quan."
    )
    assert _legacy(encode_legacy(heading, "tcvn3"), "tcvn3") == heading


def test_tcvn3_writes_a_capital_with_a_tone_mark_with_the_lower_case_code() -> None:
    assert encode_legacy("Ấ", "tcvn3") == encode_legacy("ấ", "tcvn3") == b"\xca"
    assert encode_legacy("Â", "tcvn3") == b"\xa2"  # capitals without a tone mark have codes


def test_an_unwritable_character_is_refused() -> None:
    with pytest.raises(ValueError, match="TCVN3"):
        encode_legacy("ç", "tcvn3")
    with pytest.raises(ValueError, match="unknown"):
        convert_legacy_text("abc", "viscii")


# --- files in the old encodings -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected", "note"),
    [
        ("notice_tcvn3.txt", TCVN3_ORIGINAL, TCVN3_NOTE),
        ("notice_vni.txt", ORIGINAL, VNI_NOTE),
        ("notice_cp1258.txt", ORIGINAL, CP1258_NOTE),
        ("notice_utf16le.txt", ORIGINAL, "đọc theo mã UTF-16 (không có BOM)"),
        ("notice_tcvn3_as_utf8.txt", TCVN3_ORIGINAL, TCVN3_NOTE),
        ("notice_utf8.txt", ORIGINAL, None),
    ],
)
def test_a_notice_file_in_any_encoding_reads_as_the_original(
    name: str, expected: str, note: str | None
) -> None:
    text, notes = decode_text((DATA / name).read_bytes(), name)
    assert text == expected
    assert notes == ((note,) if note else ())


def test_windows_1258_tone_marks_end_up_composed() -> None:
    data = (DATA / "notice_cp1258.txt").read_bytes()
    assert "\u0301".encode("cp1258") in data  # the file does use combining marks
    text, _ = decode_text(data, "notice_cp1258.txt")
    assert unicodedata.is_normalized("NFC", text)
    assert not any(unicodedata.combining(c) for c in text)


@pytest.mark.parametrize(
    ("data", "notes"),
    [
        (codecs.BOM_UTF8 + ORIGINAL.encode("utf-8"), ()),
        (ORIGINAL.encode("utf-16"), ("đọc theo mã UTF-16",)),
        (codecs.BOM_UTF16_BE + ORIGINAL.encode("utf-16-be"), ("đọc theo mã UTF-16",)),
        (ORIGINAL.encode("utf-16-be"), ("đọc theo mã UTF-16 (không có BOM)",)),
    ],
)
def test_unicode_files_read_as_they_are(data: bytes, notes: tuple[str, ...]) -> None:
    assert decode_text(data, "notice.txt") == (ORIGINAL, notes)


def test_unicode_text_is_not_taken_for_mojibake() -> None:
    assert detect_legacy(ORIGINAL) is None
    assert detect_legacy("Café, résumé, naïve: không phải mã cũ.") is None
    assert detect_legacy("Covid-19 and SARS-CoV-2") is None


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 20,
        bytes(range(32)) * 40,
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" * 30,
        b"\x00\x01\x02abc",  # NULs that happen to fall like UTF-16's
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode_text(data, "photo.txt")


def test_the_scorer_tells_vietnamese_from_mojibake() -> None:
    assert syllable_share("Thông báo kết luận của Ban Thường vụ Tỉnh ủy") == 1.0
    assert syllable_share("Th«ng b¸o kÕt luËn") == 0.0
    assert syllable_share("Thoâng baùo keát luaän") == 0.0
    assert syllable_share("tỉếng") == 0.0  # two tone marks
    assert syllable_share("mạt mát màt") == pytest.approx(2 / 3)  # no grave after a stop


@pytest.mark.parametrize(
    ("font", "encoding", "capitals"),
    [
        (".VnTime", "tcvn3", False),
        (".VnTimeH", "tcvn3", True),
        (".VnArial", "tcvn3", False),
        (".VnArialH", "tcvn3", True),
        ("VNI-Times", "vni", False),
        ("VNI-Helve", "vni", False),
        ("Times New Roman", None, False),
        (None, None, False),
    ],
)
def test_font_names_say_the_encoding(
    font: str | None, encoding: str | None, capitals: bool
) -> None:
    assert font_encoding(font) == encoding
    assert is_capitals_font(font) is capitals


# --- Word files -----------------------------------------------------------------------------


def _docx(name: str, limits: ReadLimits | None = None) -> str:
    extracted = read_docx(DATA / name, limits or ReadLimits())
    assert extracted.kind == "Word .docx"
    return extracted.text


def test_template_header_and_signature_tables_read_in_order() -> None:
    text = _docx("template.docx")
    lines = [line for line in text.split("\n") if line]
    order = [
        "TỈNH ỦY KIÊN GIANG",
        "Số 12-TB/TU",
        "ĐẢNG CỘNG SẢN VIỆT NAM",
        "Kiên Giang, ngày 14 tháng 9 năm 2021",
        "THÔNG BÁO",
        "Nơi nhận:",
        "- Lưu VPTU.",
        "T/M BAN THƯỜNG VỤ",
        "PHÓ BÍ THƯ THƯỜNG TRỰC",
        SIGNER,
    ]
    assert [lines.index(line) for line in order] == sorted(lines.index(line) for line in order)
    assert "*" not in lines  # the rule under the issuer is decoration


def test_template_gives_chunking_the_date_number_and_signer() -> None:
    parsed = split_structure(_docx("template.docx"))
    assert parsed.signer == SIGNER
    assert parsed.signer_title == "T/M BAN THƯỜNG VỤ PHÓ BÍ THƯ THƯỜNG TRỰC"
    assert "Lưu VPTU" in parsed.recipients
    before_sections = [p.text for p in parsed.paragraphs if p.section is None][:3]
    front = " ".join([parsed.title_text or "", *before_sections])
    assert "TỈNH ỦY KIÊN GIANG" in front
    assert "Số 12-TB/TU" in front
    assert first_date(front) == dt.date(2021, 9, 14)  # the header's date, not the meeting's
    assert [p[1] for p in parsed.paragraphs].count("1") == 1


def test_a_notice_inside_one_table_reads_like_the_template() -> None:
    assert _docx("one_table.docx") == _docx("template.docx")


def test_legacy_fonts_are_converted() -> None:
    extracted = read_docx(DATA / "vntime.docx", ReadLimits())
    assert extracted.notes == (TCVN3_NOTE,)
    paragraphs = extracted.text.split("\n\n")
    assert paragraphs[0] == "THÔNG BÁO KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY"  # .VnTimeH: capitals
    assert paragraphs[1].startswith("Ngày 16 tháng 9 năm 2021, Thường trực Tỉnh ủy")  # on the run
    assert paragraphs[2].endswith("người dân ở đâu ở đó.")  # from the paragraph style
    assert paragraphs[3] == "Covid-19 (Unicode, Times New Roman)"  # left as it is
    assert paragraphs[4] == "CHỮ IN HOA"  # "All caps" shows capitals; hidden text is not shown


def test_a_vni_font_in_the_document_defaults_is_converted() -> None:
    extracted = read_docx(DATA / "vni.docx", ReadLimits())
    assert extracted.notes == (VNI_NOTE,)
    assert extracted.text.startswith(
        "THÔNG BÁO KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY\n\nNgày 16 tháng 9"
    )


def test_mojibake_in_an_ordinary_font_is_converted() -> None:
    extracted = read_docx(DATA / "mojibake.docx", ReadLimits())
    assert extracted.notes == (TCVN3_NOTE,)
    assert "chính quyền tiếp tục thực hiện nghiêm việc giãn cách" in extracted.text


def test_automatic_numbering_is_written_out() -> None:
    text = _docx("numbered.docx")
    assert "\n\n2. Các huyện thực hiện tốt:\n\n- Tiêm vắc xin mũi 3." in text
    parsed = split_structure(text)
    assert [(p.text, p.section) for p in parsed.paragraphs][-3:] == [
        ("1. Tiếp tục giãn cách xã hội.", "1"),
        ("- Tiêm vắc xin mũi 3.", "2"),
        ("- Đeo khẩu trang nơi công cộng.", "2"),
    ]


W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
MC_NS = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'


def _document(body: str) -> bytes:
    return f"<w:document {W_NS} {MC_NS}><w:body>{body}</w:body></w:document>".encode()


def _p(text: str, fonts: str = "") -> str:
    props = f'<w:rPr><w:rFonts w:ascii="{fonts}" w:hAnsi="{fonts}"/></w:rPr>' if fonts else ""
    return f"<w:p><w:r>{props}<w:t>{text}</w:t></w:r></w:p>"


def test_text_boxes_links_revisions_and_content_controls_read_once(tmp_path: Path) -> None:
    box = f"<w:txbxContent>{_p('Trong khung')}</w:txbxContent>"
    body = (
        f"<w:p><w:r><w:t>Trước</w:t></w:r><w:r><mc:AlternateContent>"
        f"<mc:Choice><w:drawing>{box}</w:drawing></mc:Choice>"
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r></w:p>"
        "<w:p><w:hyperlink><w:r><w:t>liên kết</w:t></w:r></w:hyperlink>"
        '<w:ins><w:r><w:t xml:space="preserve"> thêm</w:t></w:r></w:ins>'
        "<w:del><w:r><w:delText>bỏ</w:delText></w:r></w:del></w:p>"
        f"<w:sdt><w:sdtContent>{_p('Trong ô nhập')}</w:sdtContent></w:sdt>"
    )
    path = _replace_part(tmp_path, "word/document.xml", _document(body))
    assert _docx_at(path) == "Trước\n\nTrong khung\n\nliên kết thêm\n\nTrong ô nhập"


def test_unicode_text_in_a_legacy_font_is_left_alone(tmp_path: Path) -> None:
    """A notice retyped in Unicode that kept its .VnTime font: converting it would ruin it."""
    body = _p("Thường trực Tỉnh ủy", ".VnTime") + _p("Th\u00abng b\u00b8o", ".VnTime")
    path = _replace_part(tmp_path, "word/document.xml", _document(body))
    assert _docx_at(path) == "Thường trực Tỉnh ủy\n\nThông báo"


def _docx_at(path: Path) -> str:
    return read_docx(path, ReadLimits()).text


def test_the_file_reader_uses_these_readers() -> None:
    """Through retrieval.parse.read_file, as ingest calls it: the user sees the notes."""
    legacy = read_file(DATA / "notice_tcvn3.txt")
    assert (legacy.text, legacy.notes) == (TCVN3_ORIGINAL, (TCVN3_NOTE,))
    word = read_file(DATA / "vntime.docx")
    assert (word.kind, word.notes) == ("Word .docx", (TCVN3_NOTE,))


# --- damaged and hostile Word files ---------------------------------------------------------


def _refused(path: Path, limits: ReadLimits | None = None) -> str:
    start = time.monotonic()
    with pytest.raises(ParseError) as caught:
        read_docx(path, limits or ReadLimits())
    assert time.monotonic() - start < 2
    assert type(caught.value) is ParseError
    assert "\n" not in caught.value.reason
    return caught.value.reason


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("truncated.docx", "not a readable .docx"),
        ("bad_xml.docx", "document.xml is not XML"),
        ("billion_laughs.docx", "entities"),
    ],
)
def test_damaged_files_are_refused_quickly(name: str, reason: str) -> None:
    assert reason in _refused(DATA / name)


def test_a_file_over_the_size_limit_is_refused() -> None:
    assert "over the limit" in _refused(DATA / "template.docx", ReadLimits(max_file_bytes=1000))


def test_a_file_that_unpacks_over_the_limit_is_refused() -> None:
    reason = _refused(DATA / "template.docx", ReadLimits(max_unpacked_bytes=100_000))
    assert "zip bomb" in reason


def _deflate_zeros(size: int) -> tuple[bytes, int]:
    """Raw deflate data for `size` zero bytes, and their CRC, cheaply: one 16 MB block
    compressed once and repeated (a full flush makes each copy stand alone)."""
    chunk = bytes(16 * 1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    count, rest = divmod(size, len(chunk))
    assert rest == 0
    crc = 0
    for _ in range(count):
        crc = zlib.crc32(chunk, crc)
    return block * count + b"\x03\x00", crc  # b"\x03\x00": an empty final block


def _write_zip(path: Path, members: list[tuple[str, bytes, int, int]]) -> None:
    """A zip of deflated members given as (name, raw deflate data, crc, unpacked size)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, data, crc, size in members:
        offset, raw = out.tell(), name.encode()
        fields = (20, 0, 8, 0, 0x21, crc, len(data), size, len(raw), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + raw + data)
        central = (0x02014B50, 20, *fields, 0, 0, 0, 0, offset)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", *central) + raw)
    start, listing = out.tell(), directory.getvalue()
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(listing), start, 0
    )
    path.write_bytes(out.getvalue() + listing + end)


def _small(name: str, text: bytes) -> tuple[str, bytes, int, int]:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, compressor.compress(text) + compressor.flush(), zlib.crc32(text), len(text)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    size = 65 * 16 * 1024 * 1024  # 1.09 GB of zeros
    data, crc = _deflate_zeros(size)
    bomb = tmp_path / "bomb.docx"
    _write_zip(
        bomb,
        [
            _small("[Content_Types].xml", b"<Types/>"),
            ("word/document.xml", data, crc, size),
        ],
    )
    assert bomb.stat().st_size < 2 * 1024 * 1024
    with zipfile.ZipFile(bomb) as archive, archive.open("word/document.xml") as member:
        assert member.read(1000) == bytes(1000)  # a real bomb: it does unpack to zeros
    assert "zip bomb" in _refused(bomb, ReadLimits(max_unpacked_bytes=2 * 1024**3))
    assert "zip bomb" in _refused(bomb)


def test_a_highly_compressed_part_under_the_total_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "padded.docx"
    with zipfile.ZipFile(DATA / "template.docx") as source, zipfile.ZipFile(path, "w") as out:
        for member in source.infolist():
            out.writestr(member, source.read(member))
        out.writestr("word/media/padding.bin", bytes(20 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    assert "compressed" in _refused(path)


def _replace_part(tmp_path: Path, part: str, data: bytes | None) -> Path:
    path = tmp_path / "changed.docx"
    with zipfile.ZipFile(DATA / "template.docx") as source, zipfile.ZipFile(path, "w") as out:
        for member in source.infolist():
            if member.filename != part:
                out.writestr(member, source.read(member))
        if data is not None:
            out.writestr(part, data)
    return path


def test_a_missing_document_part_is_refused(tmp_path: Path) -> None:
    assert "missing" in _refused(_replace_part(tmp_path, "word/document.xml", None))


def test_deeply_nested_tables_are_refused(tmp_path: Path) -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    nested = "<w:tbl><w:tr><w:tc>" * 5000 + "</w:tc></w:tr></w:tbl>" * 5000
    document = f"<w:document {w}><w:body>{nested}</w:body></w:document>".encode()
    assert "not XML" in _refused(_replace_part(tmp_path, "word/document.xml", document))


def test_styles_based_on_each_other_do_not_hang(tmp_path: Path) -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    styles = (
        f'<w:styles {w}><w:style w:type="paragraph" w:default="1" w:styleId="A">'
        '<w:basedOn w:val="B"/></w:style><w:style w:type="paragraph" w:styleId="B">'
        '<w:basedOn w:val="A"/><w:rPr><w:rFonts w:ascii=".VnTime" w:hAnsi=".VnTime"/></w:rPr>'
        "</w:style></w:styles>"
    ).encode()
    path = _replace_part(tmp_path, "word/styles.xml", styles)
    extracted = read_docx(path, ReadLimits())
    assert extracted.notes == (TCVN3_NOTE,)  # B's .VnTime reached through the loop, once
