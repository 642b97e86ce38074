"""The readers of scans, photos, old Word files and saved web pages, on committed fixtures.

What a cadre notices: a scanned notice comes back with its words and diacritics right, the
OCR page limit is kept and said, a web page gives the notice and not the portal's menus, and
a damaged file is refused at once with one line. The fixtures are in tests/data/readers/
(make_fixtures.py says how each was made). Only two full pages are OCR'd here (~3 s).
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from retrieval.errors import ParseError
from retrieval.parse.extracted import Extracted, ReadLimits
from retrieval.parse.html_reader import FALLBACK_NOTE, html_charset, read_html
from retrieval.parse.image_reader import image_pixels, read_image
from retrieval.parse.pdf_reader import KIND_SCANNED, KIND_TEXT, read_pdf
from retrieval.parse.word97 import CATDOC_NOTE, HTML_NOTE, KIND, RTF_NOTE, read_doc
from tests.helpers.word_match import word_match

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "data" / "readers"
ORIGINAL = (FIXTURES / "scanned_notice.txt").read_text(encoding="utf-8")
LIMITS = ReadLimits()
QUICK = 5.0  # seconds: a damaged file is refused well within this


def _tesseract_reads_vietnamese() -> bool:
    if not shutil.which("tesseract"):
        return False
    done = subprocess.run(
        ["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False
    )
    return "vie" in done.stdout.decode().split()


HAS_OCR = _tesseract_reads_vietnamese()
needs_tesseract = pytest.mark.skipif(
    not HAS_OCR, reason="tesseract with Vietnamese data is not installed (make setup-system)"
)
needs_pdf_ocr = pytest.mark.skipif(
    not (HAS_OCR and shutil.which("pdftoppm")),
    reason="tesseract (vie) or pdftoppm is not installed (make setup-system)",
)
needs_antiword = pytest.mark.skipif(
    not shutil.which("antiword"), reason="antiword is not installed (make setup-system)"
)
needs_catdoc = pytest.mark.skipif(
    not shutil.which("catdoc"), reason="catdoc is not installed (make setup-system)"
)


def _paragraphs() -> list[str]:
    """The original's title lines and paragraphs ("1. ", "2. " start new ones)."""
    lines = ORIGINAL.splitlines()
    found: list[list[str]] = []
    for line in lines[lines.index("-----") + 1 :]:
        if not found or re.match(r"\d+\. ", line):
            found.append([])
        found[-1].append(line)
    return [" ".join(paragraph) for paragraph in found]


def _tools_only(tmp_path: Path, *commands: str) -> str:
    """A PATH holding only the given commands (so the others are "not installed")."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for command in commands:
        found = shutil.which(command)
        assert found, command
        (folder / command).symlink_to(found)
    return str(folder)


def _refused_quickly(read: object, path: Path) -> ParseError:
    start = time.monotonic()
    with pytest.raises(ParseError) as caught:
        read(path, LIMITS)  # type: ignore[operator]
    assert time.monotonic() - start < QUICK
    assert "\n" not in str(caught.value)
    return caught.value


# --- scanned PDFs ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scanned() -> Extracted:
    return read_pdf(FIXTURES / "scanned_notice.pdf", LIMITS)


@needs_pdf_ocr
def test_a_scanned_page_is_read_with_its_words_and_diacritics(scanned: Extracted) -> None:
    match = word_match(ORIGINAL, scanned.text)
    print(f"scanned PDF page: {match:.1%} of the original's words read right")
    assert match >= 0.95
    assert scanned.kind == KIND_SCANNED
    assert scanned.notes == ("nhận dạng chữ (OCR) 1 trang",)
    for phrase in (
        "Thường trực Tỉnh ủy",
        "phòng, chống dịch Covid-19",
        "đồng chí Hồ Văn Niên",
        "Ủy viên Ban Chấp hành Trung ương Đảng",
        "từng bước đẩy lùi được dịch bệnh",
        "không giao khoán cho chính quyền",
    ):
        assert phrase in scanned.text


@needs_pdf_ocr
def test_text_pages_keep_their_layer_and_only_the_scanned_page_is_ocrd() -> None:
    result = read_pdf(FIXTURES / "mixed.pdf", LIMITS)
    assert result.kind == KIND_SCANNED
    assert result.notes == ("nhận dạng chữ (OCR) 1 trang",)
    assert "Thành phố Pleiku" in result.text  # from the text layer of page 1
    assert result.text.rstrip().endswith("Trang quét số hai")  # page 2, by OCR


def test_a_pdf_with_text_needs_no_ocr_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = PdfWriter()
    writer.add_page(PdfReader(FIXTURES / "mixed.pdf").pages[0])
    path = tmp_path / "text.pdf"
    with path.open("wb") as out:
        writer.write(out)
    monkeypatch.setenv("PATH", _tools_only(tmp_path))
    result = read_pdf(path, LIMITS)
    assert result.kind == KIND_TEXT
    assert result.notes == ()
    assert "Chiều ngày 16 tháng 9 năm 2021" in result.text


@needs_pdf_ocr
def test_the_ocr_page_limit_is_kept_and_said() -> None:
    result = read_pdf(FIXTURES / "blank_pages.pdf", ReadLimits(max_ocr_pages=2))
    assert result.notes == ("nhận dạng chữ (OCR) 2 trang", "bỏ qua 10 trang vượt giới hạn OCR")
    assert "Trang 1" in result.text
    assert "Trang 2" in result.text
    assert "Trang 3" not in result.text


def test_no_page_is_ocrd_with_a_limit_of_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _tools_only(tmp_path))  # and no tool is needed
    result = read_pdf(FIXTURES / "blank_pages.pdf", ReadLimits(max_ocr_pages=0))
    assert result == Extracted("", KIND_SCANNED, ("bỏ qua 12 trang vượt giới hạn OCR",))


@needs_pdf_ocr
def test_a_page_that_takes_too_long_is_skipped_and_said() -> None:
    result = read_pdf(FIXTURES / "scanned_notice.pdf", ReadLimits(ocr_seconds=0.05))
    assert result.notes == ("bỏ qua 1 trang nhận dạng chữ quá 0.05 giây",)
    assert result.text == ""


@pytest.mark.parametrize("name", ["truncated.pdf", "unknown_filter.pdf"])
def test_a_damaged_pdf_is_refused_at_once_in_one_line(name: str) -> None:
    error = _refused_quickly(read_pdf, FIXTURES / name)
    assert error.reason.startswith("not a readable .pdf file (")


def test_whatever_pypdf_meets_in_a_damaged_pdf_is_a_parse_error(tmp_path: Path) -> None:
    """Bytes flipped, cut or repeated in a real (LibreOffice) PDF: Extracted or ParseError."""
    writer = PdfWriter()
    writer.add_page(PdfReader(FIXTURES / "mixed.pdf").pages[0])
    path = tmp_path / "good.pdf"
    with path.open("wb") as out:
        writer.write(out)
    data = path.read_bytes()
    rng = random.Random(7)
    read, refused = 0, []
    for round_ in range(60):
        damaged = bytearray(data)
        at = rng.randrange(len(damaged))
        if round_ % 3 == 0:
            damaged = damaged[:at]
        elif round_ % 3 == 1:
            for _ in range(20):
                damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        else:
            damaged[at:at] = damaged[rng.randrange(len(damaged)) :][:200]
        path.write_bytes(bytes(damaged))
        try:
            read_pdf(path, ReadLimits(max_ocr_pages=0))
            read += 1
        except ParseError as error:  # anything else fails the test
            refused.append(str(error))
    assert refused
    assert all("\n" not in message for message in refused)


def test_without_the_ocr_tools_a_scan_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _tools_only(tmp_path))
    error = _refused_quickly(read_pdf, FIXTURES / "scanned_notice.pdf")
    for words in ("poppler-utils", "tesseract-ocr", "tesseract-ocr-vie", "make setup-system"):
        assert words in error.reason


# --- photos ---------------------------------------------------------------------------------


@needs_tesseract
def test_a_photo_of_a_notice_is_read() -> None:
    result = read_image(FIXTURES / "photo_notice.png", LIMITS)
    match = word_match(ORIGINAL, result.text)
    print(f"photo: {match:.1%} of the original's words read right")
    assert match >= 0.95
    assert result.kind == "ảnh (OCR)"
    assert "Thường trực Ban Chỉ đạo phòng, chống dịch Covid-19" in result.text


@needs_tesseract
def test_a_damaged_image_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes((FIXTURES / "photo_notice.png").read_bytes()[:3000])
    assert _refused_quickly(read_image, path).reason.startswith("not a readable image")


def test_a_file_that_is_no_image_is_refused_before_ocr(tmp_path: Path) -> None:
    path = tmp_path / "page.jpg"
    path.write_bytes(b"<html><body>not a photo</body></html>")
    assert _refused_quickly(read_image, path).reason == "not a PNG, JPEG or TIFF image"


def test_an_image_claiming_a_huge_size_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    header = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (50_000).to_bytes(4, "big") * 2
    path.write_bytes(header + b"\x08\x00\x00\x00\x00" + b"\x00" * 100)
    assert "too large" in _refused_quickly(read_image, path).reason


def test_a_jpeg_size_is_read_from_its_frame_header() -> None:
    app0 = b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    sof0 = b"\xff\xc0\x00\x11\x08" + (3000).to_bytes(2, "big") + (4000).to_bytes(2, "big")
    assert image_pixels(b"\xff\xd8" + app0 + sof0 + b"\x03" + b"\x00" * 9, "jpeg") == 12_000_000


def test_without_tesseract_a_photo_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _tools_only(tmp_path))
    error = _refused_quickly(read_image, FIXTURES / "photo_notice.png")
    assert "tesseract-ocr tesseract-ocr-vie" in error.reason
    assert "make setup-system" in error.reason


# --- Word 97-2003 .doc ----------------------------------------------------------------------


@needs_antiword
def test_a_word_97_file_is_read_with_its_diacritics() -> None:
    result = read_doc(FIXTURES / "notice.doc", LIMITS)
    assert result.kind == KIND
    assert result.notes == ()
    paragraphs = result.text.split("\n\n")
    assert paragraphs[0] == "KẾT LUẬN CỦA THƯỜNG TRỰC TỈNH ỦY"
    assert paragraphs[1:4] == _paragraphs()
    assert "Địa phương | Cấp độ dịch\nThành phố Pleiku | Cấp độ 2 (vàng)" in paragraphs
    assert paragraphs[-1] == "Nơi nhận: Các huyện ủy, thị ủy, thành ủy; lưu Văn phòng Tỉnh ủy."


@needs_catdoc
def test_catdoc_reads_the_file_when_antiword_is_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _tools_only(tmp_path, "catdoc"))
    result = read_doc(FIXTURES / "notice.doc", LIMITS)
    assert result.notes == (CATDOC_NOTE,)
    for paragraph in _paragraphs():
        assert paragraph in result.text


@needs_antiword
def test_a_damaged_doc_is_refused_at_once_in_one_line() -> None:
    error = _refused_quickly(read_doc, FIXTURES / "damaged.doc")
    assert error.reason.startswith("not a readable .doc file (antiword: ")


def test_a_converter_that_hangs_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = Path(_tools_only(tmp_path, "sleep"))
    (folder / "antiword").write_text("#!/bin/sh\nexec sleep 30\n", encoding="utf-8")
    (folder / "antiword").chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))
    start = time.monotonic()
    with pytest.raises(ParseError, match="antiword took longer than 0.3 s"):
        read_doc(FIXTURES / "notice.doc", ReadLimits(convert_seconds=0.3))
    assert time.monotonic() - start < QUICK


def test_without_antiword_and_catdoc_a_doc_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", _tools_only(tmp_path))
    error = _refused_quickly(read_doc, FIXTURES / "notice.doc")
    assert "antiword catdoc" in error.reason
    assert "make setup-system" in error.reason


def test_a_docx_named_doc_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = tmp_path / "renamed.doc"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert "rename it to .docx" in _refused_quickly(read_doc, path).reason


@needs_catdoc
def test_an_rtf_named_doc_is_read(tmp_path: Path) -> None:
    path = tmp_path / "rtf.doc"
    path.write_bytes(rb"{\rtf1\ansi\f0 Th\u244?ng b\u225?o s\u7889? 5\par Ngh\u7881? l\u7877?\par}")
    result = read_doc(path, LIMITS)
    assert result.text == "Thông báo số 5\n\nNghỉ lễ"
    assert result.notes == (RTF_NOTE,)


def test_a_web_page_named_doc_is_read_as_a_web_page(tmp_path: Path) -> None:
    path = tmp_path / "page.doc"
    path.write_bytes((FIXTURES / "portal_page.html").read_bytes())
    result = read_doc(path, LIMITS)
    assert result.notes == (HTML_NOTE,)
    assert _paragraphs()[2] in result.text


def test_a_file_that_is_no_word_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.doc"
    path.write_bytes(b"just some text\n")
    assert _refused_quickly(read_doc, path).reason == "not a Word .doc file"


# --- saved web pages ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def portal() -> Extracted:
    return read_html((FIXTURES / "portal_page.html").read_text(encoding="utf-8"))


def test_a_portal_page_gives_the_notice(portal: Extracted) -> None:
    paragraphs = portal.text.split("\n\n")
    assert paragraphs[0] == " ".join(ORIGINAL.splitlines()[:3])  # the <h1>
    assert paragraphs[2:5] == [p.replace(" - ", " – ") for p in _paragraphs()]  # &ndash;
    assert "Thành phố Pleiku\nCấp độ 2 (vàng)" in paragraphs  # a table row, a cell a line
    assert portal.kind == "trang web .html"
    assert portal.notes == ()


def test_a_portal_page_leaves_out_the_portal(portal: Extracted) -> None:
    for chrome in (
        "CỔNG THÔNG TIN",  # header
        "Trang chủ",  # menu, breadcrumb
        "Giới thiệu chung",
        "Văn bản chỉ đạo",
        "Tìm kiếm",  # search form
        "Cơ cấu tổ chức",  # left menu
        "Tin mới nhất",  # sidebar
        "xổ số",
        "Chia sẻ",  # share bar in the article's footer
        "Bản quyền",  # footer
        "Hùng Vương",
        "Sơ đồ cổng",
        "JavaScript",  # noscript
        "menuItems",  # scripts
        "trackView",
        "font-family",  # style
    ):
        assert chrome not in portal.text


def test_a_page_without_article_drops_menus_and_keeps_the_text() -> None:
    page = """<html><head><title>UBND</title></head><body><form id="aspnetForm">
    <table><tr><td class="left"><ul id="mainMenu"><li>Trang chủ</li><li>Liên hệ</li></ul>
    <div class="search-box"><input value="Tìm"><label>Từ khóa</label></div></td>
    <td class="content"><h2>Thông báo số 12</h2><p>Tạm dừng hoạt động&nbsp;karaoke,<br>
    quán bar từ 0 giờ.</p><div style="display: none">Ẩn</div>
    <div role="navigation">Trang sau</div></td></tr></table>
    <div id="footer">© 2021 Sở Y tế</div></form></body></html>"""
    result = read_html(page)
    assert result.text == "Thông báo số 12\n\nTạm dừng hoạt động karaoke,\nquán bar từ 0 giờ."


def test_a_small_article_does_not_hide_the_page() -> None:
    teaser = "<article><p>Tin liên quan: lịch tiêm</p></article>"
    body = "<div><p>" + "Người dân khai báo y tế. " * 20 + "</p></div>"
    result = read_html(f"<body>{body}{teaser}</body>")
    assert result.text.startswith("Người dân khai báo y tế.")
    assert result.text.endswith("Tin liên quan: lịch tiêm")


def test_old_and_broken_markup_is_read_as_browsers_do() -> None:
    page = (
        "<p class=MsoNormal><![if !supportLists]>1.<![endif]> Đeo khẩu trang"
        "<p>Giữ khoảng cách<li>một<li>hai<![bogus <!-- chú thích <b>x</b> --> &amp; &#7889;"
        "</span></table></p>"
    )
    assert read_html(page).text == (
        "1. Đeo khẩu trang\n\nGiữ khoảng cách\n\nmột\n\nhai<![bogus & ố"
    )


def test_when_everything_looks_like_a_menu_the_visible_text_is_kept() -> None:
    result = read_html("<body><nav>Thông báo khẩn: tạm dừng chợ đêm")
    assert result == Extracted(
        "Thông báo khẩn: tạm dừng chợ đêm", "trang web .html", (FALLBACK_NOTE,)
    )


@pytest.mark.parametrize(
    "page",
    [
        "<a" * 1_000_000,  # minutes in Python 3.11's html.parser without the defusing
        "</" * 1_000_000,
        "<!--" * 500_000,
        "<!--" * 500_000 + "-->",
        "<![x" * 500_000 + "]>",
        "<div><p><b>" * 100_000,
        "<tr><td>ô" * 100_000,
        "<a b='>" + "<p>x" * 200_000,
    ],
    ids=[
        "tag-starts",
        "end-tag-starts",
        "comment-starts",
        "comments-one-end",
        "marked-sections",
        "nesting",
        "cells",
        "open-quote",
    ],
)
def test_huge_malformed_pages_are_read_in_linear_time(page: str) -> None:
    start = time.monotonic()
    read_html(page)
    assert time.monotonic() - start < 30  # quadratic would be hours; linear is ~1 s


@pytest.mark.parametrize(
    ("head", "charset"),
    [
        (b'<meta charset="utf-8">', "utf-8"),
        (b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=windows-1258'>", "cp1258"),
        (b'<?xml version="1.0" encoding="UTF-8"?><html>', "utf-8"),
        (b'<meta charset="ISO-8859-1">', "cp1252"),  # as browsers read it
        (b"\xef\xbb\xbf<meta charset=windows-1258>", "utf-8"),  # the BOM wins
        (b'<meta charset="x-unknown-thing">', None),
        (b"<html><p>no declaration</p>", None),
        (b" " * 40_000 + b'<meta charset="utf-8">', None),  # past the first 32 KiB
    ],
)
def test_the_declared_charset_is_found(head: bytes, charset: str | None) -> None:
    assert html_charset(head) == charset


# --- the install script and the image -------------------------------------------------------

SCRIPT = REPO / "scripts" / "system_packages.sh"
PACKAGES = ("tesseract-ocr", "tesseract-ocr-vie", "poppler-utils", "antiword", "catdoc")
BASICS = ("bash", "grep", "cut", "sort", "tr", "id", "env")


def test_the_image_installs_the_packages_the_script_installs() -> None:
    dockerfile = (REPO / "docker" / "Dockerfile").read_text(encoding="utf-8")
    apt_line = re.search(r"apt-get install[^&]*", dockerfile)
    assert apt_line
    script = SCRIPT.read_text(encoding="utf-8")
    for package in PACKAGES:
        assert re.search(rf"(?<![\w-]){package}(?![\w-])", apt_line.group())
        assert package in script


@pytest.mark.skipif(
    not (HAS_OCR and all(shutil.which(t) for t in ("pdftoppm", "antiword", "catdoc"))),
    reason="the system packages are not all installed (make setup-system)",
)
def test_the_script_only_checks_when_everything_is_there() -> None:
    start = time.monotonic()
    done = subprocess.run(["bash", str(SCRIPT)], capture_output=True, timeout=60, check=False)
    assert done.returncode == 0
    assert done.stdout.decode().strip().endswith("present")
    assert time.monotonic() - start < QUICK


def test_the_script_says_what_is_missing_and_never_fails_setup(tmp_path: Path) -> None:
    path = _tools_only(tmp_path, *BASICS)  # no apt-get, no tools
    env = {"PATH": path, "HOME": str(tmp_path)}
    checked = subprocess.run(
        ["bash", str(SCRIPT), "--check"], capture_output=True, timeout=60, check=False, env=env
    )
    assert checked.returncode == 1
    lines = checked.stdout.decode().splitlines()
    for package in PACKAGES:
        assert any(f"Debian package {package};" in line for line in lines), package
    assert any("scanned PDF" in line for line in lines)
    assert any(".doc files cannot be read" in line for line in lines)
    installing = subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, timeout=60, check=False, env=env
    )
    assert installing.returncode == 0
    assert "no apt-get here" in installing.stdout.decode()
