"""Every accepted format reads; every bad file fails with a message naming it and why."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from retrieval import (
    DecodeError,
    EmptyDocumentError,
    ParseError,
    UnsupportedFormatError,
    load_notice,
)
from tests.helpers.documents import NOTICE_TEXT, write_docx, write_pdf


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("plain.txt", NOTICE_TEXT.encode("utf-8")),
        ("bom.txt", codecs.BOM_UTF8 + NOTICE_TEXT.encode("utf-8")),
        ("wide.txt", NOTICE_TEXT.encode("utf-16")),
        ("notes.md", NOTICE_TEXT.replace("\n", "\r\n").encode("utf-8")),
    ],
)
def test_text_encodings_read_the_same(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    parsed = load_notice(path)
    assert parsed.meta.signer == "Nguyễn Văn An"
    assert [p.section for p in parsed.body] == [None, "1", "2", "2"]
    assert parsed.body[1].text == "1. Tiếp tục cách ly tập trung người nhập cảnh trong 7 ngày."


def test_docx_is_read(tmp_path: Path) -> None:
    parsed = load_notice(write_docx(tmp_path / "notice.docx", NOTICE_TEXT))
    assert parsed.meta.kind == "Thông báo"
    assert any("Tiêm vắc xin mũi 3" in p.text for p in parsed.body)


def test_pdf_is_read(tmp_path: Path) -> None:
    lines = ["THONG BAO", "Ngay 02/3/2022, Ban Thuong vu hop.", "1. Cach ly tap trung 7 ngay."]
    parsed = load_notice(write_pdf(tmp_path / "notice.pdf", lines))
    assert any("Cach ly tap trung 7 ngay" in p.text for p in parsed.body)
    assert parsed.meta.date is not None
    assert parsed.meta.date.year == 2022


@pytest.mark.parametrize(
    ("name", "data", "error", "words"),
    [
        ("sheet.xlsx", b"PK\x03\x04" + bytes(range(200)), ParseError, "not a readable .docx"),
        ("photo.jpg", b"\xff\xd8\xff", ParseError, "not a readable image"),
        ("data.bin", bytes(range(256)) * 4, UnsupportedFormatError, "unsupported file type .bin"),
        ("empty.txt", b"", EmptyDocumentError, "empty"),
        ("blank.md", b"   \n\n  ", EmptyDocumentError, "empty"),
        ("binary.txt", b"\x00\x01\x02abc", DecodeError, "NUL"),
        ("broken.docx", b"PK\x03\x04 not really a zip", ParseError, "not a readable .docx"),
        ("broken.pdf", b"%PDF-1.4 garbage", ParseError, "pdf"),
    ],
)
def test_bad_files_fail_with_a_clear_message(
    tmp_path: Path, name: str, data: bytes, error: type[Exception], words: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error) as info:
        load_notice(path)
    assert name in str(info.value)
    assert words.lower() in str(info.value).lower()
