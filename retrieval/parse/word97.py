"""Read an old Word 97-2003 .doc file with antiword, or catdoc when antiword cannot.

Many provincial notices are still typed in Word 2003 and sent as .doc. antiword (0.37) reads
Word 97-2003 text as Unicode and writes UTF-8 with `-m UTF-8.txt`, a paragraph per line
(`-w 0`: no wrapping), tables as "|cell|cell|" rows; catdoc reads some files antiword refuses
(and RTF). Both are small Debian packages, so no office suite is needed.

A file named .doc is not always one: the first bytes tell a Word file (OLE2) from an RTF file
(read by catdoc), a web page saved as .doc (read as HTML, as portals' "download" buttons give)
and a .docx renamed .doc (refused with the fix: rename it).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from retrieval.errors import ParseError
from retrieval.parse.extracted import Extracted, ReadLimits
from retrieval.parse.html_reader import html_charset, read_html
from retrieval.parse.tools import (
    ANTIWORD,
    CATDOC,
    Tool,
    ToolMissingError,
    find_tool,
    missing_tool,
    one_line,
    read_head,
    run_tool,
    tool_message,
)

KIND = "Word 97-2003 .doc"
RTF_NOTE = "tệp .doc này là định dạng RTF"
HTML_NOTE = "tệp .doc này là một trang web (HTML)"
CATDOC_NOTE = "đọc bằng catdoc (antiword không đọc được)"
WORD_TOOLS = Tool("antiword", "antiword catdoc", "reading Word 97-2003 .doc files")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_RTF = b"{\\rtf"
_HTML_START = re.compile(rb"\s*(?:<!doctype\s+html|<html|<\?xml[^>]*>\s*<html|<head|<meta)", re.I)
_HEAD_BYTES = 1024
_TABLE_ROW = re.compile(r"^\|(.*)\|$")
_PICTURE = re.compile(r"^\s*\[pic\]\s*$")


def read_doc(path: Path, limits: ReadLimits) -> Extracted:
    """The text of an old Word .doc (or of an RTF or web page that was named .doc).

    Args:
        path: the .doc file.
        limits: `convert_seconds` bounds antiword and catdoc.

    Returns:
        The paragraphs, separated by blank lines; table rows as "cell | cell".

    Raises:
        ParseError: the file is damaged or not a Word file, the converter took too long, or
            neither antiword nor catdoc is installed.
    """
    head = read_head(path, _HEAD_BYTES)
    if head.startswith(_OLE2):
        return _read_word(path, limits.convert_seconds)
    if head.startswith(_RTF):
        text = _catdoc(path, limits.convert_seconds)
        return Extracted(text, KIND, (RTF_NOTE,))
    if head.startswith(_ZIP):
        raise ParseError(str(path), "this is a Word 2007+ file named .doc; rename it to .docx")
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        page = read_html(_decode_page(path))
        return Extracted(page.text, page.kind, (HTML_NOTE, *page.notes))
    raise ParseError(str(path), "not a Word .doc file")


def _read_word(path: Path, seconds: float) -> Extracted:
    """Read with antiword (better paragraphs and tables); catdoc if it fails or is absent.

    If both fail, antiword's reason is given, unless antiword is not installed; if neither is
    installed, the error names both packages.
    """
    try:
        text = _antiword(path, seconds)
        if text:
            return Extracted(text, KIND)
        first: ParseError = ParseError(str(path), "not a readable .doc file (antiword: no text)")
    except ParseError as failed:
        first = failed
    try:
        return Extracted(_catdoc(path, seconds), KIND, (CATDOC_NOTE,))
    except ParseError as second:
        if not isinstance(first, ToolMissingError):
            raise first from None
        if isinstance(second, ToolMissingError):
            raise missing_tool(WORD_TOOLS, path) from None
        raise


def _antiword(path: Path, seconds: float) -> str:
    output = _convert(ANTIWORD, ["-m", "UTF-8.txt", "-w", "0"], path, seconds)
    return _paragraphs(_antiword_lines(output))


def _catdoc(path: Path, seconds: float) -> str:
    output = _convert(CATDOC, ["-d", "utf-8", "-w"], path, seconds)
    return _paragraphs(line.replace("\t", " | ") for line in output.splitlines())


def _convert(tool: Tool, options: list[str], path: Path, seconds: float) -> str:
    """The tool's UTF-8 output for the file, or a one-line ParseError saying why not."""
    command = find_tool(tool, path)
    try:
        done = run_tool([command, *options, str(path.absolute())], seconds)
    except subprocess.TimeoutExpired as exc:
        raise ParseError(
            str(path), f"{tool.command} took longer than {seconds:g} s to read the .doc file"
        ) from exc
    except OSError as exc:
        raise ParseError(str(path), f"cannot run {tool.command}: {one_line(str(exc))}") from exc
    if done.returncode != 0:
        reason = tool_message(done.stderr)
        raise ParseError(str(path), f"not a readable .doc file ({tool.command}: {reason})")
    return done.stdout.decode("utf-8", errors="replace")


def _antiword_lines(output: str) -> list[str]:
    """The lines antiword wrote, "[pic]" placeholders dropped, table rows as "a | b"."""
    lines = []
    for line in output.splitlines():
        if _PICTURE.match(line):
            continue
        row = _TABLE_ROW.match(line.strip())
        if row:
            line = " | ".join(cell.strip() for cell in row.group(1).split("|"))
        lines.append(line)
    return lines


def _paragraphs(lines: Iterable[str]) -> str:
    """One paragraph per non-empty line (both tools write a paragraph a line), blank-separated.

    The rows of a table ("a | b") stay together, a line each, as one paragraph.
    """
    out: list[str] = []
    for raw in lines:
        line = " ".join(raw.replace("\f", " ").split())
        if not line:
            continue
        if " | " in line and out and " | " in out[-1].rpartition("\n")[2]:
            out[-1] += "\n" + line
        else:
            out.append(line)
    return "\n\n".join(out)


def _decode_page(path: Path) -> str:
    """A web page's text in the charset it declares, else UTF-8, else Windows-1258."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ParseError(str(path), f"cannot read file: {one_line(str(exc))}") from exc
    charset = html_charset(data)
    if charset is not None:
        return data.decode(charset, errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")
