"""Read a Word .docx notice: the body in document order, tables included, legacy fonts converted.

Why not python-docx's `document.paragraphs`: it skips tables, and the standard Vietnamese
administrative template lays the header (issuer, "Số 12-TB/TU", national motto, place and
date) and the signature block ("Nơi nhận", "T/M BAN THƯỜNG VỤ", the signer) in borderless
two-column tables, so the date, number and signer were lost; some notices are laid out in one
table from top to bottom. Here the body's paragraphs and tables are read in the order they
come, each table row's cells left to right, each cell's paragraphs on their own lines, so that
chunking.split_structure finds them where it expects them.

Old notices keep their pre-Unicode text in .VnTime (TCVN3) or VNI-Times (VNI) fonts: a run
whose font (set on the run, its character style, the paragraph style or the document defaults)
is one of those is converted to Unicode, and so is text in an ordinary font that still reads
as such mojibake. Word's automatic numbering ("1.", "2.1.", "-") is written out, because the
section structure depends on it.

The file is hostile until proven otherwise: the zip is checked for a bomb before anything is
unpacked, only the parts needed are read, the XML parser resolves no entities and loads no DTD,
and every failure is a ParseError with a one-line reason.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path
from typing import Any

from lxml import etree

from retrieval.errors import ParseError
from retrieval.parse.extracted import DOCX_KIND, MB, Extracted, ReadLimits
from retrieval.parse.legacy import (
    NOTES,
    convert_legacy_text,
    detect_legacy,
    font_encoding,
    has_legacy_marks,
    is_capitals_font,
    is_unicode_vietnamese,
)

KIND = DOCX_KIND

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"

# A member this large that shrank more than this is a zip bomb (text XML rarely passes 20).
_BOMB_RATIO = 100
_BOMB_MIN_BYTES = 1 * MB
# No notice's document.xml comes near this (a 300-page report is a few MB).
_MAX_XML_BYTES = 16 * MB
_MAX_MEMBERS = 10_000
_MAX_STYLE_DEPTH = 20
_LEVELS = 9  # numbering levels 0-8

# Elements inside a paragraph whose text is not shown: deleted or moved-away revisions, the
# fallback copy of alternate content, paragraph properties, equations.
_HIDDEN = frozenset(
    {_W + "del", _W + "moveFrom", _W + "pPr", _W + "rPr", _MC_FALLBACK}
    | {"{http://schemas.openxmlformats.org/officeDocument/2006/math}oMath"}
)
_BLOCK_WRAPPERS = frozenset({_W + "sdt", _W + "sdtContent", _W + "customXml"})
_RUN_TEXT = {_W + "t": None, _W + "tab": "\t", _W + "br": "\n", _W + "cr": "\n"}
_RUN_TEXT |= {_W + "noBreakHyphen": "-", _W + "softHyphen": ""}
# A paragraph of nothing but these is a drawn rule under the issuer ("*", "-----").
_DECORATION = re.compile(r"[\s*\-_=~.·•]*")
_BULLETS = frozenset("-+•–")
_PLACEHOLDER = re.compile(r"%([1-9])")  # "%1.%2." in a numbering level's text


# What a damaged or hostile file makes zipfile, zlib and lxml raise.
_DAMAGE = (
    zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError,
    ValueError, IndexError, TypeError, AttributeError, RuntimeError, NotImplementedError,
    MemoryError, etree.LxmlError,
)  # fmt: skip


def read_docx(path: Path, limits: ReadLimits) -> Extracted:
    """Read a .docx file's body text.

    Args:
        path: the .docx file.
        limits: max_file_bytes and max_unpacked_bytes apply.

    Returns:
        The text (paragraphs separated by blank lines), kind "Word .docx", and a note for each
        legacy encoding converted.

    Raises:
        ParseError: the file is too large, a zip bomb, or damaged in any way.
    """
    name = str(path)
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise ParseError(name, f"file is {size / MB:.0f} MB, over the limit")
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, limits, name)
            return _read_package(_Package(archive, name), name)
    except ParseError:
        raise
    except _DAMAGE as exc:
        raise ParseError(name, _reason(exc)) from exc


def _reason(exc: BaseException) -> str:
    """One line for the user: what kind of damage, and the library's words for it."""
    if isinstance(exc, (RecursionError, MemoryError)):
        return "the .docx is too deeply nested or too large to read"
    if isinstance(exc, NotImplementedError):
        return "the .docx uses a compression method that cannot be read"
    if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
        return f"cannot read file: {exc.strerror or exc}"
    detail = " ".join(str(exc).split())[:160] or type(exc).__name__
    if isinstance(exc, (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError)):
        return f"not a readable .docx file (damaged zip: {detail})"
    return f"damaged .docx file ({type(exc).__name__}: {detail})"


def _check_archive(archive: zipfile.ZipFile, limits: ReadLimits, name: str) -> None:
    """Refuse a zip bomb from its directory, before a byte is unpacked.

    The sizes checked are the declared ones; zipfile stops reading a member at its declared
    size, so a member that lies about it cannot unpack more.
    """
    members = archive.infolist()
    if len(members) > _MAX_MEMBERS:
        raise ParseError(name, f"the .docx holds {len(members)} parts; refused as a zip bomb")
    total = sum(m.file_size for m in members)
    if total > limits.max_unpacked_bytes:
        raise ParseError(
            name,
            f"the .docx would unpack to {total / MB:.0f} MB, over the "
            f"{limits.max_unpacked_bytes / MB:.0f} MB limit; refused as a zip bomb",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= _BOMB_MIN_BYTES and ratio > _BOMB_RATIO:
            raise ParseError(
                name,
                f"{member.filename} is compressed {ratio:.0f} to 1; refused as a zip bomb",
            )


class _Package:
    """The parts of a .docx, read one at a time and parsed without entities or DTDs."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        self._archive = archive
        self._name = name
        self._members = {m.filename: m for m in archive.infolist()}
        # One parser per file: lxml parsers must not be shared between threads. huge_tree off
        # keeps libxml2's limits on depth (256) and on the size of a text node.
        self._parser = etree.XMLParser(
            resolve_entities=False,
            huge_tree=False,
            no_network=True,
            load_dtd=False,
            remove_comments=True,
            remove_pis=True,
        )

    def xml(self, part: str) -> Any:
        """The root element of a part (lxml); ParseError if it is missing or not XML."""
        member = self._members.get(part)
        if member is None:
            raise ParseError(self._name, f"damaged .docx file: the part {part} is missing")
        if member.file_size > _MAX_XML_BYTES:
            raise ParseError(
                self._name, f"{part} is {member.file_size / MB:.0f} MB, too large for a notice"
            )
        data = self._archive.read(member)
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            raise ParseError(self._name, f"{part} declares XML entities, which no .docx does")
        try:
            return etree.fromstring(data, self._parser)
        except etree.XMLSyntaxError as exc:
            detail = " ".join(str(exc).split())[:160]
            raise ParseError(
                self._name, f"damaged .docx file: {part} is not XML ({detail})"
            ) from exc

    def has(self, part: str) -> bool:
        """Whether the archive holds this part."""
        return part in self._members

    def related(self, source: str, kind: str) -> str | None:
        """The part a relationship of this kind ("styles") of `source` points to, if any."""
        folder, base = posixpath.split(source)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if not self.has(rels):
            return None
        for rel in self.xml(rels).iter(_RELATIONSHIP):
            target = rel.get("Target") or ""
            if (rel.get("Type") or "").endswith("/" + kind) and rel.get("TargetMode") != "External":
                if target.startswith("/"):
                    return posixpath.normpath(target.lstrip("/"))
                return posixpath.normpath(posixpath.join(folder, target))
        return None


def _read_package(package: _Package, name: str) -> Extracted:
    main = package.related("", "officeDocument") or "word/document.xml"
    document = package.xml(main)
    body = document.find(_W + "body")
    if body is None:
        raise ParseError(name, f"damaged .docx file: {main} has no body")
    styles = _Styles(_optional_part(package, main, "styles"))
    numbering = _Numbering(_optional_part(package, main, "numbering"))
    reader = _BodyReader(styles, numbering)
    reader.blocks(body)
    text, encodings = _render(reader.paragraphs)
    return Extracted(text, KIND, tuple(NOTES[e] for e in sorted(encodings)))


def _optional_part(package: _Package, main: str, kind: str) -> Any:
    part = package.related(main, kind)
    return package.xml(part) if part and package.has(part) else None


@dataclass(frozen=True)
class _Format:
    """The run properties that change the text: fonts (legacy encodings) and all capitals."""

    ascii: str | None = None
    h_ansi: str | None = None
    caps: bool | None = None

    def over(self, base: _Format) -> _Format:
        """These properties, with `base`'s where these say nothing."""
        return _Format(
            self.ascii if self.ascii is not None else base.ascii,
            self.h_ansi if self.h_ansi is not None else base.h_ansi,
            self.caps if self.caps is not None else base.caps,
        )

    @property
    def encoding(self) -> str | None:
        """The legacy encoding of the font, if it is a .Vn* or VNI-* font."""
        return font_encoding(self.h_ansi) or font_encoding(self.ascii)

    @property
    def capitals(self) -> bool:
        """Shown in capitals: Word's "All caps", or a .Vn*H font."""
        return bool(self.caps) or is_capitals_font(self.h_ansi or self.ascii)


def _run_format(rpr: Any) -> _Format:
    if rpr is None:
        return _Format()
    fonts = rpr.find(_W + "rFonts")
    caps = rpr.find(_W + "caps")
    return _Format(
        ascii=fonts.get(_W + "ascii") if fonts is not None else None,
        h_ansi=fonts.get(_W + "hAnsi") if fonts is not None else None,
        caps=_on(caps) if caps is not None else None,
    )


def _on(element: Any) -> bool:
    """A Word on/off property: present means on unless its value says off."""
    return element.get(_W + "val") not in ("0", "false", "off")


def _val(element: Any, child: str) -> str | None:
    found = element.find(_W + child) if element is not None else None
    return found.get(_W + "val") if found is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


@dataclass(frozen=True)
class _NumberRef:
    """Where a paragraph's automatic number comes from: a numbering instance and a level."""

    num_id: str | None
    level: int | None


def _number_ref(ppr: Any) -> _NumberRef | None:
    numpr = ppr.find(_W + "numPr") if ppr is not None else None
    if numpr is None:
        return None
    level = _val(numpr, "ilvl")
    return _NumberRef(_val(numpr, "numId"), _int(level, 0) if level is not None else None)


class _Styles:
    """styles.xml: each style's run format and numbering, with what it is based on."""

    def __init__(self, root: Any) -> None:
        self._based_on: dict[str, str] = {}
        self._formats: dict[str, _Format] = {}
        self._numbers: dict[str, _NumberRef] = {}
        self.default_paragraph: str | None = None
        self.defaults = _Format()
        if root is not None:
            self._read(root)
        self._resolved: dict[str | None, _Format] = {}

    def _read(self, root: Any) -> None:
        defaults = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        self.defaults = _run_format(defaults)
        for style in root.iter(_W + "style"):
            style_id = style.get(_W + "styleId")
            if not style_id:
                continue
            based_on = _val(style, "basedOn")
            if based_on:
                self._based_on[style_id] = based_on
            self._formats[style_id] = _run_format(style.find(_W + "rPr"))
            number = _number_ref(style.find(_W + "pPr"))
            if number is not None:
                self._numbers[style_id] = number
            if style.get(_W + "type") == "paragraph" and _on_attr(style.get(_W + "default")):
                self.default_paragraph = style_id

    def _chain(self, style_id: str | None) -> list[str]:
        """The style and those it is based on, nearest first (cycles and depth bounded)."""
        chain: list[str] = []
        while style_id and style_id not in chain and len(chain) < _MAX_STYLE_DEPTH:
            chain.append(style_id)
            style_id = self._based_on.get(style_id)
        return chain

    def format(self, style_id: str | None) -> _Format:
        """A style's run format, inherited properties filled in (not the document defaults)."""
        if style_id not in self._resolved:
            resolved = _Format()
            for ancestor in self._chain(style_id):
                resolved = resolved.over(self._formats.get(ancestor, _Format()))
            self._resolved[style_id] = resolved
        return self._resolved[style_id]

    def number(self, style_id: str | None) -> _NumberRef | None:
        """The numbering a paragraph style gives its paragraphs, if any."""
        for ancestor in self._chain(style_id):
            if ancestor in self._numbers:
                return self._numbers[ancestor]
        return None


def _on_attr(value: str | None) -> bool:
    return value in ("1", "true", "on")


@dataclass
class _Level:
    start: int = 1
    format: str = "decimal"
    text: str = ""


class _Numbering:
    """numbering.xml, and the counters of each numbering instance as the body is read."""

    def __init__(self, root: Any) -> None:
        self._levels: dict[str, dict[int, _Level]] = {}
        self._counters: dict[str, list[int | None]] = {}
        if root is None:
            return
        abstract = {
            a.get(_W + "abstractNumId"): _abstract_levels(a) for a in root.iter(_W + "abstractNum")
        }
        for num in root.iter(_W + "num"):
            levels = dict(abstract.get(_val(num, "abstractNumId"), {}))
            for override in num.iter(_W + "lvlOverride"):
                level = _int(override.get(_W + "ilvl"), 0)
                start = _val(override, "startOverride")
                if start is not None and level in levels:
                    old = levels[level]
                    levels[level] = _Level(_int(start, 1), old.format, old.text)
            self._levels[num.get(_W + "numId") or ""] = levels

    def label(self, number: _NumberRef) -> str:
        """The next label of this instance and level ("2.1. ", "- "), or "" for none."""
        levels = self._levels.get(number.num_id or "")
        level = number.level or 0
        if not levels or level not in levels or not 0 <= level < _LEVELS:
            return ""
        counters = self._counters.setdefault(number.num_id or "", [None] * _LEVELS)
        current = counters[level]
        counters[level] = levels[level].start if current is None else current + 1
        counters[level + 1 :] = [None] * (_LEVELS - level - 1)
        this = levels[level]
        if this.format == "bullet":
            return (this.text if this.text in _BULLETS else "-") + " "
        if this.format == "none" or not this.text:
            return ""
        return (
            _PLACEHOLDER.sub(lambda m: _counter(levels, counters, int(m[1]) - 1), this.text) + " "
        )


def _counter(levels: dict[int, _Level], counters: list[int | None], level: int) -> str:
    """Level `level`'s counter as its own format writes it ("%2" in "%1.%2.")."""
    spec = levels.get(level, _Level())
    value = counters[level] if level < len(counters) else None
    return _format_number(spec.start if value is None else value, spec.format)


def _abstract_levels(abstract: Any) -> dict[int, _Level]:
    levels = {}
    for lvl in abstract.iter(_W + "lvl"):
        levels[_int(lvl.get(_W + "ilvl"), 0)] = _Level(
            start=_int(_val(lvl, "start"), 1),
            format=_val(lvl, "numFmt") or "decimal",
            text=_val(lvl, "lvlText") or "",
        )
    return levels


def _format_number(value: int, style: str) -> str:
    """A counter as Word writes it for the common formats (others as decimal)."""
    if style in ("lowerLetter", "upperLetter") and value > 0:
        letters = "abcdefghijklmnopqrstuvwxyz"
        text = letters[(value - 1) % 26] * ((value - 1) // 26 + 1)
        return text.upper() if style == "upperLetter" else text
    if style in ("lowerRoman", "upperRoman") and 0 < value < 4000:
        text = _roman(value)
        return text.lower() if style == "lowerRoman" else text
    if style == "decimalZero":
        return f"{value:02d}"
    return str(value)


def _roman(value: int) -> str:
    numerals = (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"),
        (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    )  # fmt: skip
    out = []
    for number, numeral in numerals:
        count, value = divmod(value, number)
        out.append(numeral * count)
    return "".join(out)


@dataclass(frozen=True)
class _Piece:
    """Text of one run, with the legacy encoding of its font and whether it shows in capitals."""

    text: str
    encoding: str | None = None
    capitals: bool = False


class _BodyReader:
    """Walks the body in document order, collecting each paragraph's pieces."""

    def __init__(self, styles: _Styles, numbering: _Numbering) -> None:
        self.styles = styles
        self.numbering = numbering
        self.paragraphs: list[list[_Piece]] = []

    def blocks(self, container: Any) -> None:
        """Paragraphs and tables of a body, cell, text box or content control, in order."""
        for child in container:
            if child.tag == _W + "p":
                self.paragraph(child)
            elif child.tag == _W + "tbl":
                self.table(child)
            elif child.tag in _BLOCK_WRAPPERS:
                self.blocks(child)

    def table(self, table: Any) -> None:
        """Row by row, each cell left to right, each cell's blocks (nested tables too)."""
        for row in _children(table, _W + "tr"):
            for cell in _children(row, _W + "tc"):
                self.blocks(cell)

    def paragraph(self, paragraph: Any) -> None:
        """One paragraph's text; the text boxes anchored in it follow it."""
        ppr = paragraph.find(_W + "pPr")
        style = _val(ppr, "pStyle") or self.styles.default_paragraph
        pieces: list[_Piece] = []
        number = self._number(ppr, style)
        if number:
            pieces.append(_Piece(number))
        boxes: list[Any] = []
        self._inline(paragraph, style, pieces, boxes)
        self.paragraphs.append(pieces)
        for box in boxes:
            self.blocks(box)

    def _number(self, ppr: Any, style: str | None) -> str:
        direct = _number_ref(ppr)
        inherited = self.styles.number(style)
        if direct is None and inherited is None:
            return ""
        num_id = (direct.num_id if direct else None) or (inherited.num_id if inherited else None)
        level = direct.level if direct and direct.level is not None else None
        if level is None and inherited is not None:
            level = inherited.level
        if not num_id or num_id == "0":
            return ""
        return self.numbering.label(_NumberRef(num_id, level))

    def _inline(
        self, element: Any, style: str | None, pieces: list[_Piece], boxes: list[Any]
    ) -> None:
        for child in element:
            if child.tag == _W + "r":
                self._run(child, style, pieces, boxes)
            elif isinstance(child.tag, str) and child.tag not in _HIDDEN:
                self._inline(child, style, pieces, boxes)  # hyperlinks, insertions, fields, ...

    def _run(self, run: Any, style: str | None, pieces: list[_Piece], boxes: list[Any]) -> None:
        rpr = run.find(_W + "rPr")
        vanish = rpr.find(_W + "vanish") if rpr is not None else None
        if vanish is not None and _on(vanish):
            return  # hidden text: not shown, not printed
        direct = _run_format(rpr)
        run_style = self.styles.format(_val(rpr, "rStyle"))
        paragraph_style = self.styles.format(style)
        fmt = direct.over(run_style.over(paragraph_style.over(self.styles.defaults)))
        text: list[str] = []
        for child in run:
            if child.tag == _W + "t":
                text.append(child.text or "")
            elif child.tag in _RUN_TEXT:
                text.append(_RUN_TEXT[child.tag] or "")
            elif isinstance(child.tag, str) and child.tag not in _HIDDEN:
                boxes.extend(_text_boxes(child))
        if text:
            pieces.append(_Piece("".join(text), fmt.encoding, fmt.capitals))


def _children(element: Any, tag: str) -> list[Any]:
    """Children with this tag, looking through content controls and custom XML wrappers."""
    found = []
    for child in element:
        if child.tag == tag:
            found.append(child)
        elif child.tag in _BLOCK_WRAPPERS:
            found.extend(_children(child, tag))
    return found


def _text_boxes(element: Any) -> list[Any]:
    """The outermost text boxes drawn in a run (the fallback copies left out)."""
    boxes = []
    for box in element.iter(_W + "txbxContent"):
        inside = box.iterancestors()
        if not any(a.tag in (_MC_FALLBACK, _W + "txbxContent") for a in _until(inside, element)):
            boxes.append(box)
    return boxes


def _until(ancestors: Any, stop: Any) -> list[Any]:
    out = []
    for ancestor in ancestors:
        if ancestor is stop:
            break
        out.append(ancestor)
    return out


def _render(paragraphs: list[list[_Piece]]) -> tuple[str, set[str]]:
    """The text of the paragraphs, legacy runs converted, and the encodings that were met.

    Text in an ordinary font that reads as TCVN3 or VNI mojibake is converted too: judged by
    the whole document, and again for each paragraph of a few words that shows legacy marks
    (a notice pasted from an old file into a new one).
    """
    undeclared = [" ".join(p.text for p in pieces if p.encoding is None) for pieces in paragraphs]
    document_encoding = detect_legacy("\n".join(undeclared))
    lines: list[str] = []
    met: set[str] = set()
    for pieces, plain in zip(paragraphs, undeclared, strict=True):
        guess = document_encoding
        if len(plain.split()) >= 3 and has_legacy_marks(plain):
            guess = detect_legacy(plain)
        text = _paragraph_text(pieces, guess, met).strip()
        if text and not _DECORATION.fullmatch(text):
            lines.append("\n".join(line.strip() for line in text.split("\n")))
    return "\n\n".join(lines), met


def _paragraph_text(pieces: list[_Piece], guess: str | None, met: set[str]) -> str:
    """The text of one paragraph's runs.

    Runs of the same encoding and case are converted together, so that TCVN3 capitals and VNI
    marks split across runs come out right. Text that holds Vietnamese letters no legacy
    encoding has (ư, ạ) is Unicode already, whatever its font says.
    """
    out: list[str] = []
    for (encoding, capitals), group in groupby(
        pieces, key=lambda p: (p.encoding or guess, p.capitals)
    ):
        text = "".join(p.text for p in group)
        if encoding and text.strip() and not is_unicode_vietnamese(text):
            text = convert_legacy_text(text, encoding)
            met.add(encoding)
        out.append(text.upper() if capitals else text)
    return "".join(out)
