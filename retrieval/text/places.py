"""Vietnam's provinces, to recognise where a notice applies and what a question asks about."""

from __future__ import annotations

import re
from collections.abc import Collection

from retrieval.text.normalize import fold

PROVINCES = (
    "An Giang", "Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
    "Bình Dương", "Bình Định", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Cần Thơ",
    "Đà Nẵng", "Đắk Lắk", "Đắk Nông", "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai",
    "Hà Giang", "Hà Nam", "Hà Nội", "Hà Tĩnh", "Hải Dương", "Hải Phòng", "Hậu Giang",
    "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum", "Lai Châu", "Lâm Đồng",
    "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An", "Ninh Bình", "Ninh Thuận",
    "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi", "Quảng Ninh", "Quảng Trị",
    "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên", "Thanh Hóa",
    "Thừa Thiên Huế", "Tiền Giang", "TP. Hồ Chí Minh", "Trà Vinh", "Tuyên Quang", "Vĩnh Long",
    "Vĩnh Phúc", "Yên Bái",
)  # fmt: skip

_ALIASES = {
    "ho chi minh": "TP. Hồ Chí Minh", "tp hcm": "TP. Hồ Chí Minh", "tphcm": "TP. Hồ Chí Minh",
    "hcm": "TP. Hồ Chí Minh", "sai gon": "TP. Hồ Chí Minh",
}  # fmt: skip
_ALIAS_PATTERN = re.compile(r"\b(" + "|".join(map(re.escape, _ALIASES)) + r")\b")


def _folded_names() -> dict[str, str]:
    names = {re.sub(r"[^a-z ]", " ", fold(p)).split(" tp ")[-1]: p for p in PROVINCES}
    names = {" ".join(k.split()): v for k, v in names.items()}
    names.update(_ALIASES)
    return names


_BY_FOLDED = _folded_names()
_PATTERN = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _BY_FOLDED), key=len, reverse=True)) + r")\b"
)


_ACCENTED = re.compile(
    r"(?<!\w)("
    + "|".join(re.escape(p.lower()) for p in sorted(PROVINCES, key=len, reverse=True))
    + r")(?!\w)"
)


def find_provinces(text: str, *, folded: str | None = None) -> list[str]:
    """Province names mentioned in the text, canonical spelling, first mention first.

    Text with diacritics is matched with them ("diễn biến" is not "Điện Biên"); text typed
    without diacritics is matched folded.

    Args:
        text: the text.
        folded: `fold(text)`, when the caller has it already (a Query folds once).
    """
    folded = fold(text) if folded is None else folded
    spaced = " ".join(re.sub(r"[^a-z0-9 ]", " ", folded).split())
    seen: list[str] = []
    if folded != text.lower():  # typed with diacritics
        by_lower = {p.lower(): p for p in PROVINCES}
        names = [by_lower[m.group(1)] for m in _ACCENTED.finditer(text.lower())]
        names += [_ALIASES[m.group(1)] for m in _ALIAS_PATTERN.finditer(spaced)]
    else:
        names = [_BY_FOLDED[m.group(1)] for m in _PATTERN.finditer(spaced)]
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def resolve_province(typed: str, *, among: Collection[str] | None = None) -> str | None:
    """The province a typed name means: the one resolver of the whole product.

    /tinh, /theodoi, captions, the web filters, `--province`, a notice's masthead and the
    questions themselves (through `find_provinces`) all read a province this way.

    Args:
        typed: the name as written: any case, with or without diacritics, or a common alias
            ("kien giang", "tphcm", "Sài Gòn").
        among: if given, the provinces that may be chosen (those with notices); a province
            outside them resolves to None.

    Returns:
        The canonical spelling ("Kiên Giang", "TP. Hồ Chí Minh"), or None.
    """
    found = find_provinces(typed)
    if not found or (among is not None and found[0] not in among):
        return None
    return found[0]
