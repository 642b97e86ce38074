"""Strict parser for Telegram's HTML parse mode, used by the fake Bot API.

It follows the Bot API "HTML style" rules and tdlib's error texts. It is stricter than
tdlib in two documented ways: a bare ``&`` and an unknown named entity (``&foo;``) are
errors (the Bot API says every ``&`` outside an entity must be escaped), and unknown
attributes are errors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EntityParseError", "ParsedText", "parse_html", "utf16_len"]

NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

# Tag name -> Bot API entity type. Some depend on attributes; see _entity_for.
TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
TAG_ATTRIBUTES = {
    "a": {"href"},
    "span": {"class"},
    "code": {"class"},
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}

_ENTITY_RE = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]*);")
_TAG_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9-]*")
_ATTRIBUTE_RE = re.compile(r"\s+([a-zA-Z][a-zA-Z0-9-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?")
_TAG_CLOSE_RE = re.compile(r"\s*>")
_END_TAG_RE = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; ``str(err)`` is Telegram's detail text."""


@dataclass(frozen=True)
class ParsedText:
    """Plain text as a user sees it plus Bot API ``MessageEntity`` dicts."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _OpenTag:
    name: str
    attributes: dict[str, str]
    start: int  # UTF-16 offset in the output text


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of every Telegram length limit and offset."""
    return len(text.encode("utf-16-le")) // 2


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pos = 0
        self.out: list[str] = []
        self.offset = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict[str, Any]] = []

    def error(self, message: str, at: int | None = None) -> EntityParseError:
        if at is None:
            return EntityParseError(message)
        byte_offset = len(self.source[:at].encode("utf-8"))
        return EntityParseError(f"{message} at byte offset {byte_offset}")

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.offset += utf16_len(text)

    def run(self) -> ParsedText:
        while self.pos < len(self.source):
            char = self.source[self.pos]
            if char == "<":
                self.tag()
            elif char == "&":
                self.emit(self.entity(self.pos))
            else:
                self.emit(char)
                self.pos += 1
        if self.stack:
            raise self.error(
                f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"'
            )
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return ParsedText("".join(self.out), self.entities)

    def entity(self, at: int) -> str:
        match = _ENTITY_RE.match(self.source, at)
        if match is None:
            raise self.error('Unescaped "&"', at)
        self.pos = match.end()
        decoded = _decode_entity(match.group(1))
        if decoded is None:
            raise self.error(f'Unsupported HTML entity "{match.group(0)}"', at)
        return decoded

    def tag(self) -> None:
        if self.source.startswith("</", self.pos):
            self.end_tag()
        else:
            self.start_tag()

    def start_tag(self) -> None:
        at = self.pos
        name_match = _TAG_NAME_RE.match(self.source, at + 1)
        if name_match is None:
            raise self.error('Unsupported start tag ""', at)
        name = name_match.group(0).lower()
        if name not in TAG_TYPES:
            raise self.error(f'Unsupported start tag "{name}"', at)
        self.pos = name_match.end()
        attributes = self.attributes(name, at)
        self.check_required(name, attributes, at)
        self.stack.append(_OpenTag(name, attributes, self.offset))

    def attributes(self, tag: str, at: int) -> dict[str, str]:
        attributes: dict[str, str] = {}
        while True:
            close = _TAG_CLOSE_RE.match(self.source, self.pos)
            if close:
                self.pos = close.end()
                return attributes
            match = _ATTRIBUTE_RE.match(self.source, self.pos)
            if match is None:
                if ">" not in self.source[self.pos :]:
                    raise self.error("Unclosed start tag", at)
                raise self.error(f'Invalid attribute in tag "{tag}"', at)
            attr = match.group(1).lower()
            if attr not in TAG_ATTRIBUTES.get(tag, set()):
                raise self.error(f'Unsupported attribute "{attr}" in tag "{tag}"', at)
            attributes[attr] = self.attribute_value(match, at)
            self.pos = match.end()

    def attribute_value(self, match: re.Match[str], at: int) -> str:
        raw = match.group(2)
        if raw is None:
            return ""
        if raw[0] in "\"'":
            raw = raw[1:-1]
        return _decode_attribute(raw, self, at)

    def check_required(self, name: str, attributes: dict[str, str], at: int) -> None:
        if name == "span" and attributes.get("class") != "tg-spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', at)
        if name == "tg-emoji" and not attributes.get("emoji-id", "").isdigit():
            raise self.error('Tag "tg-emoji" must have a numeric "emoji-id"', at)

    def end_tag(self) -> None:
        at = self.pos
        match = _END_TAG_RE.match(self.source, at)
        if match is None:
            if ">" not in self.source[at:]:
                raise self.error("Unclosed end tag", at)
            raise self.error("Invalid end tag", at)
        name = match.group(1).lower()
        if not self.stack:
            raise self.error("Unexpected end tag", at)
        top = self.stack[-1]
        if top.name != name:
            raise self.error(f'Unmatched end tag, expected "</{top.name}>", found "</{name}>"', at)
        self.pos = match.end()
        self.stack.pop()
        self.close_entity(top)

    def close_entity(self, tag: _OpenTag) -> None:
        length = self.offset - tag.start
        if length <= 0:
            return
        if tag.name == "code" and self.stack and self.stack[-1].name == "pre":
            language = tag.attributes.get("class", "").removeprefix("language-")
            self.stack[-1].attributes["language"] = language
            return
        entity: dict[str, Any] = {"type": TAG_TYPES[tag.name], "offset": tag.start}
        entity["length"] = length
        entity.update(_entity_extras(tag))
        if entity.get("type") == "text_link" and not entity.get("url"):
            return
        self.entities.append(entity)


def _entity_extras(tag: _OpenTag) -> dict[str, Any]:
    if tag.name == "a":
        return {"url": tag.attributes.get("href", "")}
    if tag.name == "pre" and tag.attributes.get("language"):
        return {"language": tag.attributes["language"]}
    if tag.name == "blockquote" and "expandable" in tag.attributes:
        return {"type": "expandable_blockquote"}
    if tag.name == "tg-emoji":
        return {"custom_emoji_id": tag.attributes["emoji-id"]}
    return {}


def _decode_entity(name: str) -> str | None:
    if not name.startswith("#"):
        return NAMED_ENTITIES.get(name)
    code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _decode_attribute(raw: str, parser: _Parser, at: int) -> str:
    def replace(match: re.Match[str]) -> str:
        decoded = _decode_entity(match.group(1))
        if decoded is None:
            raise parser.error(f'Unsupported HTML entity "{match.group(0)}"', at)
        return decoded

    if "&" in _ENTITY_RE.sub("", raw):
        raise parser.error('Unescaped "&" in attribute value', at)
    return _ENTITY_RE.sub(replace, raw)


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML into plain text and entities.

    Args:
        source: Text sent with ``parse_mode="HTML"``.

    Returns:
        The text a user would see (tags removed, entities decoded) and its entities.

    Raises:
        EntityParseError: With Telegram's detail text, e.g.
            ``Unsupported start tag "foo" at byte offset 0``.
    """
    return _Parser(source).run()
