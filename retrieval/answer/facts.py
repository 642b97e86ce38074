"""The kinds of fact a question asks for, and whether a text states one.

"Bao nhiêu ngày" asks for a number, "khi nào" for a date, "chỉ thị nào" for a document: the
lead must carry that fact (lead.py). A paragraph without it may still answer: "Tạm dừng cách
ly tập trung" answers "cách ly tập trung bao nhiêu ngày?" (the thing `stops`), so for
answerability a number question's missing number is a signal ("numberless"), and a rule
only when a unit, a percentage or money is asked and the paragraph does not say it stopped.
"""

from __future__ import annotations

import re
import unicodedata

from retrieval.search import Asks, Query
from retrieval.text import fold

_NUMBER_WORDS = "mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|tram|nghin"
# What a text must contain to carry the fact asked for (on folded text).
TYPED: dict[Asks, re.Pattern[str]] = {
    "reason": re.compile(r"\b(nguyen nhan|ly do|la do|boi vi|boi|do mot so|nham|muc dich)\b"),
    "number": re.compile(rf"\d|\b({_NUMBER_WORDS})\b"),
    "date": re.compile(
        r"\d{1,2} ?[-/.] ?\d{1,2}|\bngay \d|\bthang \d|\bquy [ivx1-4]+|\bnam 20\d\d"
        r"|\btu ngay|\bden (het )?ngay|\bden khi|\bthoi gian|\d+ ngay"
    ),
    "document": re.compile(
        r"\b(chi thi|quyet dinh|thong bao|ke hoach|cong van|nghi quyet|nghi dinh)\b[^.;]{0,12}\d"
    ),
    "place": re.compile(
        r"\b(huyen|xa|phuong|thi tran|thanh pho|thi xa|tinh|khu|cho|benh vien|tram|trung tam"
        r"|cua khau|bien gioi|dia ban)\b"
    ),
    "person": re.compile(
        r"\b(nguoi|can bo|cong chuc|doi tuong|nhan dan|cong dan|tre|hoc sinh|lanh dao|ban chi dao"
        r"|uy ban|ubnd|so |cong an|quan doi|luc luong|to chuc|don vi|cap uy|chinh quyen|nganh"
        r"|dong chi|ong|ba|bi thu|chu tich|giam doc|truong ban|thuong truc|tinh uy)\b"
    ),
}


def states(pattern: re.Pattern[str], text: str) -> bool:
    """Whether a text states the fact a pattern asks for, its lines' list numbers aside.

    "2. Người được cấp lại thẻ … phải nộp phí." numbers its clause with "2."; "… phòng,
    chống dịch Covid-19" names the disease with "19": neither states an amount.
    """
    return bool(pattern.search(_NAME_NUMBER.sub("", _LIST_NUMBER.sub("", fold(text)))))


def asks_counted(query: Query) -> bool:
    """True when the question asks for a count of a unit, a percentage or an amount.

    "bao nhiêu ngày", "mấy ca", "bao nhiêu phần trăm", "bao nhiêu tiền"; not a bare "bao
    nhiêu?" nor "bao lâu".
    """
    typed = typed_pattern(query)
    return typed is not None and typed is not TYPED.get(query.asks)


def stops(text: str) -> bool:
    """True when a text says a rule or an activity stops or does not apply.

    "Tạm dừng hoạt động các khu cách ly tập trung" answers "cách ly tập trung bao nhiêu
    ngày?" with no number: there is none any more.
    """
    return _STOPS.search(unicodedata.normalize("NFC", text)) is not None


def typed_pattern(query: Query) -> re.Pattern[str] | None:
    """The pattern of the fact asked for, if the answer must hold one.

    "Văn bản nào nói về X?" is answered by the source the lead names, so its span need not
    hold a document number: it is the one about X.
    """
    if query.asks == "document" and re.search(r"\bvan ban nao\b", query.folded):
        return None
    if query.asks == "number":
        unit = _UNIT.search(query.folded) or _FEW.search(query.folded)
        if unit is not None and unit.group(1) == "tien":
            return _MONEY  # "bao nhiêu tiền": an amount ("150.000 đồng"), not "Covid-19"
        if _PERCENT_ASKED.search(query.folded):
            return _PERCENT  # "bao nhiêu phần trăm": "5%", not "tỷ lệ phần trăm của …"
        if unit is not None and unit.group(1) not in _NOT_UNITS:
            # "Bao nhiêu ngày": a number of days ("21 ngày", "mười bốn ngày"), not any
            # number ("9. Giao Thường trực …" numbers a section).
            counted = _SAME_UNIT.get(unit.group(1), unit.group(1))
            return re.compile(rf"(\d+|\b(?:{_NUMBER_WORDS}))\s+(\w+\s+)?(?:{counted})\b")
    return TYPED.get(query.asks)


# A line's list number: "2. " of a clause, "a) " of a point, "1.2. " of a section.
_LIST_NUMBER = re.compile(r"(?m)^[ \t]*(?:\d+(?:\.\d+)*\.|[a-z]\))[ \t]+")
# A number that is part of a name: "Covid-19", "SARS-CoV-2", "H5N1".
_NAME_NUMBER = re.compile(r"\b[a-z]+-?\d+(?:[a-z]+\d*)?\b")
# An amount of money, on folded text: "150.000 đồng", "2 triệu", "miễn phí".
_MONEY = re.compile(
    rf"\d[\d.,]*\s*(?:dong|vnd|d|trieu|nghin|ngan|ty)\b"
    rf"|\b(?:{_NUMBER_WORDS})\s+(?:trieu|nghin|ngan|ty|tram nghin)\b|\bmien phi\b"
)
# Read with diacritics: folded, "dừng" (stop) is "dung", as "nội dung", "sử dụng" are.
_STOPS = re.compile(
    r"(?<!\w)(?:tạm dừng|dừng|tạm hoãn|bãi bỏ|chấm dứt|không còn|không áp dụng|không tổ chức"
    r"|không thực hiện|không yêu cầu|miễn)(?!\w)",
    re.IGNORECASE,
)
_UNIT = re.compile(r"\bbao nhieu ([a-z]+)\b")
# "mấy ngày", "mấy giờ": "mấy" before a unit only ("xe máy" folds to "xe may" too).
# Not "số mấy, ngày nào?" (which number; which day): the question's fold has no commas.
_FEW = re.compile(
    r"(?<!so )\bmay (ngay|gio|thang|nam|tuan|phut|lan|nguoi|ca|lieu|mui|tuoi|buoi|dot)\b"
)
# A case is a person: "bao nhiêu ca" is answered by "ít nhất một người bệnh", "05 trường hợp".
_SAME_UNIT = {"ca": "ca|nguoi|truong hop|benh nhan"}
_PERCENT_ASKED = re.compile(r"\b(?:bao nhieu|may) phan tram\b")
_PERCENT = re.compile(r"\d[\d.,]*\s*(?:%|phan tram)")
_NOT_UNITS = frozenset({"lau", "tien", "phan", "la", "thi", "vay", "a", "nhi", "the"})
