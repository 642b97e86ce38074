"""What an administrator says about a file that the file itself does not.

Its date, province, and what it replaces: `chithi ingest --date … --province … --supersedes
…`, a Telegram caption "ngày 01/02/2021, tỉnh Gia Lai", the web form's fields.

Checked here, before the file is read: a date that is not one, a province nobody knows, or a
replaced document that is not in the index is refused with its reason, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot import messages
from bot.uploads import DOC_ID
from retrieval import AdminFacts, format_date
from retrieval.text import find_dates, fold, resolve_province

MAX_CAPTION_CHARS = 300
_PARTS = re.compile(r"[,;\n]+")
_DATE_WORD = re.compile(r"^(?:ngay|ban hanh|ngay ban hanh)\s+", re.I)
_PROVINCE_WORD = re.compile(r"^(?:tinh|thanh pho|tp\.?)\s+", re.I)
_SUPERSEDES_WORD = re.compile(r"^(?:thay the|thay|supersedes)\s+", re.I)


class FactError(ValueError):
    """A fact an administrator gave that cannot be used; `field` says which."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"{field}: {value!r}")
        self.field = field  # "date", "province", "supersedes" or "caption"
        self.value = value


@dataclass(frozen=True)
class GivenFacts:
    """A caption or form read: the document id to use, and the facts to set."""

    doc_id: str | None = None
    facts: AdminFacts = AdminFacts()

    def describe(self) -> str:
        """'ngày 1/2/2021, tỉnh Gia Lai, thay thế 000_95f2…': what was set, for the reply."""
        parts = []
        if self.facts.date:
            parts.append(messages.FACT_DATE.format(date=format_date(self.facts.date)))
        if self.facts.province:
            parts.append(messages.FACT_PROVINCE.format(province=self.facts.province))
        if self.facts.supersedes:
            parts.append(messages.FACT_SUPERSEDES.format(doc_id=self.facts.supersedes))
        return ", ".join(parts)


def given_facts(
    *,
    date: str | None = None,
    province: str | None = None,
    supersedes: str | None = None,
    known: Mapping[str, object] | None = None,
) -> AdminFacts:
    """The facts for an ingest, from values as typed; raises FactError.

    Args:
        date: "01/02/2021", "1-2-2021", "ngày 1 tháng 2 năm 2021" or "2021-02-01".
        province: any spelling `resolve_province` knows ("gia lai", "TP HCM").
        supersedes: the id of an indexed document (`known` holds the ids).
        known: the indexed documents by id.
    """
    day = _date(date) if date else None  # checked in this order: the first bad one is told
    canonical = None
    if province:
        canonical = resolve_province(province)
        if canonical is None:
            raise FactError("province", province)
    if supersedes and (
        not DOC_ID.fullmatch(supersedes) or (known is not None and supersedes not in known)
    ):
        raise FactError("supersedes", supersedes)
    return AdminFacts(date=day, province=canonical, supersedes=supersedes or None)


def read_caption(caption: str | None, known: Mapping[str, object]) -> GivenFacts:
    """A Telegram caption: a document id, and/or "ngày …, tỉnh …, thay thế MÃ"; raises FactError.

    Parts are separated by commas, semicolons or lines, typed with or without diacritics.
    A bare date is a date; a bare id is the id to give the document (as before).
    """
    text = (caption or "").strip()
    if not text:
        return GivenFacts()
    if len(text) > MAX_CAPTION_CHARS:
        raise FactError("caption", text[:40] + "…")
    if DOC_ID.fullmatch(text):
        return GivenFacts(doc_id=text)
    values: dict[str, str] = {}
    doc_id = None
    for raw in _PARTS.split(text):
        part = raw.strip()
        if not part:
            continue
        folded = fold(part)
        for key, word in (("date", _DATE_WORD), ("province", _PROVINCE_WORD),
                          ("supersedes", _SUPERSEDES_WORD)):  # fmt: skip
            m = word.match(folded)
            if m:
                values[key] = part[m.end() :].strip()
                break
        else:
            if _is_date(part):
                values["date"] = part
            elif DOC_ID.fullmatch(part) and doc_id is None:
                doc_id = part
            else:
                raise FactError("caption", part)
    return GivenFacts(doc_id=doc_id, facts=given_facts(**values, known=known))


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        pass
    value = value if re.search(r"\d{4}", value) else ""  # no year: not a date to set
    found = find_dates(value) or find_dates(f"ngày {value}")  # "1 tháng 2 năm 2021" too
    if len(found) != 1:
        raise FactError("date", value)
    return found[0]


def _is_date(part: str) -> bool:
    try:
        _date(part)
    except FactError:
        return False
    return True
