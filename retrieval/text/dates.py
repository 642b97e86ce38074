"""Find dates however Vietnamese documents write them."""

from __future__ import annotations

import datetime as dt
import re

_WORDY = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_NUMERIC = re.compile(r"(?<![\d/.-])(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*\2\s*(\d{4})(?![\d/])")
_FOLDED_WORDY = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")


def _make(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def find_dates(text: str) -> list[dt.date]:
    """All valid dates in the text, in order of appearance.

    Understands "ngày 16 tháng 9 năm 2021" (with or without diacritics), "13-9-2021",
    "13/5/2022" and "13.5.2022".
    """
    found: list[tuple[int, dt.date]] = []
    for pattern in (_WORDY, _FOLDED_WORDY):
        for m in pattern.finditer(text):
            date = _make(m.group(1), m.group(2), m.group(3))
            if date:
                found.append((m.start(), date))
    for m in _NUMERIC.finditer(text):
        date = _make(m.group(1), m.group(3), m.group(4))
        if date:
            found.append((m.start(), date))
    found.sort(key=lambda item: item[0])
    unique: list[dt.date] = []
    for _, date in found:
        if date not in unique:
            unique.append(date)
    return unique


def first_date(text: str) -> dt.date | None:
    """The first date in the text, or None."""
    dates = find_dates(text)
    return dates[0] if dates else None


def format_date(date: dt.date | None) -> str:
    """A date as Vietnamese readers write it: 16/9/2021."""
    return f"{date.day}/{date.month}/{date.year}" if date else "không ghi ngày"
