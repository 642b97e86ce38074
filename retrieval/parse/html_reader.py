"""Read a saved web page (.html): the notice's text, without the portal around it.

A provincial portal wraps a notice in a header, menus, a breadcrumb, a search box, scripts, a
sidebar of other news and a footer with the address and hotline; indexed as they are, those
words would answer questions. So, in one pass of the standard library's html.parser:

- script, style, noscript, head, nav, aside, footer, menu, template, svg, iframe and form
  controls are dropped, and so is any element whose class, id or role says navigation, menu,
  breadcrumb, footer, sidebar, search, share or related news, or that is hidden;
- a <header> is dropped too, except inside <article> or <main>, where it holds the title;
- a <form> is dropped unless it is a child of <body>: ASP.NET portals wrap the whole page in
  one form, while a search form sits inside the page;
- <article> (or schema.org's articleBody), else <main> (or role="main"), is preferred when it
  holds at least a fifth of the page's text; otherwise the whole page, less the parts above;
- block elements (p, div, li, tr, h1-h6, ...) end paragraphs, <br> and table cells end lines,
  entities are unescaped and runs of spaces collapse;
- if nothing is left (an unclosed <nav> around everything), all visible text is kept, noted.

Python 3.11's html.parser is quadratic on some malformed input ("<a<a<a...": minutes for
200 KB), so `_defuse` first escapes, in one linear scan, every "<" that it would scan far from;
the parser is then linear too (tests/retrieval/test_readers_scanned.py times 2 MB of such
input). The cost: a tag with a "<" inside a quoted attribute is read as text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from retrieval.parse.extracted import Extracted

KIND = "trang web .html"
FALLBACK_NOTE = "không thấy phần nội dung chính; lấy toàn bộ chữ trên trang"
BROKEN_NOTE = "trang web hỏng; chỉ đọc được phần đầu"
MAIN_SHARE = 0.2  # <article>/<main> is the text if it holds this share of the page's letters

_INVISIBLE = frozenset({"script", "style", "noscript", "template", "head", "title"})
_DROPPED = _INVISIBLE | {
    "nav",
    "aside",
    "footer",
    "menu",
    "svg",
    "canvas",
    "iframe",
    "object",
    "embed",
    "button",
    "select",
    "textarea",
    "label",
    "dialog",
    "audio",
    "video",
    "map",
}
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param"}
    | {"source", "track", "wbr", "keygen"}
)
_LINE, _PARAGRAPH = 1, 2  # breaks, in the pieces of text: a new line, a blank line
_LINE_BREAKS = frozenset({"br", "td", "th"})
_PARAGRAPHS = frozenset(
    {"p", "div", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "main", "header", "hr"}
    | {"address", "figure", "figcaption", "caption", "center", "details", "summary", "form"}
    | {"fieldset", "body"}
)
# What a start tag closes when it is still open on top (HTML's implied end tags).
_IMPLIED_ENDS = {
    "li": frozenset({"li"}),
    "dt": frozenset({"dt", "dd"}),
    "dd": frozenset({"dt", "dd"}),
    "tr": frozenset({"td", "th", "tr"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "option": frozenset({"option"}),
}
_CLOSES_P = _PARAGRAPHS - {"li", "tr", "dt", "dd", "body"} | {"nav", "aside", "footer", "menu"}
_HEAD_CONTENT = frozenset({"title", "meta", "link", "style", "script", "base", "noscript"})
# A class/id word that names page furniture: "navbar", "topnav", "main-menu", "submenu",
# "breadcrumbs", "site-footer", "sidebar-left", "search-box", "share", "tin-related".
_CHROME_WORD = re.compile(
    r"nav\w*|\w*nav|\w*(?:menu|breadcrumb|footer|sidebar)\w*|search\w*"
    r"|share|sharing|social|related|comments?|banner|cookies?|popup|advert\w*|ads"
)
_CHROME_ROLES = frozenset(
    {"navigation", "menu", "menubar", "banner", "contentinfo", "search", "complementary"}
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)

_COMMENT_END = re.compile(r"--\s*>")  # as html.parser ends a comment
_MARKED_SECTION = re.compile(r"<!\[[^<>]*\]>")  # Word's <![if !supportLists]>, <![endif]>
_PRESCAN_BYTES = 32 * 1024
_META_CHARSET = re.compile(rb"""<meta\b[^<>]*?charset\s*=\s*["']?\s*([a-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""\s*<\?xml[^<>]*?encoding\s*=\s*["']([a-z0-9._:-]+)""", re.I)
# The labels pages declare that do not mean what Python's codec of that name does (WHATWG).
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "utf-16": "utf-8",  # a page whose <meta> can be read as ASCII is not UTF-16
    "utf-16le": "utf-8",
    "utf-16be": "utf-8",
    "unicode": "utf-8",
}


def read_html(text: str) -> Extracted:
    """The main text of a web page, without its menus, header, sidebar, footer and scripts.

    Args:
        text: the page, already decoded (see `html_charset`).

    Returns:
        The text, paragraphs separated by blank lines (empty if the page has none).
    """
    parser = _MainText()
    try:
        parser.feed(_defuse(text))
        parser.close()
    except AssertionError:  # html.parser's way to fail; _defuse leaves it nothing known to
        return parser.result(BROKEN_NOTE)
    return parser.result()


def html_charset(data: bytes) -> str | None:
    """The encoding a page declares, as a Python codec name, or None if it declares none.

    A byte-order mark wins; then <meta charset>, <meta http-equiv="Content-Type"
    content="...; charset=..."> or an XML declaration in the first 32 KiB. As browsers do,
    "iso-8859-1" and "ascii" mean Windows-1252, and "utf-16" in a <meta> means UTF-8. A label
    Python does not know gives None.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:_PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    label = match.group(1).decode("ascii").lower()
    try:
        return codecs.lookup(_CHARSET_ALIASES.get(label, label)).name
    except LookupError:
        return None


def _defuse(text: str) -> str:
    """The page with each "<" that html.parser would scan far from written as "&lt;".

    A "<" stays markup only if a ">" comes before the next "<"; a "<!--" only if a comment
    end follows somewhere. Word's marked sections (<![if ...]>, <![endif]>) are removed and any
    other "<![" escaped, because Python 3.11's parser raises AssertionError on "<![x". Each
    search only moves forward (the next ">" and the next comment end are remembered), so this
    is linear, and so is the parse after it.
    """
    out: list[str] = []
    copied = 0  # text[copied:pos] is not yet in out
    size = len(text)
    next_gt = -1  # the first ">" at or after pos; size if there is none
    comment_end = -1  # where the first comment end at or after pos + 4 starts; size if none
    pos = text.find("<")
    while pos >= 0:
        after = pos + 1
        if text.startswith("<!--", pos):
            if comment_end < pos + 4:
                found = _COMMENT_END.search(text, pos + 4)
                comment_end = found.start() if found is not None else size
            keep = comment_end < size
        elif text.startswith("<![", pos):
            section = _MARKED_SECTION.match(text, pos)
            keep = False
            if section is not None:
                out.append(text[copied:pos])
                copied = after = section.end()
                pos = text.find("<", after)
                continue
        else:
            if next_gt < pos:
                found_gt = text.find(">", pos)
                next_gt = found_gt if found_gt >= 0 else size
            following = text.find("<", after)
            keep = next_gt < size and (following < 0 or next_gt < following)
        if not keep:
            out.append(text[copied:pos])
            out.append("&lt;")
            copied = after
        pos = text.find("<", after)
    out.append(text[copied:])
    return "".join(out)


@dataclass(frozen=True)
class _Open:
    """An open element and what it does to the text inside it."""

    tag: str
    drops: bool
    invisible: bool
    region: str  # "article", "main" or ""


class _MainText(HTMLParser):
    """Collects the visible text, the text outside page furniture, and that of article/main."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._stack: list[_Open] = []
        self._open: dict[str, int] = {}
        self._dropping = 0
        self._hiding = 0
        self._regions = {"article": 0, "main": 0}
        self._pre = 0
        self._text: dict[str, list[str | int]] = {
            "visible": [],
            "page": [],
            "main": [],
            "article": [],
        }

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open.get("head") and tag not in _HEAD_CONTENT:
            self._close("head")
        self._close_implied(tag)
        if tag in _VOID:
            self._break(tag)
            return
        values = {name: value or "" for name, value in attrs}
        entry = _Open(tag, self._drops(tag, values), tag in _INVISIBLE, _region(tag, values))
        self._break(tag)
        self._push(entry)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self._open.get(tag):
            if tag in ("br", "p"):  # </br> and a stray </p> still break, as browsers do
                self._break(tag)
            return
        self._close(tag)

    def handle_data(self, data: str) -> None:
        if not self._pre:
            data = data.replace("\n", " ")
        self._emit(data)

    def result(self, *notes: str) -> Extracted:
        """The chosen text: article, else main, else the page; all visible text if empty."""
        page = _tidy(self._text["page"])
        letters = _letters(page)
        for region in ("article", "main"):
            text = _tidy(self._text[region])
            if text and _letters(text) >= MAIN_SHARE * letters:
                return Extracted(text, KIND, notes)
        if page:
            return Extracted(page, KIND, notes)
        visible = _tidy(self._text["visible"])
        return Extracted(visible, KIND, (*notes, FALLBACK_NOTE) if visible else notes)

    def _drops(self, tag: str, attrs: dict[str, str]) -> bool:
        if tag in _DROPPED:
            return True
        if tag == "header":
            return not (self._regions["article"] or self._regions["main"])
        if tag == "form":
            return bool(self._stack) and self._stack[-1].tag not in ("body", "html")
        return _is_chrome(attrs)

    def _push(self, entry: _Open) -> None:
        self._stack.append(entry)
        self._open[entry.tag] = self._open.get(entry.tag, 0) + 1
        self._dropping += entry.drops
        self._hiding += entry.invisible
        self._pre += entry.tag == "pre"
        if entry.region:
            self._regions[entry.region] += 1

    def _pop(self) -> _Open:
        entry = self._stack.pop()
        self._open[entry.tag] -= 1
        self._dropping -= entry.drops
        self._hiding -= entry.invisible
        self._pre -= entry.tag == "pre"
        if entry.region:
            self._regions[entry.region] -= 1
        self._break(entry.tag)
        return entry

    def _close(self, tag: str) -> None:
        """Pop up to and including the innermost open `tag` (it is open)."""
        while self._pop().tag != tag:
            pass

    def _close_implied(self, tag: str) -> None:
        closes = _IMPLIED_ENDS.get(tag, frozenset())
        if tag in _CLOSES_P:
            closes = closes | {"p"}
        while self._stack and self._stack[-1].tag in closes:
            self._pop()

    def _break(self, tag: str) -> None:
        if tag in _LINE_BREAKS:
            self._emit(_LINE)
        elif tag in _PARAGRAPHS:
            self._emit(_PARAGRAPH)

    def _emit(self, text: str | int) -> None:
        if self._hiding:
            return
        self._text["visible"].append(text)
        if self._dropping:
            return
        self._text["page"].append(text)
        for region, depth in self._regions.items():
            if depth:
                self._text[region].append(text)


def _region(tag: str, attrs: dict[str, str]) -> str:
    if tag == "article" or attrs.get("itemprop", "").lower() == "articlebody":
        return "article"
    if tag == "main" or attrs.get("role", "").lower() == "main":
        return "main"
    return ""


def _is_chrome(attrs: dict[str, str]) -> bool:
    """Whether class, id, role or hiding attributes say this is not the page's content."""
    if "hidden" in attrs or attrs.get("aria-hidden", "").lower() == "true":
        return True
    if _HIDDEN_STYLE.search(attrs.get("style", "")):
        return True
    if attrs.get("role", "").lower() in _CHROME_ROLES:
        return True
    words = re.findall(r"[a-z0-9]+", f"{attrs.get('class', '')} {attrs.get('id', '')}".lower())
    return any(_CHROME_WORD.fullmatch(word) for word in words)


def _tidy(pieces: list[str | int]) -> str:
    """The text of the pieces, one blank line at most between paragraphs.

    A run of breaks (the end of one block, the start of the next) counts once, the larger
    winning; spaces collapse within each line.
    """
    out: list[str] = []
    pending = 0
    for piece in pieces:
        if isinstance(piece, int):
            pending = max(pending, piece)
        elif piece.strip():
            if pending and out:
                out.append("\n" * pending)
            pending = 0
            out.append(piece)
        elif out and not pending:
            out.append(" ")
    lines: list[str] = []
    for raw in "".join(out).split("\n"):
        line = " ".join(raw.split())
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip("\n")


def _letters(text: str) -> int:
    return sum(char.isalnum() for char in text)
