"""How the reader fixtures in this folder were made (the tests use the committed files).

Run once, from the repository root, to make them again:

    .venv/bin/python -m pip install pillow          # only this script needs Pillow
    apt-get install -y fonts-dejavu-core libreoffice-writer-nogui   # the font; the .doc
    .venv/bin/python tests/data/readers/make_fixtures.py

What each file is:

- scanned_notice.pdf: one A4 page scanned at 300 dpi (a grey JPEG, no text layer) of the
  first lines of data/notices/000_95f2b98f29028119.txt; slightly skewed, with speckle.
- scanned_notice.txt: the exact text on that page (what OCR should give back).
- photo_notice.png: the same lines as a phone photo: ~200 dpi, tilted 1 degree, uneven light,
  soft focus, grey paper.
- blank_pages.pdf: 12 small scanned pages (images only), each saying only "Trang N", for the
  OCR page limit.
- mixed.pdf: page 1 has a text layer (LibreOffice's PDF of notice.doc), page 2 is a small scan
  of one line ("Trang quét số hai").
- notice.doc: Word 97-2003, written by LibreOffice from a .docx made with python-docx: a title,
  paragraphs of the same notice and a small table, all in Unicode Vietnamese.
- portal_page.html: a notice as a provincial portal shows it: header, menus, breadcrumb,
  search form, scripts, a sidebar and a footer around an <article>.
- truncated.pdf: scanned_notice.pdf cut after its first 700 bytes.
- unknown_filter.pdf: a well-formed PDF whose page content uses /Filter /NoSuchDecode.
- damaged.doc: the first 2,048 bytes of notice.doc.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import docx
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader, PdfWriter

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
NOTICE = REPO / "data" / "notices" / "000_95f2b98f29028119.txt"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
SCAN_LINES = 24  # the first 24 non-empty lines: the title block, the opening, points 1 and 2
A4_INCHES = (8.27, 11.69)


def notice_lines(count: int) -> list[str]:
    """The first `count` non-empty lines of the bundled notice, NFC, spaces trimmed."""
    text = unicodedata.normalize("NFC", NOTICE.read_text(encoding="utf-8"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return [line for line in lines if line][:count]


def paragraphs(lines: list[str]) -> list[str]:
    """The lines after the title block joined into paragraphs; "1. ", "2. " start new ones."""
    found: list[list[str]] = []
    for line in lines[lines.index("-----") + 1 :]:
        if not found or re.match(r"\d+\. ", line):
            found.append([])
        found[-1].append(line)
    return [" ".join(paragraph) for paragraph in found]


def render_page(lines: list[str], dpi: int, *, paper: int = 255, ink: int = 0) -> Image.Image:
    """An A4 page at `dpi` with the lines set in 12 pt DejaVu Serif; the title block centred."""
    width, height = (round(side * dpi) for side in A4_INCHES)
    page = Image.new("L", (width, height), paper)
    draw = ImageDraw.Draw(page)
    margin = round(0.9 * dpi)
    size = round(12 / 72 * dpi)
    regular = ImageFont.truetype(str(FONT), size)
    bold = ImageFont.truetype(str(FONT_BOLD), size)
    while max(draw.textlength(line, font=regular) for line in lines) > width - 2 * margin:
        size -= 1
        regular = ImageFont.truetype(str(FONT), size)
        bold = ImageFont.truetype(str(FONT_BOLD), size)
    title_end = lines.index("-----") + 1 if "-----" in lines else 0
    y = margin
    for number, line in enumerate(lines):
        font = bold if number < title_end - 1 else regular
        x = margin
        if number < title_end:
            x = round((width - draw.textlength(line, font=font)) / 2)
        draw.text((x, y), line, font=font, fill=ink)
        y += round(size * 1.6)
    return page


def speckle(page: Image.Image, dots: int, seed: int) -> Image.Image:
    """Scanner dust: a few thousand grey dots, reproducibly."""
    rng = random.Random(seed)
    draw = ImageDraw.Draw(page)
    for _ in range(dots):
        x, y = rng.randrange(page.width), rng.randrange(page.height)
        draw.point((x, y), fill=rng.randrange(90, 200))
    return page


def make_scan(lines: list[str]) -> None:
    page = render_page(lines, 300)
    page = page.rotate(0.35, resample=Image.Resampling.BICUBIC, fillcolor=255)
    page = speckle(page, 4000, seed=1)
    page.save(HERE / "scanned_notice.pdf", "PDF", resolution=300, quality=70)
    (HERE / "scanned_notice.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def make_photo(lines: list[str]) -> None:
    page = render_page(lines, 200, paper=215, ink=45)
    page = page.crop((0, 0, page.width, round(page.height * 0.6)))
    page = page.rotate(1.0, resample=Image.Resampling.BICUBIC, fillcolor=190)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    down = Image.linear_gradient("L")
    light = Image.blend(down, down.transpose(Image.Transpose.ROTATE_90), 0.5).resize(page.size)
    page = Image.blend(page, light, 0.15)
    page.save(HERE / "photo_notice.png", optimize=True)


def small_scan(text: str) -> Image.Image:
    """A 2 x 1 inch strip at 300 dpi holding one short line."""
    strip = Image.new("L", (600, 300), 255)
    font = ImageFont.truetype(str(FONT), 42)
    ImageDraw.Draw(strip).text((40, 110), text, font=font, fill=0)
    return strip


def make_blank_pages() -> None:
    pages = [small_scan(f"Trang {number}") for number in range(1, 13)]
    pages[0].save(
        HERE / "blank_pages.pdf", "PDF", resolution=300, save_all=True, append_images=pages[1:]
    )


def make_doc(lines: list[str], workdir: Path) -> None:
    """notice.doc via LibreOffice from a python-docx .docx; also its PDF for mixed.pdf."""
    document = docx.Document()
    document.add_heading(lines[1], level=1)
    for paragraph in paragraphs(lines):
        document.add_paragraph(paragraph)
    table = document.add_table(rows=2, cols=2)
    cells = [("Địa phương", "Cấp độ dịch"), ("Thành phố Pleiku", "Cấp độ 2 (vàng)")]
    for row, values in zip(table.rows, cells, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("Nơi nhận: Các huyện ủy, thị ủy, thành ủy; lưu Văn phòng Tỉnh ủy.")
    source = workdir / "notice.docx"
    document.save(str(source))
    soffice = shutil.which("soffice")
    assert soffice, "install libreoffice-writer-nogui to make notice.doc"
    for target in ("doc:MS Word 97", "pdf"):
        subprocess.run(
            [soffice, "--headless", "--convert-to", target, "--outdir", str(workdir), str(source)],
            check=True,
            timeout=300,
            capture_output=True,
        )
    shutil.copyfile(workdir / "notice.doc", HERE / "notice.doc")
    (HERE / "damaged.doc").write_bytes((HERE / "notice.doc").read_bytes()[:2048])
    make_mixed(workdir / "notice.pdf")


def make_mixed(text_pdf: Path) -> None:
    buffer = io.BytesIO()
    small_scan("Trang quét số hai").save(buffer, "PDF", resolution=300)
    writer = PdfWriter()
    writer.add_page(PdfReader(text_pdf).pages[0])
    writer.add_page(PdfReader(buffer).pages[0])
    with (HERE / "mixed.pdf").open("wb") as out:
        writer.write(out)


def make_damaged_pdfs() -> None:
    (HERE / "truncated.pdf").write_bytes((HERE / "scanned_notice.pdf").read_bytes()[:700])
    (HERE / "unknown_filter.pdf").write_bytes(pdf_with_filter(b"/NoSuchDecode"))


def pdf_with_filter(name: bytes) -> bytes:
    """A minimal, well-formed one-page PDF whose content stream claims the filter `name`."""
    content = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter %s >>\nstream\n%s\nendstream" % (len(content), name, content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PORTAL_PAGE = """<!DOCTYPE html>
<html lang="vi">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Thông báo kết luận - Cổng thông tin điện tử tỉnh Gia Lai</title>
<style>.menu-top li {{ display: inline; }} body {{ font-family: Arial; }}</style>
<script>var menuItems = ["Trang chủ", "Giới thiệu"]; function toggleMenu() {{ return 1 < 2; }}
</script>
</head>
<body>
<header id="site-header"><div class="logo">CỔNG THÔNG TIN ĐIỆN TỬ TỈNH GIA LAI</div>
<form class="search" action="/tim-kiem"><input name="q" placeholder="Tìm kiếm">
<button>Tìm kiếm</button></form></header>
<nav class="navbar"><ul class="menu-top"><li><a href="/">Trang chủ</a></li>
<li><a href="/gioi-thieu">Giới thiệu chung</a></li><li><a href="/tin-tuc">Tin tức sự kiện</a>
</li><li><a href="/lien-he">Liên hệ</a></li></ul></nav>
<div id="breadcrumb"><a href="/">Trang chủ</a> &raquo; <a href="/van-ban">Văn bản chỉ đạo</a>
</div>
<div class="wrapper">
<div class="col-left"><div class="left-menu"><ul><li>Cơ cấu tổ chức</li>
<li>Dịch vụ công trực tuyến</li></ul></div></div>
<main>
<article class="news-detail">
<header><h1 class="title">{title}</h1>
<p class="date">Cập nhật&nbsp;ngày 17/09/2021 08:15</p></header>
{paragraphs}
<table class="levels"><tr><th>Địa phương</th><th>Cấp độ dịch</th></tr>
<tr><td>Thành phố Pleiku</td><td>Cấp độ 2 (vàng)</td></tr></table>
<footer class="share">Chia sẻ bài viết: Facebook | Zalo | In trang</footer>
<script>trackView("thong-bao-ket-luan");</script>
</article>
</main>
<aside class="sidebar"><h3>Tin mới nhất</h3><ul><li>Lịch tiếp công dân tháng 10</li>
<li>Kết quả xổ số kiến thiết</li></ul></aside>
<div class="menu-bottom"><a href="/so-do">Sơ đồ cổng</a></div>
</div>
<footer id="footer"><p>Bản quyền thuộc Ủy ban nhân dân tỉnh Gia Lai.
Địa chỉ: số 69 Hùng Vương, thành phố Pleiku. Điện thoại: 0269.3824.111</p></footer>
<noscript>Trình duyệt của bạn không hỗ trợ JavaScript.</noscript>
<script src="/js/analytics.js"></script>
</body>
</html>
"""


def make_portal_page(lines: list[str]) -> None:
    """The notice's opening and points 1-2 inside a portal page; some letters as entities."""
    encoded = [p.replace("ố", "&#7889;").replace(" - ", " &ndash; ") for p in paragraphs(lines)]
    html = PORTAL_PAGE.format(
        title=" ".join(lines[:3]),
        paragraphs="\n".join(f"<p>{p}</p>" for p in encoded),
    )
    (HERE / "portal_page.html").write_text(html, encoding="utf-8")


def main() -> None:
    lines = notice_lines(SCAN_LINES)
    make_scan(lines)
    make_photo(lines)
    make_blank_pages()
    make_damaged_pdfs()
    make_portal_page(lines)
    with tempfile.TemporaryDirectory() as workdir:
        make_doc(lines, Path(workdir))


if __name__ == "__main__":
    main()
