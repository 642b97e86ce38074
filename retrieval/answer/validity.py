"""Rules have dates: the newest notice leads, and ended or replaced rules say so.

The bundled notices are from 2021-2022 and the product is used years later. A lead that
states "21 ngày" must say whose rule it is and when (lead.py), and also when its stated
period is over or a newer indexed document replaces it. "Today" is the Answerer's clock
(`CHITHI_TODAY` in the settings), never a year written in the code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from retrieval.answer import phrasing
from retrieval.types import Answer, NoticeMeta, Passage

Clock = Callable[[], dt.date]


@dataclass(frozen=True)
class Dating:
    """What a lead needs to date its rules: today, and the indexed documents."""

    today: dt.date
    catalog: Mapping[str, NoticeMeta]

    def note(self, passage: Passage) -> str | None:
        """'(áp dụng 14-20/9/2021, thời hạn đã qua)' or '(văn bản này đã được thay thế bởi …)'."""
        newer = self.catalog.get(passage.meta.superseded_by or "")
        if newer is not None:
            return phrasing.replaced_by(newer)
        period = passage.paragraph.period
        if period is not None and period.ended(self.today):
            return phrasing.period_ended(period)
        return None


EQUALLY_SURE = 0.95  # versions of one rule: passages of a province this close to its best


def newest_first(passages: Sequence[Passage], *, answers: Callable[[float], bool]) -> list[Passage]:
    """The passages with each province's newest notice first among those that answer.

    Those that answer are those whose score `answers` accepts, and only those that answer
    about as well as the province's best (EQUALLY_SURE): a newer notice that does not answer
    the question takes no one's place. A newer dated notice of a province takes the place
    of an older one: its rule is the one in force. Across provinces
    the order stays (their rules differ; another province's newest is not the answer for
    this one). Undated notices, and passages that do not answer, keep their places: nobody
    can say which undated notice is newer.
    """
    ranked = list(passages)
    best: dict[str | None, float] = {}
    for p in ranked:
        best[p.meta.province] = max(best.get(p.meta.province, 0.0), p.score)
    groups: dict[str | None, list[int]] = {}  # province -> the places of its dated answers
    for i, p in enumerate(ranked):
        equal = p.score >= EQUALLY_SURE * best[p.meta.province]
        if answers(p.score) and equal and p.meta.date is not None:
            groups.setdefault(p.meta.province, []).append(i)
    for places in groups.values():
        newest = sorted((ranked[i] for i in places), key=_date, reverse=True)
        for i, p in zip(places, newest, strict=True):
            ranked[i] = p
    return ranked


def _date(passage: Passage) -> dt.date:
    return passage.meta.date or dt.date.min


def stamped(answer: Answer, today: dt.date) -> Answer:
    """The answer with each citation's `expired` set against today."""
    citations = tuple(
        replace(c, expired=c.period is not None and c.period.ended(today)) for c in answer.citations
    )
    return replace(answer, citations=citations)


def document_status(meta: NoticeMeta, catalog: Mapping[str, NoticeMeta], today: dt.date) -> str:
    """'còn hiệu lực (theo các văn bản hiện có)', 'đã được thay thế bởi …', or its periods over."""
    return phrasing.status(meta, today, catalog.get(meta.superseded_by or ""))
