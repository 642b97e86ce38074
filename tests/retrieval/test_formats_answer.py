"""Each kind of file a province sends answers a question from its own text (real e5, real OCR).

The fixtures (tests/data/readers, tests/data/legacy) hold the opening of two bundled notices
as a scan, a photo, a Word 97-2003 file, a portal page, legacy-encoded text and template
.docx files. Ingested into one fresh index, each must answer a question about its text, by
itself (filtered to it), with a quote in properly accented Vietnamese.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.settings import Settings
from bot.wiring import build_answerer, build_library
from retrieval import Answerer, SearchFilters
from tests.helpers.asking import ask
from tests.helpers.system_tools import require_programs

DATA = Path(__file__).resolve().parents[1] / "data"
GIA_LAI_QUESTION = "Thường trực Tỉnh ủy đánh giá cao những ai?"
GIA_LAI_WORDS = "đánh giá cao các cấp ủy, chính quyền"
KIEN_GIANG_QUESTION = "Trong 7 ngày qua công tác phòng, chống dịch ở Kiên Giang đạt kết quả gì?"
KIEN_GIANG_WORDS = "tiếp tục đạt được kết quả tích cực"
DISTANCING_QUESTION = "Các cấp ủy, chính quyền phải tiếp tục làm gì về giãn cách xã hội?"
DISTANCING_WORDS = "tiếp tục thực hiện nghiêm việc giãn cách xã hội"

CASES = [
    ("readers/scanned_notice.pdf", GIA_LAI_QUESTION, GIA_LAI_WORDS, "PDF quét (OCR)"),
    ("readers/photo_notice.png", GIA_LAI_QUESTION, GIA_LAI_WORDS, "ảnh (OCR)"),
    ("readers/notice.doc", GIA_LAI_QUESTION, GIA_LAI_WORDS, "Word 97-2003 .doc"),
    ("readers/portal_page.html", GIA_LAI_QUESTION, GIA_LAI_WORDS, "trang web .html"),
    ("legacy/notice_tcvn3.txt", KIEN_GIANG_QUESTION, KIEN_GIANG_WORDS, "văn bản .txt"),
    ("legacy/notice_vni.txt", KIEN_GIANG_QUESTION, KIEN_GIANG_WORDS, "văn bản .txt"),
    ("legacy/notice_cp1258.txt", KIEN_GIANG_QUESTION, KIEN_GIANG_WORDS, "văn bản .txt"),
    ("legacy/notice_utf16le.txt", KIEN_GIANG_QUESTION, KIEN_GIANG_WORDS, "văn bản .txt"),
    ("legacy/template.docx", KIEN_GIANG_QUESTION, KIEN_GIANG_WORDS, "Word .docx"),
    ("legacy/vntime.docx", DISTANCING_QUESTION, DISTANCING_WORDS, "Word .docx"),
]


@pytest.fixture(scope="module")
def formats(tmp_path_factory: pytest.TempPathFactory) -> tuple[Answerer, dict[str, str]]:
    """An index of the fixtures only, and the document id of each fixture."""
    require_programs("tesseract", "pdftoppm", "antiword")
    root = tmp_path_factory.mktemp("formats")
    settings = Settings.from_env({"CHITHI_DATA_DIR": str(root / "data")})
    library = build_library(settings)
    files = root / "in"
    files.mkdir()
    for name, *_ in CASES:
        shutil.copy(DATA / name, files / Path(name).name)
    results = library.ingest([files])
    assert [r.error for r in results if r.error] == []
    ids = {Path(r.path).name: r.doc_id or "" for r in results}
    kinds = {Path(r.path).name: r.kind or "" for r in results}
    for name, *_, kind in CASES:
        assert kinds[Path(name).name] == kind
    return build_answerer(settings, library), ids


@pytest.mark.parametrize(("name", "question", "words", "kind"), CASES)
def test_each_kind_of_file_answers_from_its_own_text(
    formats: tuple[Answerer, dict[str, str]], name: str, question: str, words: str, kind: str
) -> None:
    answerer, ids = formats
    answer = ask(answerer, question, filters=SearchFilters(doc_id=ids[Path(name).name]))
    assert answer.status == "answered", answer.text
    assert any(words in c.quote for c in answer.citations), [c.quote for c in answer.citations]
