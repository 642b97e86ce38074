"""Hostile and huge files: how long reading each takes, and its peak memory (parse only).

    .venv/bin/python bench/hostile.py

Each file is read by `load_notices` in a child process of its own (peak RSS: VmHWM): the
target is a one-line reason within 30 s and under 1 GB, and a linear time for
large files that are within the limits. Embedding is not measured (docs/benchmarks.md).
"""

from __future__ import annotations

import multiprocessing
import tempfile
import time
import zipfile
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.parse import load_notices

REPO = Path(__file__).resolve().parents[1]
NOTICE = (REPO / "data" / "notices" / "001_5c18a4811e1b304d.txt").read_text(encoding="utf-8")


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(1100):  # 1.1 GB unpacked
                part.write(chunk)


def _billion_laughs(path: Path) -> None:
    entities = '<!ENTITY a0 "ha">' + "".join(
        f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10)
    )
    xml = f'<?xml version="1.0"?><!DOCTYPE w [{entities}]><w:document>&a9;</w:document>'
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", xml)


def _wrapped_text(path: Path, megabytes: int) -> None:
    line = "Tăng cường công tác tuyên truyền phòng, chống dịch trên địa bàn tỉnh và các huyện\n"
    repeats = megabytes * (1 << 20) // len(line.encode())
    path.write_text("THÔNG BÁO\n\n" + line * repeats, encoding="utf-8")


def _notices_text(path: Path, megabytes: int) -> None:
    repeats = max(1, megabytes * (1 << 20) // len(NOTICE.encode()))
    path.write_text(NOTICE * repeats, encoding="utf-8")


def _measure(path: str, queue: multiprocessing.Queue) -> None:
    started = time.perf_counter()
    try:
        loaded = load_notices(Path(path))
        outcome = f"read: {len(loaded.notices)} notices"
    except ParseError as exc:
        outcome = f"refused: {exc.reason}"
    seconds = time.perf_counter() - started
    queue.put((outcome, seconds, _peak_mb()))


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike getrusage's maxrss, it is not
    carried over from the parent that forked this child)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="chithi-hostile-"))
    cases = {
        "zip bomb .docx (1.1 GB unpacked)": ("bomb.docx", _zip_bomb),
        "entity loop .docx": ("laughs.docx", _billion_laughs),
        "200 MB hard-wrapped .txt": ("big200.txt", lambda p: _wrapped_text(p, 200)),
        "48 MB hard-wrapped .txt": ("big48.txt", lambda p: _wrapped_text(p, 48)),
        "19 MB hard-wrapped .txt": ("big19.txt", lambda p: _wrapped_text(p, 19)),
        "12 MB hard-wrapped .txt": ("big12.txt", lambda p: _wrapped_text(p, 12)),
        "12 MB of notices one after the other": ("many.txt", lambda p: _notices_text(p, 12)),
    }
    context = multiprocessing.get_context("spawn")
    for label, (name, make) in cases.items():
        path = work / name
        make(path)
        queue: multiprocessing.Queue = context.Queue()
        child = context.Process(target=_measure, args=(str(path), queue))
        child.start()
        outcome, seconds, peak = queue.get(timeout=600)
        child.join()
        size = path.stat().st_size / (1 << 20)
        figures = f"{size:7.1f} MB file  {seconds:7.2f} s  peak {peak:6.0f} MB"
        print(f"{label:<38} {figures}  {outcome[:90]}")
        path.unlink()


if __name__ == "__main__":
    main()
