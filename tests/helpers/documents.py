"""Build small notice files in every supported format, and a private index over them."""

from __future__ import annotations

from pathlib import Path

from retrieval import Library
from tests.helpers.embedders import HashingEmbedder
from vectorstore import ParagraphStore

NOTICE_TEXT = """THÔNG BÁO
KẾT LUẬN CỦA BAN THƯỜNG VỤ TỈNH ỦY
về phòng, chống dịch Covid-19

Ngày 02/3/2022, Ban Thường vụ Tỉnh ủy họp và kết luận như sau:

1. Tiếp tục cách ly tập trung người nhập cảnh trong 7 ngày.

2. Các huyện thực hiện tốt:

- Tiêm vắc xin mũi 3 cho người trên 18 tuổi.
- Đeo khẩu trang nơi công cộng.

Nơi nhận:
- Các huyện ủy,
- Lưu VPTU.

T/M BAN THƯỜNG VỤ
BÍ THƯ

Nguyễn Văn An
"""


def write_docx(path: Path, text: str) -> Path:
    """A .docx whose paragraphs are the text's lines."""
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(str(path))
    return path


def write_pdf(path: Path, lines: list[str]) -> Path:
    """A minimal one-page PDF (Helvetica, ASCII text) that pypdf can extract."""
    content = (
        "BT /F1 11 Tf 50 800 Td 14 TL "
        + " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj T*" for line in lines)
        + " ET"
    )
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = "%PDF-1.4\n"
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n{body}\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    path.write_bytes(out.encode("latin-1"))
    return path


def hashing_library(tmp_path: Path, *, fail_after: int | None = None) -> Library:
    """A Library in tmp_path with the fast deterministic embedder."""
    store = ParagraphStore.persistent(
        str(tmp_path / "chroma"), embedder=HashingEmbedder(fail_after=fail_after)
    )
    return Library(store, lexical_dir=tmp_path / "lexical")


def mobile_vaccination_paragraph(teams: int) -> str:
    """One long paragraph: `teams` sentences about mobile vaccination teams (~145 chars each)."""
    return " ".join(
        f"Tổ tiêm lưu động số {n} đến ấp {n} xã Phú Mỹ tiêm vắc xin cho người cao tuổi và người "
        "có bệnh nền tại nhà, ghi nhận kết quả vào sổ theo dõi của trạm y tế xã."
        for n in range(1, teams + 1)
    )


def mobile_vaccination_notice(paragraph: str) -> str:
    """A Bến Tre notice whose only section is `paragraph`."""
    return f"""THÔNG BÁO
KẾT LUẬN CỦA BAN CHỈ ĐẠO TỈNH BẾN TRE
về tiêm vắc xin lưu động

Ngày 07/3/2022, Ban Chỉ đạo kết luận:

1. {paragraph}

T/M BAN CHỈ ĐẠO
Trần Văn Bình
"""
