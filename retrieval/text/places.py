"""Vietnam's provinces, to recognise where a notice applies and what a question asks about."""

from __future__ import annotations

import re

from retrieval.text.normalize import fold, has_diacritics

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


def find_provinces(text: str) -> list[str]:
    """Province names mentioned in the text, canonical spelling, first mention first.

    Text with diacritics is matched with them ("diễn biến" is not "Điện Biên"); text typed
    without diacritics is matched folded.
    """
    seen: list[str] = []
    if has_diacritics(text):
        by_lower = {p.lower(): p for p in PROVINCES}
        names = [by_lower[m.group(1)] for m in _ACCENTED.finditer(text.lower())]
        folded = " ".join(re.sub(r"[^a-z0-9 ]", " ", fold(text)).split())
        names += [_ALIASES[m.group(1)] for m in _ALIAS_PATTERN.finditer(folded)]
    else:
        folded = " ".join(re.sub(r"[^a-z0-9 ]", " ", fold(text)).split())
        names = [_BY_FOLDED[m.group(1)] for m in _PATTERN.finditer(folded)]
    for name in names:
        if name not in seen:
            seen.append(name)
    return seen


def canonical_province(name: str) -> str | None:
    """The canonical spelling of a province typed any way ("kien giang" -> "Kiên Giang")."""
    found = find_provinces(name)
    return found[0] if found else None
