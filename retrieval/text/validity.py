"""What a notice says about when its rules apply, and which documents it replaces.

Periods: "từ ngày 14-9-2021 đến hết ngày 20-9-2021", "trong Quý II/2022", "bắt đầu từ ngày
14-9-2021", "cho đến khi có thông báo mới". Replacements: "thay thế Thông báo số 12-TB/TU".

Only what the text says: a rule that states no period has none, and a date the text does not
give is never guessed. A period in a sentence that reports on the past ("báo cáo tình hình …
từ ngày 28/5/2021 đến ngày 16/9/2021") is not a rule's, and is skipped.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from retrieval.text.normalize import fold
from retrieval.types import Period

# One date, as the notices write it: "ngày 14 tháng 9 năm 2021", "14-9-2021", "14/9/2021".
# Read with diacritics (lowercase): folded, "từ" would also be "TU", Tỉnh ủy, in "15-TB/TU".
_DATE = r"(?:ngày\s+)?(\d{1,2})(?:\s*[-/.]\s*|\s+tháng\s+)(\d{1,2})(?:\s*[-/.]\s*|\s+năm\s+)(\d{4})"
_RANGE = re.compile(
    rf"(?<!\w)(?:kể từ|bắt đầu từ|từ)\s+{_DATE}"
    rf"(?:\s*(?:đến|tới|-)\s*(?:hết\s+)?{_DATE})?"
)
_QUARTER = re.compile(r"(?<!\w)quý\s+(i{1,3}|iv|[1-4])\s*(?:/|năm\s+)\s*(\d{4})")
_UNTIL_NOTICE = re.compile(
    r"\b(?:cho )?den khi co (?:thong bao|van ban|chi dao|quyet dinh|huong dan) (?:moi|khac)"
)
_REPORTED = re.compile(r"\b(bao cao|tinh hinh|ket qua|da dat|da thuc hien|thoi gian qua)\b")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")
_QUARTERS = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}


def find_period(text: str, *, issued: dt.date | None = None) -> Period | None:
    """The period a paragraph states for its rule, if it states one.

    A period that ended before the notice was issued (`issued`) is the past it reports on
    ("số ca mắc mới trong quý I/2022" in a notice of May 2022), not a rule's.

    Several periods in one paragraph are merged: the earliest start, and the latest end
    unless a part runs on ("đến khi có thông báo mới", or a start with no end), when the
    paragraph states no end.
    """
    starts: list[dt.date] = []
    ends: list[dt.date] = []
    unbounded = False  # a start with no end: when the rule stops, the text does not say
    until_notice = False
    for sentence in _SENTENCE.split(unicodedata.normalize("NFC", text).lower()):
        folded = fold(sentence)
        if _REPORTED.search(folded):
            continue
        for m in _RANGE.finditer(sentence):
            start = _date(m.group(1), m.group(2), m.group(3))
            end = _date(m.group(4), m.group(5), m.group(6)) if m.group(4) else None
            if start is None or (end is not None and issued is not None and end < issued):
                continue
            starts.append(start)
            if end:
                ends.append(end)
            else:
                unbounded = True
        for m in _QUARTER.finditer(sentence):
            quarter, year = _QUARTERS[m.group(1)], int(m.group(2))
            last_month = 3 * quarter
            end = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
            if issued is not None and end < issued:
                continue
            starts.append(dt.date(year, 3 * quarter - 2, 1))
            ends.append(end)
        if _UNTIL_NOTICE.search(folded):
            until_notice = True
    if not starts and not ends and not until_notice:
        return None
    return Period(
        start=min(starts) if starts else None,
        end=None if unbounded or until_notice or not ends else max(ends),
        until_further_notice=until_notice,
    )


def _date(day: str, month: str, year: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# "thay thế Thông báo số 123-TB/TU", "bãi bỏ Chỉ thị số 05/CT-UBND"; and "Chỉ thị số 05/CT-UBND
# … hết hiệu lực". A document number: digits, then letters, digits, "/" and "-".
_NUMBER = r"số\s+(\d+[-/][0-9A-Za-zĐđ/-]*[0-9A-Za-zĐđ])"
_REPLACES = re.compile(rf"(?:thay thế|bãi bỏ)[^.;:]{{0,80}}?{_NUMBER}", re.IGNORECASE)
_REPLACED = re.compile(
    rf"{_NUMBER}[^.;:]{{0,80}}?(?:hết hiệu lực|được thay thế|bị bãi bỏ)", re.IGNORECASE
)


def find_replaced(text: str) -> list[str]:
    """Numbers of the documents a text says it replaces or repeals, as written, in order."""
    found: list[tuple[int, str]] = []
    for pattern in (_REPLACES, _REPLACED):
        found += [(m.start(1), m.group(1)) for m in pattern.finditer(text)]
    out: list[str] = []
    for _, number in sorted(found):
        if number not in out:
            out.append(number)
    return out


def number_key(number: str) -> str:
    """A document number compared loosely: '123-TB/TU' and '123 TB/TU ' are one."""
    return re.sub(r"[^0-9a-z]+", "", fold(number))
