"""Pre-Unicode Vietnamese text: TCVN3 (ABC), VNI and Windows-1258, and UTF-16 without a BOM.

For twenty years provincial offices typed notices in fonts that carry their own encoding:
.VnTime (TCVN3, also called ABC) and VNI-Times (VNI), and saved them as "text" or kept them in
Word files. Read as Unicode, such text is mojibake ("Th«ng b¸o", "Thoâng baùo") that neither
the index nor a reader can use. This module finds out, from the content and not from the file
name, which encoding some bytes (or a str standing for such bytes) are in, and converts them to
NFC Unicode.

How the choice is made: each candidate decoding is scored by the share of its words that are
plausible Vietnamese syllables (an onset, a vowel nucleus and a coda the language allows, at
most one tone mark, on a vowel, and no grave, hook or tilde on a syllable closed by c, ch, p or
t). Mojibake fails that test ("b¸o", "baùo"), the right decoding passes it.

Upper case in TCVN3: VN3, the encoding of the .VnTime fonts, has no code points for upper-case
vowels with a tone mark; capitals were typed in the .VnTimeH fonts with the lower-case codes.
The encoder therefore writes the lower-case code for them, and the decoder gives them back in
upper case where the context says so: a word otherwise in capitals ("TỉNH"), a heading line in
capitals, the first word of a sentence or list item, "Ủy ban" (always a capital in notices), or
(in a .docx) a .Vn*H font. Elsewhere, mid-sentence, they stay lower case ("đồng chí ủy viên"):
the bytes do not say more. The gaps of VN3 hold upper-case letters in TCVN 5712 VN1; those are
decoded as well.
"""

from __future__ import annotations

import codecs
import functools
import re
import unicodedata
from collections.abc import Iterable

from retrieval.errors import DecodeError

TCVN3 = "tcvn3"
VNI = "vni"
CP1258 = "cp1258"

NOTES = {
    TCVN3: "chuyển từ mã TCVN3 sang Unicode",
    VNI: "chuyển từ mã VNI sang Unicode",
    CP1258: "chuyển từ mã Windows-1258 sang Unicode",
}
UTF16_NOTE = "đọc theo mã UTF-16"
UTF16_NO_BOM_NOTE = "đọc theo mã UTF-16 (không có BOM)"
BINARY = "this looks like a binary file, not text"
NUL_REASON = f"contains NUL bytes that are not UTF-16; {BINARY}"
CONTROL_REASON = f"mostly control characters; {BINARY}"
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_DROP_CONTROL = dict.fromkeys(_CONTROL_BYTES)

# Enough text to tell encodings apart; scoring a whole 50 MB file would only cost time.
_SAMPLE = 64 * 1024
# A conversion must beat the text as it is by this share of words to be applied.
_MARGIN = 0.1
# Ties between legacy decodings go to the more common encoding.
_PRIORITY = (CP1258, TCVN3, VNI)

_BASES = "aăâeêioôơuưy"
# ngang (none), huyền, hỏi, ngã, sắc, nặng: the order of every table below.
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_GRAVE, _HOOK, _TILDE, _ACUTE, _DOT = _TONES[1:]

# TCVN3 (VN3): for each base in _BASES order, the code of each tone in _TONES order.
_TCVN3_VOWELS = (
    "a\xb5\xb6\xb7\xb8\xb9",
    "\xa8\xbb\xbc\xbd\xbe\xc6",
    "\xa9\xc7\xc8\xc9\xca\xcb",
    "e\xcc\xce\xcf\xd0\xd1",
    "\xaa\xd2\xd3\xd4\xd5\xd6",
    "i\xd7\xd8\xdc\xdd\xde",
    "o\xdf\xe1\xe2\xe3\xe4",
    "\xab\xe5\xe6\xe7\xe8\xe9",
    "\xac\xea\xeb\xec\xed\xee",
    "u\xef\xf1\xf2\xf3\xf4",
    "\xad\xf5\xf6\xf7\xf8\xf9",
    "y\xfa\xfb\xfc\xfd\xfe",
)
# The letters VN3 has in both cases, besides ASCII.
_TCVN3_OTHERS = {
    "đ": "\xae", "Đ": "\xa7", "Ă": "\xa1", "Â": "\xa2", "Ê": "\xa3", "Ô": "\xa4", "Ơ": "\xa5",
    "Ư": "\xa6",
}  # fmt: skip
# Upper-case letters TCVN 5712 VN1 puts in the gaps of VN3 (decoded, never written).
_TCVN3_VN1 = {
    "\xaf": "Ằ", "\xba": "Ẳ", "\xbf": "Ẵ", "\xc0": "Ắ", "\xc1": "Ầ", "\xc2": "Ẩ", "\xc3": "Ẫ",
    "\xc4": "Ấ", "\xc5": "Ề", "\xcd": "Ể", "\xd9": "Ễ", "\xda": "Ế", "\xdb": "Ồ", "\xe0": "Ổ",
    "\xf0": "Ỗ", "\xff": "Ố",
}  # fmt: skip

# VNI (as read through Windows-1252): a base letter followed by a mark character, except for
# ơ, ư, đ, and i (and ỵ), which are single characters.
_VNI_TONE = ("", "ø", "û", "õ", "ù", "ï")
_VNI_CIRCUMFLEX = ("â", "à", "å", "ã", "á", "ä")
_VNI_BREVE = ("ê", "è", "ú", "ü", "é", "ë")
_VNI_VOWELS = (
    tuple("a" + m for m in _VNI_TONE),
    tuple("a" + m for m in _VNI_BREVE),
    tuple("a" + m for m in _VNI_CIRCUMFLEX),
    tuple("e" + m for m in _VNI_TONE),
    tuple("e" + m for m in _VNI_CIRCUMFLEX),
    ("i", "ì", "æ", "ó", "í", "ò"),
    tuple("o" + m for m in _VNI_TONE),
    tuple("o" + m for m in _VNI_CIRCUMFLEX),
    tuple("ô" + m for m in _VNI_TONE),
    tuple("u" + m for m in _VNI_TONE),
    tuple("ö" + m for m in _VNI_TONE),
    ("y", "yø", "yû", "yõ", "yù", "î"),
)
_VNI_OTHERS = {"đ": "ñ", "Đ": "Ñ"}
_VNI_ALTERNATIVES = {"yï": "ỵ", "YÏ": "Ỵ"}  # ỵ written as y + dot mark by some converters

# A plausible Vietnamese syllable, tone marks removed (see _is_syllable).
_ONSET = "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnprstvx]"
_NUCLEI = (
    "iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)  # longest first, so that the regex tries "uyê" before "u"
_CODA = "ch|ng|nh|[cmnpt]"
_SYLLABLE = re.compile(f"(?:{_ONSET})?(?:{_NUCLEI})(?P<coda>{_CODA})?")
_STOP_CODAS = frozenset({"c", "ch", "p", "t"})
_TONE_MARKS = frozenset(_TONES[1:])
_VOWEL_MODIFIERS = frozenset("\u0302\u0306\u031b")  # circumflex, breve, horn
# Words are what lies between spaces and ASCII or typographic punctuation; the legacy encodings
# use none of these characters for letters, so mojibake words stay whole ("b¸o").
_TOKEN_SPLIT = re.compile(r"[\s!-/:-@\[-`{-~\u2013\u2014\u2018-\u201f\u2026]+")
_WORD = re.compile(r"[^\W\d_]+")
_LATIN1_LETTERS = re.compile(r"[\u00a1-\u00ff]")
# Vietnamese letters outside Latin-1: text holding them is Unicode already.
_UNICODE_ONLY = re.compile("[ĂăĐđĨĩŨũƠơƯư\u0300\u0301\u0303\u0309\u0323\u1ea0-\u1ef9]")
# Where a sentence starts, its first letter is a capital: at the start of a line (after any
# list marker or opening quote) that does not continue the line before, and after a full stop.
_LIST_MARKER = r"(?:[-+•–*]|\d+(?:\.\d+)*[.)]|[a-zđ]\))[ \t]+"
_LINE_START = re.compile(rf"(?P<lead>[ \t]*(?:{_LIST_MARKER})*[\"“‘(\[]*)(?P<first>\w)")
_LIST_ITEM = re.compile(rf"[ \t]*{_LIST_MARKER}")
_AFTER_STOP = re.compile(r"(?P<lead>[.!?…][\"”’)]*[ \t]+[\"“‘(\[]*)(?P<first>\w)")
# "Ủy ban nhân dân", "Ủy ban Kiểm tra": notices always write the committee with a capital.
_OFFICE_NAMES = re.compile(r"(?<!\w)ủy ban(?!\w)")
_ENDS_SENTENCE = re.compile(r"[.!?…:][\"”’)*]*[ \t]*$")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _letters() -> list[tuple[str, int]]:
    """Every lower-case Vietnamese vowel as (letter, index into the tables)."""
    return [
        (_nfc(base + tone), 6 * b + t)
        for b, base in enumerate(_BASES)
        for t, tone in enumerate(_TONES)
    ]


def _tcvn3_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(Unicode letter -> TCVN3 character, TCVN3 character -> Unicode letter)."""
    codes = "".join(_TCVN3_VOWELS)
    encode: dict[str, str] = dict(_TCVN3_OTHERS)
    decode: dict[str, str] = {code: letter for letter, code in _TCVN3_OTHERS.items()}
    for letter, i in _letters():
        code = codes[i]
        encode[letter] = code
        decode[code] = letter
        capital = letter.upper()
        # "Ấ" has no code of its own: it is written with that of "ấ".
        encode.setdefault(capital, code.upper() if code.isascii() else code)
    decode.update(_TCVN3_VN1)
    return _without_ascii(encode), _without_ascii(decode)


def _vni_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(Unicode letter -> VNI characters, VNI characters -> Unicode letter)."""
    forms = [form for vowel in _VNI_VOWELS for form in vowel]
    encode: dict[str, str] = {}
    for letter, i in _letters():
        encode[letter] = forms[i]
        encode[letter.upper()] = forms[i].upper()
    encode.update(_VNI_OTHERS)
    decode = {code: letter for letter, code in encode.items()}
    for code, letter in list(decode.items()):
        if len(code) == 2:  # a capital typed with a lower-case mark, or the reverse
            decode.setdefault(code[0] + code[1].swapcase(), letter)
    decode.update(_VNI_ALTERNATIVES)
    return _without_ascii(encode), _without_ascii(decode)


def _char_class(chars: Iterable[str]) -> re.Pattern[str]:
    """A regex matching any one of these characters."""
    return re.compile("[" + re.escape("".join(sorted(set(chars)))) + "]")


def _without_ascii(table: dict[str, str]) -> dict[str, str]:
    """Drop the ASCII letters, which every encoding writes as themselves."""
    return {k: v for k, v in table.items() if not (k == v and k.isascii())}


_TCVN3_ENCODE, _TCVN3_DECODE = _tcvn3_tables()
_VNI_ENCODE, _VNI_DECODE = _vni_tables()
# Characters the legacy encodings use for letters but Vietnamese Unicode text never has (of
# Latin-1 it uses only à á â ã è é ê ì í ò ó ô õ ù ú ý and their capitals).
_UNICODE_LATIN1 = "àáâãèéêìíòóôõùúýÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝ"
_LEGACY_MARKS = _char_class(
    c
    for c in "".join([*_TCVN3_DECODE, *_VNI_DECODE])
    if not c.isascii() and c not in _UNICODE_LATIN1
)
_TCVN3_TRANSLATION = str.maketrans(_TCVN3_DECODE)
_VNI_PATTERN = re.compile(
    "|".join(re.escape(code) for code in sorted(_VNI_DECODE, key=len, reverse=True))
)
# Lower-case letters TCVN3 also uses for their capitals: the vowels with a tone mark.
_TCVN3_CASELESS = frozenset(letter for letter, i in _letters() if i % 6)
_TCVN3_UPPER = str.maketrans({c: c.upper() for c in _TCVN3_CASELESS})
# A word with a capital after its first letter: a word in capitals, where a lower-case code
# can be told to stand for a capital.
_CAPITALS = "A-Z" + re.escape("".join(sorted({c for c in _TCVN3_DECODE.values() if c.isupper()})))
_CAPITALS_WORD = re.compile(rf"(?<![^\W\d_])[^\W\d_]+(?<=[^\W\d_][{_CAPITALS}])[^\W\d_]*")
# Letters TCVN3 has in both cases: in lower case, surely lower case.
_SURE_LOWER = re.compile("[a-zăâêôơưđ]")
_CASELESS = _char_class(_TCVN3_CASELESS)
# Each byte as a Windows program shows it: Windows-1252, and Latin-1 where 1252 has a gap.
_AS_WINDOWS = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


def decode_text(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    """Decode a text file's bytes, whatever Vietnamese encoding they are in.

    UTF-8 (with or without BOM) and UTF-16 (with a BOM, or without one, told by where its NUL
    bytes fall) are read as such, and checked for legacy mojibake saved through Windows-1252.
    Other bytes are decoded as Windows-1258, TCVN3 and VNI, and the decoding with the most
    Vietnamese syllables wins.

    Args:
        data: the file's bytes.
        name: the file's name, for the error message.

    Returns:
        The NFC text and notes for the user ("chuyển từ mã TCVN3 sang Unicode").

    Raises:
        DecodeError: the bytes are binary, or not valid in the encoding they announce.
    """
    text, notes = _decode(data, name)
    if "\x00" in text:
        raise DecodeError(name, NUL_REASON)
    return _nfc(text), notes


def _decode(data: bytes, name: str) -> tuple[str, tuple[str, ...]]:
    if data.startswith(codecs.BOM_UTF8):
        return _undo_mojibake(_strict(data[3:], "utf-8", name), ())
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _undo_mojibake(_strict(data, "utf-16", name), (UTF16_NOTE,))
    if b"\x00" in data:
        encoding = _utf16_without_bom(data)
        if encoding is None:
            raise DecodeError(name, NUL_REASON)
        text = _strict(data[: len(data) - len(data) % 2], encoding, name)
        if _mostly_control_text(text):
            raise DecodeError(name, NUL_REASON)  # NULs in a pattern by chance, not text
        return _undo_mojibake(text, (UTF16_NO_BOM_NOTE,))
    if _mostly_control(data):
        raise DecodeError(name, CONTROL_REASON)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _decode_legacy(data)
    return _undo_mojibake(text, ())


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        label = encoding.upper().replace("-LE", "").replace("-BE", "")
        raise DecodeError(
            name, f"not valid {label} text (byte {exc.start}); save it as UTF-8"
        ) from exc


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 puts a NUL beside every ASCII character: on odd bytes (LE) or even ones (BE)."""
    sample = data[:_SAMPLE]
    even, odd = sample[0::2], sample[1::2]
    if not even or not odd:
        return None
    even_nuls, odd_nuls = even.count(0) / len(even), odd.count(0) / len(odd)
    if odd_nuls > 0.3 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.3 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def _mostly_control(data: bytes) -> bool:
    """Control bytes other than tab, line feed, form feed and return: not text."""
    sample = data[:_SAMPLE]
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > len(sample) // 20


def _mostly_control_text(text: str) -> bool:
    sample = text[:_SAMPLE]
    return len(sample) - len(sample.translate(_DROP_CONTROL)) > len(sample) // 20


def _undo_mojibake(text: str, notes: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    encoding = detect_legacy(text)
    if encoding is None:
        return text, notes
    return convert_legacy_text(text, encoding), (*notes, NOTES[encoding])


def _decode_legacy(data: bytes) -> tuple[str, tuple[str, ...]]:
    """Not UTF-8: the Windows-1258, TCVN3 or VNI decoding with the most Vietnamese words."""
    sample = data[:_SAMPLE]
    scores = {encoding: syllable_share(_decode_as(sample, encoding)) for encoding in _PRIORITY}
    best = max(_PRIORITY, key=lambda e: (scores[e], -_PRIORITY.index(e)))
    return _decode_as(data, best), (NOTES[best],)


def _decode_as(data: bytes, encoding: str) -> str:
    if encoding == CP1258:  # its tone marks are combining characters: NFC composes them
        return _nfc(data.decode("cp1258", errors="replace"))
    return convert_legacy_text(_legacy_str(data), encoding)


def _legacy_str(data: bytes) -> str:
    """The bytes as the str a Windows program shows for them (Windows-1252, Latin-1 gaps)."""
    return codecs.charmap_decode(data, "strict", _AS_WINDOWS)[0]


def convert_legacy_text(text: str, encoding: str) -> str:
    """Convert TCVN3 or VNI mojibake to NFC Unicode.

    Args:
        text: characters that stand for the legacy bytes, as Windows-1252 shows them (what
            python-docx returns for a run set in a .VnTime or VNI-Times font, or a legacy file
            read as Windows-1252).
        encoding: "tcvn3" or "vni".

    Returns:
        The Unicode text; characters that are not legacy codes are kept as they are. TCVN3
        capitals are restored where the context shows them (see the module's docstring).

    Raises:
        ValueError: an encoding other than "tcvn3" or "vni".
    """
    if encoding == TCVN3:
        return _restore_tcvn3_capitals(_nfc(text.translate(_TCVN3_TRANSLATION)))
    if encoding == VNI:
        return _nfc(_VNI_PATTERN.sub(lambda m: _VNI_DECODE[m.group()], text))
    raise ValueError(f"unknown legacy encoding {encoding!r}; use 'tcvn3' or 'vni'")


def _restore_tcvn3_capitals(text: str) -> str:
    """Give back the capitals TCVN3 wrote with lower-case codes (see the module docstring)."""
    text = "\n".join(_capitalise_line(line) for line in text.split("\n"))
    return _OFFICE_NAMES.sub(lambda m: m[0].capitalize(), _capitalise_sentences(text))


def _capitalise_sentences(text: str) -> str:
    """Capitalise the first letter of each sentence; a hard-wrapped line continues one."""
    lines = text.split("\n")
    continues = False
    for i, line in enumerate(lines):
        if not line.strip():
            continues = False  # a blank line ends a paragraph
            continue
        if not continues or _LIST_ITEM.match(line):
            line = _LINE_START.sub(_capitalise_first, line, count=1)
        lines[i] = line = _AFTER_STOP.sub(_capitalise_first, line)
        continues = not _ENDS_SENTENCE.search(line)
    return "\n".join(lines)


def _capitalise_line(line: str) -> str:
    """Capitals in words (and heading lines) that are in capitals.

    A word with a capital after its first letter and nothing surely lower case ("TỉNH", "ủY")
    is in capitals. A line is a heading in capitals if nothing in it is surely lower case and
    one such word shows a toned vowel ("TỉNH"); capitals alone ("Số 12-TB/TU") are not
    enough, abbreviations are written so in any sentence.
    """
    words = _CAPITALS_WORD.findall(line)
    if not words:
        return line
    if not _SURE_LOWER.search(line) and any(_CASELESS.search(word) for word in words):
        return line.translate(_TCVN3_UPPER)
    return _CAPITALS_WORD.sub(_capitalise_word, line)


def _capitalise_word(match: re.Match[str]) -> str:
    word = match.group()
    return word if _SURE_LOWER.search(word) else word.translate(_TCVN3_UPPER)


def _capitalise_first(match: re.Match[str]) -> str:
    return match.group("lead") + match.group("first").translate(_TCVN3_UPPER)


def detect_legacy(text: str) -> str | None:
    """Whether a str is TCVN3 or VNI mojibake.

    Args:
        text: text that claims to be Unicode (a UTF-8 file, a .docx run in an ordinary font).

    Returns:
        "tcvn3" or "vni" if converting the text gives clearly more Vietnamese syllables than
        it has as it is, else None.
    """
    sample = text[:_SAMPLE]
    if not _LATIN1_LETTERS.search(sample):
        return None  # both encodings write their letters with characters U+00A1-U+00FF
    best, best_share = None, syllable_share(sample) + _MARGIN
    for encoding in (TCVN3, VNI):
        share = syllable_share(convert_legacy_text(sample, encoding))
        if share > best_share:
            best, best_share = encoding, share
    return best


def has_legacy_marks(text: str) -> bool:
    """Whether the text has characters TCVN3 or VNI use for letters and Unicode never does.

    "¸" (TCVN3 á) and "ï" (VNI's dot below) are such marks; "ù" is not, Unicode has it too. A
    cheap test before detect_legacy, which scores the whole text three times.
    """
    return _LEGACY_MARKS.search(text) is not None


def is_unicode_vietnamese(text: str) -> bool:
    """Whether the text has Vietnamese letters that no legacy encoding writes (ư, ạ, đ...).

    Such text is Unicode already, whatever font it is set in.
    """
    return _UNICODE_ONLY.search(text) is not None


def syllable_share(text: str) -> float:
    """The share of the words of a text (numbers aside) that are Vietnamese syllables."""
    words = [w for w in _TOKEN_SPLIT.split(text) if w and not any(c.isdigit() for c in w)]
    if not words:
        return 0.0
    return sum(1 for w in words if _is_syllable(w)) / len(words)


@functools.lru_cache(maxsize=65536)
def _is_syllable(word: str) -> bool:
    """An onset, a nucleus and a coda Vietnamese allows, and one tone mark in its place."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [i for i, c in enumerate(decomposed) if c in _TONE_MARKS]
    if len(tones) > 1 or (tones and not _on_vowel(decomposed, tones[0])):
        return False
    match = _SYLLABLE.fullmatch(_nfc("".join(c for c in decomposed if c not in _TONE_MARKS)))
    if match is None:
        return False
    tone = decomposed[tones[0]] if tones else ""
    return not (match.group("coda") in _STOP_CODAS and tone in (_GRAVE, _HOOK, _TILDE))


def _on_vowel(decomposed: str, index: int) -> bool:
    j = index - 1
    while j >= 0 and decomposed[j] in _VOWEL_MODIFIERS:
        j -= 1
    return j >= 0 and decomposed[j] in "aeiouy"


def font_encoding(font_name: str | None) -> str | None:
    """The legacy encoding a font's name implies.

    Returns:
        "tcvn3" for the ABC fonts (".VnTime", ".VnTimeH", ".VnArial", ...), "vni" for the VNI
        fonts ("VNI-Times", "VNI-Helve", ...), else None.
    """
    if not font_name:
        return None
    name = font_name.strip().lower()
    if re.match(r"vni[-_ ]", name):
        return VNI
    if re.match(r"\.?vn", name) and not name.startswith("vni"):
        return TCVN3
    return None


def is_capitals_font(font_name: str | None) -> bool:
    """An ABC font that shows every letter as a capital (".VnTimeH", ".VnArialH")."""
    if font_name is None or font_encoding(font_name) != TCVN3:
        return False
    return font_name.strip().endswith("H")


def encode_legacy(text: str, encoding: str) -> bytes:
    """Encode Unicode text as TCVN3, VNI or Windows-1258 bytes (fixtures and tests).

    TCVN3 has no upper-case vowels with a tone mark: they are written with the lower-case
    codes, as the .VnTimeH fonts expect. Windows-1258 writes a tone mark as a combining
    character after a precomposed base where it has no precomposed letter.

    Raises:
        ValueError: a character the encoding cannot write, or an unknown encoding.
    """
    text = _nfc(text)
    if encoding == CP1258:
        return b"".join(_cp1258(c) for c in text)
    tables = {TCVN3: _TCVN3_ENCODE, VNI: _VNI_ENCODE}
    if encoding not in tables:
        raise ValueError(f"unknown encoding {encoding!r}; use 'tcvn3', 'vni' or 'cp1258'")
    return b"".join(_legacy_char(c, tables[encoding], encoding) for c in text)


def _legacy_char(char: str, table: dict[str, str], encoding: str) -> bytes:
    if char in table:
        return table[char].encode("latin-1")
    if char < "\x80":
        return char.encode("ascii")
    try:
        code = char.encode("cp1252")
    except UnicodeEncodeError:
        code = b""
    if code and code[0] < 0xA0:  # punctuation Windows-1252 keeps at 0x80-0x9F
        return code
    raise ValueError(f"{char!r} has no {encoding.upper()} code")


def _cp1258(char: str) -> bytes:
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        pass
    decomposed = unicodedata.normalize("NFD", char)
    tones = "".join(c for c in decomposed if c in _TONE_MARKS)
    base = _nfc("".join(c for c in decomposed if c not in _TONE_MARKS))
    try:
        return (base + tones).encode("cp1258")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{char!r} has no Windows-1258 code") from exc
