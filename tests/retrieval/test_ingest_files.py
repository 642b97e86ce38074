"""Every notice of a file goes in under an id of its own; no file loses data or stops the rest."""

from __future__ import annotations

from pathlib import Path

from retrieval import Searcher
from retrieval.parse import ReadLimits, doc_id_for
from tests.helpers.documents import NOTICE_TEXT, hashing_library


def _notice(province: str, day: int, body: str = NOTICE_TEXT) -> str:
    """A notice in the administrative template: its masthead names the province and date."""
    return (
        f"TỈNH ỦY {province.upper()}\n*\nSố {day}-TB/TU\n\nĐẢNG CỘNG SẢN VIỆT NAM\n"
        f"{province}, ngày {day} tháng 9 năm 2021\n\n{body}"
    )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_dated_file_names_do_not_collide(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "2021.09.13 Kiên Giang.txt", _notice("Kiên Giang", 13))
    _write(folder / "2021.09.16 Gia Lai.txt", _notice("Gia Lai", 16))
    library = hashing_library(tmp_path)
    results = library.ingest([folder])
    assert [r.doc_id for r in results] == ["2021-09-13-Kien-Giang", "2021-09-16-Gia-Lai"]
    assert not any(r.replaced for r in results)
    assert {d.meta.province for d in library.documents()} == {"Kiên Giang", "Gia Lai"}


def test_two_names_that_make_the_same_id_both_stay(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "Kiên Giang.txt", _notice("Kiên Giang", 13))
    _write(folder / "Kien Giang.txt", _notice("Gia Lai", 16))
    assert doc_id_for(folder / "Kiên Giang.txt") == doc_id_for(folder / "Kien Giang.txt")
    library = hashing_library(tmp_path)
    results = library.ingest([folder])
    assert len({r.doc_id for r in results}) == 2
    assert all(r.error is None for r in results)
    assert len(library.documents()) == 2
    # Stable: the same files again change nothing and keep their ids.
    again = library.ingest([folder])
    assert [r.doc_id for r in again] == [r.doc_id for r in results]
    assert not any(r.changed for r in again)


def test_a_new_version_of_a_notice_replaces_it(tmp_path: Path) -> None:
    path = tmp_path / "kh.txt"
    path.write_text(NOTICE_TEXT, encoding="utf-8")
    library = hashing_library(tmp_path)
    [first] = library.ingest([path])
    path.write_text(NOTICE_TEXT.replace("trong 7 ngày", "trong 14 ngày"), encoding="utf-8")
    [second] = library.ingest([path])
    assert (second.doc_id, second.changed, second.replaced) == (first.doc_id, True, True)
    assert len(library.documents()) == 1


def test_a_different_notice_under_a_known_name_is_not_replaced_without_asking(
    tmp_path: Path,
) -> None:
    _write(tmp_path / "a" / "thong-bao.txt", _notice("Kiên Giang", 13))
    _write(tmp_path / "b" / "thong-bao.txt", _notice("Gia Lai", 16))
    library = hashing_library(tmp_path)
    library.ingest([tmp_path / "a" / "thong-bao.txt"])
    [refused] = library.ingest([tmp_path / "b" / "thong-bao.txt"])
    assert refused.conflict == "thong-bao"
    assert refused.error is not None
    assert "different notice" in refused.error
    assert "--replace" in refused.error
    assert [d.meta.province for d in library.documents()] == ["Kiên Giang"]
    [replaced] = library.ingest([tmp_path / "b" / "thong-bao.txt"], replace=True)
    assert replaced.replaced
    assert [d.meta.province for d in library.documents()] == ["Gia Lai"]


def test_a_document_keeps_the_id_it_was_given_when_its_file_comes_again(tmp_path: Path) -> None:
    path = tmp_path / "Chỉ thị 15.txt"
    path.write_text(NOTICE_TEXT, encoding="utf-8")
    library = hashing_library(tmp_path)
    [given] = library.ingest([path], doc_id="ct15-old-id")
    path.write_text(NOTICE_TEXT.replace("trong 7 ngày", "trong 10 ngày"), encoding="utf-8")
    [again] = library.ingest([path])
    assert given.doc_id == again.doc_id == "ct15-old-id"
    assert [d.meta.doc_id for d in library.documents()] == ["ct15-old-id"]


def _two_notices() -> str:
    second = (
        NOTICE_TEXT.replace("Ngày 02/3/2022", "Ngày 05/4/2022")
        .replace("trong 7 ngày", "trong 5 ngày")
        .replace("Nguyễn Văn An", "Trần Thị Bình")
    )
    return "TỈNH ỦY LAI CHÂU\n\n" + NOTICE_TEXT + "\n\nTỈNH ỦY LAI CHÂU\n\n" + second


def test_a_file_with_two_notices_gives_two_documents(tmp_path: Path) -> None:
    path = tmp_path / "tuan-nay.txt"
    path.write_text(_two_notices(), encoding="utf-8")
    library = hashing_library(tmp_path)
    results = library.ingest([path])
    assert [r.doc_id for r in results] == ["tuan-nay", "tuan-nay-2"]
    assert all("tách thành 2 văn bản" in r.notes for r in results)
    signers = {d.meta.doc_id: d.meta.signer for d in library.documents()}
    assert signers == {"tuan-nay": "Nguyễn Văn An", "tuan-nay-2": "Trần Thị Bình"}
    first = library.paragraphs("tuan-nay")
    assert not any("5 ngày" in p.text for p in first)  # the second notice is not its signature
    hits = Searcher(library).search("cách ly tập trung trong 5 ngày", k=1)
    assert hits[0].paragraph.doc_id == "tuan-nay-2"
    # The file later holds one notice: the second document goes.
    path.write_text(NOTICE_TEXT, encoding="utf-8")
    library.ingest([path])
    assert [d.meta.doc_id for d in library.documents()] == ["tuan-nay"]


def test_a_folder_reports_every_file_it_cannot_read_and_indexes_the_rest(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    _write(folder / "good.txt", _notice("Kiên Giang", 13))
    (folder / "photo.xyz").write_bytes(bytes(range(256)) * 40)
    (folder / "fake.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "fake.pdf").write_bytes(b"%PDF-1.4\n1 0 obj garbage")
    (folder / "archive.zip").write_bytes(_zip_without_docx(tmp_path))
    (folder / "good.meta.json").write_text("{}", encoding="utf-8")  # a sidecar, not a file
    library = hashing_library(tmp_path)
    results = library.ingest([folder])
    errors = {Path(r.path).name: r.error for r in results if r.error}
    assert set(errors) == {"photo.xyz", "fake.docx", "fake.pdf", "archive.zip"}
    for name, error in errors.items():
        assert error is not None
        assert name in error
        assert "\n" not in error
        assert "Traceback" not in error
    assert [d.meta.doc_id for d in library.documents()] == ["good"]


def _zip_without_docx(tmp_path: Path) -> bytes:
    import zipfile

    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "xin chào")
    return path.read_bytes()


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_text(NOTICE_TEXT * 20, encoding="utf-8")
    library = hashing_library(tmp_path)
    library.limits = ReadLimits(max_file_bytes=4096)
    [result] = library.ingest([path])
    assert result.error is not None
    assert "limit" in result.error
    assert library.is_empty()


def test_a_web_page_saved_as_txt_is_read_as_html(tmp_path: Path) -> None:
    body = "".join(f"<p>{line}</p>" for line in NOTICE_TEXT.split("\n") if line)
    page = (
        "<!DOCTYPE html><html><head><title>Cổng thông tin</title><script>var a=1;</script>"
        f"</head><body><nav>Trang chủ | Tin tức</nav><article>{body}</article>"
        "<footer>Bản quyền thuộc Tỉnh ủy</footer></body></html>"
    )
    path = tmp_path / "page.txt"
    path.write_text(page, encoding="utf-8")
    library = hashing_library(tmp_path)
    [result] = library.ingest([path])
    assert result.error is None
    text = " ".join(p.text for p in library.paragraphs(result.doc_id or ""))
    assert "<p>" not in text
    assert "var a" not in text
    assert "cách ly tập trung người nhập cảnh trong 7 ngày" in text


def _ingest_in_a_process(data_dir: str, files: list[str]) -> list[str]:
    # One file at a time, as separate uploads do: each saves the lexical files once.
    library = hashing_library(Path(data_dir))
    return [r.error or "" for f in files for r in library.ingest([Path(f)])]


def test_two_ingests_at_once_on_one_data_folder_keep_every_file(tmp_path: Path) -> None:
    import multiprocessing

    first = [
        str(_write(tmp_path / "a" / f"a{i}.txt", _notice("Kiên Giang", i + 1))) for i in range(20)
    ]
    second = [
        str(_write(tmp_path / "b" / f"b{i}.txt", _notice("Gia Lai", i + 1))) for i in range(20)
    ]
    data = tmp_path / "data"
    hashing_library(data)  # the store exists before both start, as after `make run`
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        runs = [
            pool.apply_async(_ingest_in_a_process, (str(data), files)) for files in (first, second)
        ]
        errors = [e for run in runs for e in run.get(timeout=300) if e]
    assert errors == []
    reopened = hashing_library(data)
    assert len(reopened.documents()) == 40
    assert len(reopened.lexical) == reopened.store.count()  # the lexical side is whole too


def test_a_lexical_folder_that_cannot_be_written_does_not_stop_ingest_or_asks(
    tmp_path: Path,
) -> None:
    from retrieval import Library
    from tests.helpers.embedders import HashingEmbedder
    from vectorstore import ParagraphStore

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the lexical folder's parent should be", encoding="utf-8")
    store = ParagraphStore.persistent(str(tmp_path / "chroma"), embedder=HashingEmbedder())
    library = Library(store, lexical_dir=blocker / "lexical")  # root ignores chmod; this fails
    [result] = library.ingest([_write(tmp_path / "kh.txt", NOTICE_TEXT)])
    assert result.error is None
    hits = Searcher(library).search("cách ly tập trung người nhập cảnh", k=1)
    assert "7 ngày" in hits[0].paragraph.text
