"""A question read once: its text, folded forms, tokens, places, dates, intent and what it asks.

Every later stage (search, the not-found decision, the lead) reads this value instead of
folding and parsing the question string again.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from retrieval.search.intent import Classified, classify
from retrieval.text import (
    QUESTION_STOPWORDS,
    find_dates,
    find_provinces,
    fold,
    has_diacritics,
    query_tokens,
    syllables,
)

# What kind of fact a question asks for; the lead must carry it (see answer/lead.py).
Asks = Literal[
    "reason", "number", "date", "person", "place", "document", "definition", "yesno", "other"
]

_WORD = re.compile(r"[0-9a-z]+")
# Checked in this order on the folded question: the first that matches wins.
_ASKS: tuple[tuple[Asks, str], ...] = (
    ("reason", r"\b(vi sao|tai sao|nguyen nhan|ly do|do dau ma)\b"),
    ("definition", r"\b(la gi|gom nhung gi|gom gi|nghia la gi|la nhung gi|bao gom nhung gi"
                   r"|duoc coi la gi|duoc xac dinh la gi|hieu the nao)\b"),
    ("number", r"\b(bao nhieu|may (ngay|nguoi|tuoi|mui|lan|xa|huyen|tinh|thang|tuan|gio))\b"),
    ("date", r"\b(khi nao|bao gio|ngay nao|thoi gian nao|tu ngay nao|den ngay nao|luc nao"
             r"|thang nao|nam nao|den bao gio|bao lau)\b"),
    ("document", r"\b(chi thi nao|van ban nao|thong bao nao|quyet dinh nao|theo chi thi gi)\b"),
    ("person", r"\b(ai|nguoi nao|doi tuong nao|nhung ai|co quan nao|don vi nao)\b"),
    ("place", r"\b(o dau|noi nao|dia ban nao|huyen nao|xa nao|tinh nao|khu vuc nao|cho nao)\b"),
    ("yesno", r"\b(co (duoc|phai|can|bi|nen)\b.*\bkhong|khong\s*$|chua\s*$|duoc khong)\b"),
)  # fmt: skip
_ASKS_COMPILED = tuple((name, re.compile(pattern)) for name, pattern in _ASKS)


@dataclass(frozen=True)
class Query:
    """One question, parsed once.

    Attributes:
        text: NFC, trimmed, as typed (diacritics and case kept): what the LLM reads.
        core: the text without a hotline operator's framing ("Người dân hỏi …, tôi trả lời
            thế nào?"): what e5 reads and what the other fields are read from.
        folded: the core lowercase, diacritics removed, punctuation as spaces, single-spaced.
        key: the whole text folded the same way: how the question log groups the spellings
            of one question, and what the intent is read from.
        syllables: the lowercase syllables with their diacritics, in order.
        tokens: the BM25 tokens (folded syllables, bigrams, accented syllables, expansions).
        words: the folded content words (question words and particles removed).
        provinces: provinces named in the question, canonical spelling, first mention first.
        dates: dates written in the question.
        intent: refusal, off-topic, a question about a document itself, or a normal question.
        asks: the kind of fact asked for (a number, a date, a person, ...).
        accented: True when the question was typed with diacritics.
        numbers: the documents' numbers the question names, folded ("2686/qd-bcdqg").
        current: the question asks about now ("hiện nay", "mới nhất", "còn … không"): the
            newest notice that answers should lead.
    """

    text: str
    core: str
    folded: str
    key: str
    syllables: tuple[str, ...]
    tokens: tuple[str, ...]
    words: frozenset[str]
    provinces: tuple[str, ...]
    dates: tuple[dt.date, ...]
    intent: Classified
    asks: Asks
    accented: bool
    current: bool = False
    numbers: tuple[str, ...] = ()

    @classmethod
    def parse(cls, question: str) -> Query:
        """Read a question (any case, with or without diacritics)."""
        text = unicodedata.normalize("NFC", question).strip()
        folded_text = fold(text)  # the one fold of the question; the rest is cut from it
        core, folded_core = _unframed(text, folded_text)
        folded = _spaced(folded_core)
        key = _spaced(folded_text)
        words = frozenset(w for w in _WORD.findall(folded) if w not in QUESTION_STOPWORDS)
        return cls(
            text=text,
            core=core,
            folded=folded,
            key=key,
            syllables=tuple(syllables(core)),
            tokens=tuple(query_tokens(core, folded=folded_core)),
            words=words,
            provinces=tuple(find_provinces(text, folded=folded_text)),
            dates=tuple(find_dates(text)),
            intent=classify(key),
            asks=_asks(folded),
            accented=folded_core != core.lower(),
            current=bool(_CURRENT.search(folded)),
            numbers=tuple(_DOCUMENT_NUMBER.findall(folded_text)),
        )

    def parts(self) -> tuple[Query, ...]:
        """The questions a compound question asks, each with the question's context clauses.

        "Trẻ em bao nhiêu tuổi được tiêm mũi 2, có cần giấy khai sinh không?" asks two things;
        the notices may answer one. A clause that asks nothing ("Nhà tôi ở Hòn Đất,") is
        context and goes with every part. Empty unless at least two clauses ask something.
        """
        clauses = [c.strip() for c in _CLAUSE_SPLIT.split(self.core) if c and c.strip()]
        asking = [c for c in clauses if _asks_something(c) and _content_words(c) >= 3]
        if len(asking) < 2 or len(asking) > MAX_PARTS:
            return ()
        context = ", ".join(c for c in clauses if c not in asking)
        return tuple(Query.parse(f"{context}, {c}" if context else c) for c in asking)

    def province_with_notices(self, known: frozenset[str]) -> str | None:
        """The province the question names, if it names exactly one that has notices."""
        named = [p for p in self.provinces if p in known]
        return named[0] if len(named) == 1 else None

    def names_unknown_province(self, known: frozenset[str]) -> bool:
        """True when the question names provinces and none of them has notices."""
        return bool(self.provinces) and not any(p in known for p in self.provinces)


# "Hiện nay", "bây giờ", "mới nhất", "còn … không" (not "con tôi …", a child).
_CURRENT = re.compile(
    r"\b(hien nay|bay gio|hien tai|hien gio|moi nhat|gan day nhat|luc nay|dao nay)\b"
    r"|\bcon (?!toi|em|chau|cai|nho|be|trai|gai|nguoi|minh|cua)[a-z]+\b.*\b(khong|ko|nua)\s*$"
)
# A document's number has letters after its slash ("15/ct-ttg"; a date, "13/5/2022", has not),
# or follows its kind ("chỉ thị 16", "quyết định số 2686").
_DOCUMENT_NUMBER = re.compile(
    r"\b\d+(?:/[0-9-]*[a-z][0-9a-z-]*)+"
    r"|(?<=chi thi )\d+\b(?!/)|(?<=quyet dinh )\d+\b(?!/)|(?<=chi thi so )\d+\b(?!/)"
    r"|(?<=quyet dinh so )\d+\b(?!/)"
)
MAX_PARTS = 3  # a longer list of questions is answered whole or not at all
_CLAUSE_SPLIT = re.compile(r"[,;?]+|\s+(?:và|hay|hoặc|còn)\s+(?=\S+\s+\S+)", re.IGNORECASE)
# A clause that asks something: a question word or a closing "không"/"chưa". With diacritics
# when typed with them: folded, "đầu tiên" would read as "ở đâu".
_ASKING = re.compile(
    r"\b(gì|nào|sao|ai|đâu|bao nhiêu|bao lâu|bao giờ|mấy)\b|\b(không|chưa|ko|k)\s*$"
)
_ASKING_FOLDED = re.compile(
    r"\b(gi|nao|sao|ai|dau|bao nhieu|bao lau|bao gio|may)\b|\b(khong|chua|ko|k)\s*$"
)


def _asks_something(clause: str) -> bool:
    if has_diacritics(clause):
        return bool(_ASKING.search(clause.lower()))
    return bool(_ASKING_FOLDED.search(_folded(clause)))


# How hotline staff relay a caller's question (folded; fold keeps every character's place, so
# a match in the folded text cuts the typed text at the same place). Only the framing goes:
# "Người dân được hướng dẫn gì?" keeps its "hướng dẫn gì", which asks the question.
_FRAMING = (
    re.compile(
        r"^(?:ba con|nguoi dan|dan|co nguoi|mot nguoi|khach|nguoi goi|nguoi nha)"
        r"(?:\s+(?:o|tai)\s+[^,?]{1,40}?)?\s+(?:goi\s+(?:dien\s+)?(?:den\s+)?)?"
        r"(?:hoi|thac mac|muon biet)(?:\s+(?:la|rang|ve))?\s*[:,]?\s+"
    ),
    re.compile(
        r"(?:[,;.]\s*|\s+)(?:thi\s+|vay\s+)?(?:toi|em|minh|chung toi)\s+"
        r"(?:nen\s+|phai\s+|can\s+|se\s+)?(?:tra loi|giai thich|noi|tu van|tra loi lai)"
        r"(?:\s+(?:lai|ho|ba con|nguoi dan))?(?:\s+(?:the nao|nhu the nao|ra sao|sao|gi))?"
        r"\s*\??\s*$"
    ),
    re.compile(r"[,;.]\s*(?:tra loi|giai thich)\s+(?:the nao|nhu the nao|ra sao|sao)\s*\??\s*$"),
)
_MIN_CORE_WORDS = 3  # what is left must still be a question


def _unframed(text: str, folded: str) -> tuple[str, str]:
    """The caller's question inside an operator's framing, or the text as it is; and its fold.

    The folded text is cut at the same places as the text: folding keeps every character's
    place (one character for one, NFC text).
    """
    core, folded_core = text, folded
    for pattern in _FRAMING:
        if len(folded_core) != len(core):  # a character whose fold is not one character
            folded_core = fold(core)
        match = pattern.search(folded_core)
        if match:
            rest = (core[: match.start()] + core[match.end() :]).strip(" ,;:")
            if len(rest.split()) >= _MIN_CORE_WORDS:
                folded_rest = folded_core[: match.start()] + folded_core[match.end() :]
                core, folded_core = rest, folded_rest.strip(" ,;:")
    if len(folded_core) != len(core):
        folded_core = fold(core)
    return core, folded_core


def _spaced(folded: str) -> str:
    """A folded text with punctuation as spaces, single-spaced."""
    return " ".join(re.sub(r"[^0-9a-z]", " ", folded).split())


def _folded(text: str) -> str:
    return _spaced(fold(text))


def _content_words(clause: str) -> int:
    return sum(1 for w in _WORD.findall(_folded(clause)) if w not in QUESTION_STOPWORDS)


def as_query(question: str | Query) -> Query:
    """The parsed question: a Query is passed through, a string is parsed once."""
    return question if isinstance(question, Query) else Query.parse(question)


def _asks(folded: str) -> Asks:
    for name, pattern in _ASKS_COMPILED:
        if pattern.search(folded):
            return name
    return "other"
