"""How questions name documents: by kind and number, by kind and name, by kind, by date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from retrieval.search.query import Query
from retrieval.text import fold
from retrieval.types import NoticeMeta

# "Nghị định 101/2010/NĐ-CP", "nghi dinh so 165", "Thông tư 33/2021", "Quyết định 73" (folded).
_NAMED_SOURCE = re.compile(
    r"\b(luat|nghi dinh|thong tu(?: lien tich)?|quyet dinh|chi thi|nghi quyet)\s+(?:so\s+)?"
    r"(\d+)(?:/(\d{4}))?"
)


def named_sources(folded: str) -> list[tuple[str, str, str | None]]:
    """The laws and decrees a question names by number: (kind, number, year or None)."""
    return [(m.group(1), m.group(2), m.group(3)) for m in _NAMED_SOURCE.finditer(folded)]


# A statute, as a document or a codified article's source names it (folded).
_STATUTE = re.compile(r"(?:bo luat|luat|phap lenh)\b")
# "Theo Luật Phòng, chống bệnh truyền nhiễm …", "theo pháp lệnh dân số …" (folded): a statute
# named by its name, not its number.
_STATUTE_NAMED = re.compile(r"\b(?:bo luat|luat|phap lenh)\s+(?!so\b)(?=[a-z])")


def is_statute(document: str) -> bool:
    """True for a law, a code or an ordinance ("Luật số 03/2007/QH12", "Pháp lệnh …")."""
    return _STATUTE.match(fold(document)) is not None


def named_statutes(folded: str) -> list[str]:
    """What follows each "luật", "bộ luật", "pháp lệnh" of a question, in plain words."""
    return [_plain(folded[m.end() :]) for m in _STATUTE_NAMED.finditer(folded)]


def is_named_statute(document: str, name: str | None, named: list[str]) -> bool:
    """True when a statute's name ("Dân số", "Phòng, chống bệnh truyền nhiễm") is one named.

    Args:
        document: the statute as its source line names it ("Pháp lệnh số 06/2003/…").
        name: its name, when known.
        named: what the question says after "luật" or "pháp lệnh" (named_statutes).
    """
    if not name or not named or not is_statute(document):
        return False
    plain = _STATUTE.sub("", _plain(fold(name)), count=1).strip()
    return bool(plain) and any(text == plain or text.startswith(f"{plain} ") for text in named)


def _plain(folded: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def names_kind(folded: str, kind: str) -> bool:
    """True when a folded question names a document by its folded kind ("chi thi cua ...").

    Not "Chỉ thị 15" (a number names another document) nor "theo chỉ thị nào?" (it asks
    for one, and names none).
    """
    return (
        re.search(rf"\b{re.escape(kind)}\b(?! ?(so )?\d)(?! (nao|gi|so may|may)\b)", folded)
        is not None
    )


def is_source(document: str, name: tuple[str, str, str | None]) -> bool:
    """True when a document's name ("Nghị định số 101/2010/NĐ-CP") is the one named."""
    kind, number, year = name
    folded = fold(document)
    if not folded.startswith(kind):
        return False
    found = re.search(r"(\d+)(?:/(\d{4}))?", folded)
    if found is None or found.group(1).lstrip("0") != number.lstrip("0"):
        return False
    return year is None or found.group(2) == year


def mentions_source(text: str, name: tuple[str, str, str | None]) -> bool:
    """True when a paragraph names the document asked about ("theo Chỉ thị 16/CT-TTg")."""
    kind, number, year = name
    mentioned = named_sources(fold(text))
    return any(
        k == kind and n.lstrip("0") == number.lstrip("0") and (year is None or y in (None, year))
        for k, n, y in mentioned
    )


class DocumentNames:
    """How questions name documents: by date or by kind, grouped once per catalog change.

    At 10,000 notices, scanning the catalog for every question cost ~200 ms; the groups make
    it a handful of dictionary look-ups and one regex per distinct kind.
    """

    def __init__(self, catalog: Mapping[str, NoticeMeta]) -> None:
        self.size = len(catalog)
        self.by_date: dict[dt.date, set[str]] = {}
        self.by_kind: dict[str, set[str]] = {}
        for doc_id, meta in catalog.items():
            if meta.date:
                self.by_date.setdefault(meta.date, set()).add(doc_id)
            if meta.kind:
                self.by_kind.setdefault(fold(meta.kind), set()).add(doc_id)

    def named(self, query: Query) -> set[str]:
        """Documents the question names by their kind ("chỉ thị", not "Chỉ thị 15") or date.

        "Theo chỉ thị nào?" asks for a directive, it names none: the notice that says which
        one is the answer.
        """
        folded = query.folded
        named: set[str] = set()
        for date in query.dates:
            named |= self.by_date.get(date, set())
        by_kind: set[str] = set()
        for kind, docs in self.by_kind.items():
            if names_kind(folded, kind):
                by_kind |= docs
        if 0 < len(by_kind) < self.size:
            named |= by_kind
        return named
