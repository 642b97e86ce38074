"""The system tools the readers call (tesseract, pdftoppm, antiword, catdoc), run safely.

Every call has a timeout, no shell, no standard input and an absolute file name (so a file
called "-x.png" is not read as an option). A missing tool is a ParseError that names the
Debian packages and `make setup-system`, because the one who can fix it is whoever runs the
bot, not the cadre who uploaded the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from retrieval.errors import ParseError

OCR_LANGUAGE = "vie"
# Page segmentation mode 4 ("one column of text of various sizes"): as accurate as 6 ("one
# uniform block") on notice bodies, and it keeps the two-column header of an official notice
# ("TỈNH ỦY ... / Số 125-TB/TU") right where 6 misread the number; 3 (automatic) is slower.
# bench/ocr.py measures it.
OCR_PAGE_MODE = "4"
# One thread per tesseract: on a busy 2-core machine, OpenMP's waiting threads made one page
# take 90-150 s instead of 1.5 s.
_TOOL_ENV = {"OMP_THREAD_LIMIT": "1"}
_REASON_CHARS = 160


@dataclass(frozen=True)
class Tool:
    """A command the readers need, the Debian packages that install it, and what needs it."""

    command: str
    packages: str
    needed_for: str


TESSERACT = Tool("tesseract", "tesseract-ocr tesseract-ocr-vie", "reading scans and photos")
PDFTOPPM = Tool("pdftoppm", "poppler-utils", "reading scanned PDF pages")
ANTIWORD = Tool("antiword", "antiword", "reading Word 97-2003 .doc files")
CATDOC = Tool("catdoc", "catdoc", "reading Word 97-2003 .doc files")


class UnreadableImageError(Exception):
    """A page or image could not be read (rendered, or OCR'd); the message says why, briefly."""


class ToolMissingError(ParseError):
    """A tool a reader needs is not installed (the message says which packages install it)."""


def missing_tool(tool: Tool, path: Path) -> ToolMissingError:
    """The error for a tool that is not installed: what to install, and how."""
    return ToolMissingError(
        str(path),
        f"{tool.command} is not installed ({tool.needed_for}); install the Debian packages "
        f"{tool.packages} (make setup-system)",
    )


def find_tool(tool: Tool, path: Path) -> str:
    """The tool's full path, or a ParseError saying how to install it."""
    return find_tools([tool], path)[0]


def find_tools(tools: list[Tool], path: Path) -> list[str]:
    """The tools' full paths, or one ParseError naming every missing one and its packages."""
    found = [shutil.which(tool.command) for tool in tools]
    missing = [tool for tool, where in zip(tools, found, strict=True) if where is None]
    if missing:
        if len(missing) == 1:
            raise missing_tool(missing[0], path)
        commands = " and ".join(tool.command for tool in missing)
        packages = " ".join(tool.packages for tool in missing)
        raise ToolMissingError(
            str(path),
            f"{commands} are not installed ({missing[0].needed_for}); install the Debian "
            f"packages {packages} (make setup-system)",
        )
    return [where for where in found if where is not None]


def run_tool(argv: list[str], timeout: float) -> subprocess.CompletedProcess[bytes]:
    """Run a command with a timeout, capturing its output.

    Raises:
        subprocess.TimeoutExpired: it ran longer than `timeout` (it has been killed), or the
            time was up before it started.
        OSError: it could not be started.
    """
    if timeout <= 0:
        raise subprocess.TimeoutExpired(argv, 0)
    return subprocess.run(
        argv,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **_TOOL_ENV},
    )


def tool_message(stderr: bytes) -> str:
    """A tool's complaint as one short line: its first line that says "error", else its first."""
    lines = [" ".join(line.split()) for line in stderr.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if "error" in line.lower()]
    return (errors or lines or ["no message"])[0][:_REASON_CHARS]


def read_head(path: Path, size: int) -> bytes:
    """The first `size` bytes of a file, to tell its kind; a ParseError if it cannot be read."""
    try:
        with path.open("rb") as file:
            return file.read(size)
    except OSError as exc:
        raise ParseError(str(path), f"cannot read file: {one_line(str(exc))}") from exc


def one_line(text: str) -> str:
    """Any message (an exception's) as one short line."""
    return " ".join(text.split())[:_REASON_CHARS]


def ocr_image(image: Path, source: Path, timeout: float) -> str:
    """The Vietnamese text tesseract reads in one image file.

    Args:
        image: the image (PNG, PGM, JPEG, TIFF) to read.
        source: the file the user gave, named in errors.
        timeout: seconds before tesseract is stopped.

    Raises:
        ParseError: tesseract or its Vietnamese data is not installed (nothing the user can
            fix by sending another file).
        UnreadableImageError: tesseract cannot read this image.
        subprocess.TimeoutExpired: it took longer than `timeout`; the caller decides.
    """
    command = find_tool(TESSERACT, source)
    argv = [command, str(image.absolute()), "stdout", "-l", OCR_LANGUAGE, "--psm", OCR_PAGE_MODE]
    try:
        done = run_tool(argv, timeout)
    except OSError as exc:
        raise ParseError(str(source), f"cannot run tesseract: {one_line(str(exc))}") from exc
    if done.returncode != 0:
        if b"Failed loading language" in done.stderr or b"Error opening data file" in done.stderr:
            raise ToolMissingError(
                str(source),
                "tesseract has no Vietnamese data; install the Debian package tesseract-ocr-vie "
                "(make setup-system)",
            )
        raise UnreadableImageError(tool_message(done.stderr))
    return clean_ocr_text(done.stdout.decode("utf-8", errors="replace"))


def clean_ocr_text(text: str) -> str:
    """Tesseract's output without its form feed and trailing spaces; blank lines kept."""
    lines = [line.rstrip() for line in text.replace("\f", "\n").splitlines()]
    return "\n".join(lines).strip("\n")
