"""Legal texts as the web publishes them: a law's page, and the Bộ Pháp điển's codified topics.

A legal site's page opens with YAML front matter (its title), sometimes a crawler's note
("> …"), a "## THÔNG TIN VĂN BẢN" table (number, kind, issuer, signer, date; "Đang cập nhật"
means unknown) and "## VĂN BẢN" before the text itself.

A Bộ Pháp điển topic ("Phòng, chống bệnh truyền nhiễm") is such a page holding the articles
of many documents gathered by subject: each is numbered in the code ("Điều 45.7.NĐ.1.11.
Điều kiện …") and followed by its source line ("(Điều 11 Nghị định số 101/2010/NĐ-CP, có
hiệu lực …)"), some by a cross-reference line ("(Điều này có nội dung liên quan đến …)"), and
the page ends with an index of the articles ("## Danh sách điều khoản", "### 4500700…"). The
web copy glues lines together ("… Nghị định này. Điều 45.7.NĐ.1.11. …", "….(Điều này có …")
and wraps long source lines: `separate_codified` gives each its own line again.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass

from retrieval.text import resolve_province
from retrieval.types import CODIFIED_KIND, Origin

logger = logging.getLogger(__name__)

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
_INFO = re.compile(r"^##\s+THÔNG TIN VĂN BẢN\s*$", re.MULTILINE)
_TEXT = re.compile(r"^##\s+VĂN BẢN\s*$", re.MULTILINE)
_RULE = re.compile(r"^---\s*$", re.MULTILINE)
_INDEX = re.compile(r"^##\s+Danh sách điều khoản\s*$", re.MULTILINE)
_ROW = re.compile(r"^\|\s*\**([^|*]+?)\**\s*\|\s*([^|]*?)\s*(?:\||$)")
_LINK = re.compile(r"\[([^\]\n]*)\]\(https?://[^)\s]*\)")
# "### Điều 1. Phạm vi" + blank line + "điều chỉnh": a heading the crawler broke in two.
_BROKEN_HEADING = re.compile(
    r"^(#{1,6}[ \t]*Điều[ \t]+\d+[a-zđ]?\..*?)[ \t]*\n[ \t]*\n(?=[a-zđà-ỹ])", re.MULTILINE
)
_UNKNOWN = "đang cập nhật"
_FIELDS = {
    "số hiệu": "number", "loại văn bản": "kind", "cơ quan ban hành": "issuer",
    "nơi ban hành": "issuer", "người ký": "signer", "ngày ban hành": "date",
}  # fmt: skip

# "Điều 45.7.NĐ.1.11.": topic 45.7, a Nghị định's (NĐ) article; "Điều 45.4.NĐ.1.129a."
_CODIFIED_NUMBER = r"\d+\.\d+\.[A-ZĐ]{2}\.\d+[a-z]?(?:\.\d+[a-z]?)*"
_CODIFIED_ID = rf"Điều {_CODIFIED_NUMBER}\."
CODIFIED_ARTICLE = re.compile(rf"^Điều ({_CODIFIED_NUMBER})\.?(?:\s+(\S.*))?$")
_KINDS = (
    "Bộ luật|Luật|Pháp lệnh|Nghị quyết liên tịch|Nghị quyết|Nghị định|Thông tư liên tịch"
    "|Thông tư|Quyết định|Chỉ thị|Lệnh"
)
_SOURCE = re.compile(rf"^\(Điều (\d+[a-zđ]?) ({_KINDS}) số ([^\s,()]+)(.*)\)$")
_SOURCE_START = re.compile(rf"^[ \t]*\(\(?Điều \d+[a-zđ]? (?:{_KINDS}) số ", re.MULTILINE)
# "(Điều này có nội dung liên quan đến …)"; a Mục or Chương has them too.
_CROSS_REFERENCE = re.compile(r"\((?:Điều|Mục|Chương|Phần) này có nội dung liên quan")
_UNWRAP_LINES = 12  # a source or cross-reference line wrapped over more lines is left alone


@dataclass(frozen=True)
class LegalPage:
    """A legal site's page: the document's own text, and what the page says about it.

    Attributes:
        text: the text after the page's metadata, without its trailing index of articles,
            links reduced to their words.
        facts: title, kind, number, date (YYYY-MM-DD), issuer, signer and signer_title, as
            a sidecar names them, for those the page states.
    """

    text: str
    facts: dict[str, str]


def read_page(text: str) -> LegalPage | None:
    """The page's text and facts, or None for a text that is no legal site's page.

    A codified topic's table is not read: it describes no one document (one topic's table
    names the law its articles no longer come from). Its kind is `CODIFIED_KIND`.
    """
    info = _INFO.search(text)
    if info is None:
        return None
    front = _FRONT_MATTER.match(text)
    before = text[front.end() if front else 0 : info.start()]
    # The text follows "## VĂN BẢN", or else the rule that closes the metadata section.
    after = _TEXT.search(text, info.end()) or _RULE.search(text, info.end())
    body_start = after.end() if after else info.end()
    table = text[info.end() : after.start() if after else len(text)]
    index = _INDEX.search(text, body_start)
    kept = [line for line in before.split("\n") if not line.lstrip().startswith(">")]
    body = "\n".join([*kept, text[body_start : index.start() if index else len(text)]])
    body = _BROKEN_HEADING.sub(r"\1 ", _LINK.sub(r"\1", body))
    facts = _table_facts(table)
    if is_codified(body):
        if facts:
            logger.debug("A codified topic's table is not its metadata: ignored %s", facts)
        facts = {"kind": CODIFIED_KIND}
    title = _front_title(front.group(1) if front else "") or _first_heading(body)
    return LegalPage(text=body, facts={**facts, "title": title} if title else facts)


def is_codified(text: str) -> bool:
    """True for a Bộ Pháp điển text: articles numbered in the code, with source lines."""
    return bool(
        re.search(rf"^[ \t]*{_CODIFIED_ID}", text, re.MULTILINE) and _SOURCE_START.search(text)
    )


def separate_codified(text: str) -> str:
    """Give every article heading, source line and cross-reference line its own line.

    Cross-references glued to a sentence and article headings glued to the text before
    them are split off; a source or cross-reference line wrapped over several lines is
    joined into one, so that a heading inside it is not taken for an article.
    """
    text = re.sub(r"^([ \t]*)\(\((?=Điều )", r"\1(", text, flags=re.MULTILINE)
    text = re.sub(rf"(?<=\S)[ \t]*(?={_CROSS_REFERENCE.pattern})", "\n", text)
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if is_metadata_line(line.strip()) or _SOURCE_START.match(line.strip()):
            j = i
            while _depth(line) > 0 and j + 1 < len(lines) and j - i < _UNWRAP_LINES:
                j += 1
                line = f"{line.rstrip()} {lines[j].strip()}"
            if _depth(line) > 0:  # never closed: leave the lines as they were
                line, j = lines[i], i
            i = j
            end = _closing(line)  # "…01/07/2008)1. Phạm vi …": the text goes on a line of its own
            if end is not None and line[end:].strip():
                out.append(line[:end])
                line = line[end:].lstrip()
        out.extend(_split_glued_articles(line))
        i += 1
    return "\n".join(out)


def is_metadata_line(line: str) -> bool:
    """A codified text's line that is no content: a source or cross-reference line."""
    return is_cross_reference(line) or bool(_SOURCE.match(line))


def is_cross_reference(line: str) -> bool:
    """'(Điều này có nội dung liên quan đến …)'."""
    return _CROSS_REFERENCE.match(line) is not None


def is_codified_line(line: str) -> bool:
    """A line that is a block of its own in a codified text (joined to nothing)."""
    return bool(CODIFIED_ARTICLE.match(line)) or is_metadata_line(line)


def read_source(line: str) -> Origin | None:
    """The Origin a source line states, or None for another line.

    '(Điều 1 Luật số 03/2007/QH12 Phòng, chống bệnh truyền nhiễm ngày 21/11/2007 của Quốc
    hội, có hiệu lực …)' -> Origin('Luật số 03/2007/QH12', 'Điều 1', 'Phòng, chống bệnh
    truyền nhiễm'); later lines of the same law give no name ('(Điều 48 Luật số
    03/2007/QH12, có hiệu lực …)').
    """
    found = _SOURCE.match(line)
    if found is None:
        return None
    article, kind, number, rest = found.groups()
    name = None
    if rest[:1].isspace():
        name = re.split(r"\s+ngày\s+\d{1,2}/\d{1,2}/\d{4}|,\s*có hiệu lực", rest)[0].strip()
        name = name.removeprefix(f"{kind} ").strip() or None
        name = name[:1].upper() + name[1:] if name else None
    return Origin(document=f"{kind} số {number}", article=f"Điều {article}", name=name)


def _depth(line: str) -> int:
    return line.count("(") - line.count(")")


def _closing(line: str) -> int | None:
    """The index just after the parenthesis that closes the line's first one."""
    depth = 0
    for i, char in enumerate(line):
        depth += (char == "(") - (char == ")")
        if depth == 0 and char == ")":
            return i + 1
    return None


def _split_glued_articles(line: str) -> list[str]:
    """A line cut before each article heading that is not inside parentheses."""
    starts = [
        m.start()
        for m in re.finditer(_CODIFIED_ID, line)
        if m.start() > 0 and line[: m.start()].strip() and _depth(line[: m.start()]) <= 0
    ]
    if not starts:
        return [line]
    return [line[a:b].rstrip() for a, b in zip([0, *starts], [*starts, len(line)], strict=True)]


def _table_facts(table: str) -> dict[str, str]:
    facts: dict[str, str] = {}
    for line in table.split("\n"):
        row = _ROW.match(line.strip())
        if not row:
            continue
        field, value = _FIELDS.get(row.group(1).strip().lower()), row.group(2).strip()
        if not field or not value or value.lower().startswith(_UNKNOWN) or field in facts:
            continue
        if field == "issuer" and resolve_province(value):
            continue  # "Nơi ban hành: Hà Nội" is where, not who
        if field == "date":
            value = _iso_date(value) or ""
        elif field == "signer" and " - " in value:
            value, facts["signer_title"] = (part.strip() for part in value.split(" - ", 1))
        if value:
            facts[field] = value
    return facts


def _iso_date(value: str) -> str | None:
    found = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", value)
    if not found:
        return None
    day, month, year = (int(x) for x in found.groups())
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        return None


def _front_title(front: str) -> str | None:
    found = re.search(r"^title:\s*(.+?)\s*$", front, re.MULTILINE)
    if found is None:
        return None
    return found.group(1).strip("\"'").strip() or None


def _first_heading(body: str) -> str | None:
    found = re.search(r"^#[ \t]+(.+?)\s*$", body, re.MULTILINE)
    return found.group(1) if found else None
