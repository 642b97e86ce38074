"""Value objects that flow through parse, index, search and compose."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Status = Literal["answered", "not_found", "refused"]
Mode = Literal["extractive", "llm"]
# "body" paragraphs answer questions; the other records hold the header, the "Nơi nhận"
# block and the signature verbatim, and are quoted only for questions about the document.
Role = Literal["body", "title", "recipients", "signature"]
# The kind of a Bộ Pháp điển topic: not a document of its own but the articles of many,
# gathered by subject (each with the document and article it comes from, an `Origin`).
CODIFIED_KIND = "Pháp điển"


@dataclass(frozen=True)
class Period:
    """When a rule applies, as its text states it (retrieval.text.find_period).

    Attributes:
        start: the first day it applies, if stated.
        end: the last day, if stated ("đến hết ngày 20-9-2021", "trong Quý II/2022").
        until_further_notice: "đến khi có thông báo mới": it runs until replaced.
    """

    start: dt.date | None = None
    end: dt.date | None = None
    until_further_notice: bool = False

    def ended(self, today: dt.date) -> bool:
        """True when the stated last day is before today."""
        return self.end is not None and self.end < today


@dataclass(frozen=True)
class AdminFacts:
    """What an administrator says about a file that the file does not state.

    Its issue date, its province, and the id of the indexed document it replaces: from
    `chithi ingest --date/--province/--supersedes`, a Telegram caption or the web form,
    checked by the front end (bot.notice_facts) and set over the text and the sidecar.
    """

    date: dt.date | None = None
    province: str | None = None
    supersedes: str | None = None

    def __bool__(self) -> bool:
        return bool(self.date or self.province or self.supersedes)

    def as_sidecar(self) -> dict[str, str]:
        """The facts set, as a sidecar's keys and values ("date" as YYYY-MM-DD)."""
        values = {
            "date": self.date.isoformat() if self.date else None,
            "province": self.province,
            "supersedes": self.supersedes,
        }
        return {k: v for k, v in values.items() if v}

    @classmethod
    def from_sidecar(cls, values: Mapping[str, str]) -> AdminFacts:
        """The facts as `as_sidecar` wrote them (the catalog keeps them so)."""
        date = values.get("date")
        return cls(
            date=dt.date.fromisoformat(date) if date else None,
            province=values.get("province") or None,
            supersedes=values.get("supersedes") or None,
        )


@dataclass(frozen=True)
class NoticeMeta:
    """What a notice says about itself (header, signature, sidecar)."""

    doc_id: str
    title: str
    kind: str | None = None
    date: dt.date | None = None
    province: str | None = None
    issuer: str | None = None
    signer: str | None = None
    signer_title: str | None = None
    number: str | None = None
    recipients: tuple[str, ...] = ()
    source: str | None = None
    supersedes: str | None = None  # the id of the document this one replaces (sidecar, admin)
    replaces: tuple[str, ...] = ()  # numbers of documents its text replaces or repeals
    # Derived by the catalog, not read from the file: the newer document that replaces this one.
    superseded_by: str | None = None
    periods: tuple[Period, ...] = ()  # the periods its rules state, for its status line
    # What an administrator set that the file does not state; kept so that a new version of
    # the file keeps it.
    overrides: AdminFacts = AdminFacts()


@dataclass(frozen=True)
class Origin:
    """Where an article of a codified text (Bộ Pháp điển) comes from, as its source line says.

    Attributes:
        document: the original document, as the source line names it: "Luật số 03/2007/QH12",
            "Nghị định số 101/2010/NĐ-CP".
        article: the article there: "Điều 11".
        name: the document's name, when a source line gives it: "Phòng, chống bệnh truyền
            nhiễm" (a Luật is cited by its name).
        codified: the article's number in the Bộ Pháp điển ("Điều 45.7.NĐ.1.11"), when its
            heading line was there.
    """

    document: str
    article: str
    name: str | None = None
    codified: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """One quotable paragraph of a notice, with its place in the structure."""

    doc_id: str
    position: int
    text: str
    section: str | None = None
    headings: tuple[str, ...] = ()
    role: Role = "body"
    period: Period | None = None  # when its rule applies, if the text says
    origin: Origin | None = None  # a codified article's original document and article

    @property
    def id(self) -> str:
        """Stable id: the document and the paragraph's position in it."""
        return f"{self.doc_id}:{self.position}"


@dataclass(frozen=True)
class Notice:
    """A parsed document: metadata plus its paragraphs in reading order."""

    meta: NoticeMeta
    paragraphs: tuple[Paragraph, ...]
    fingerprint: str = ""

    @property
    def body(self) -> tuple[Paragraph, ...]:
        """Paragraphs that can answer questions (not the signature)."""
        return tuple(p for p in self.paragraphs if p.role == "body")


@dataclass(frozen=True)
class Passage:
    """A paragraph found by search, with the metadata needed to cite it."""

    paragraph: Paragraph
    meta: NoticeMeta
    score: float
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_similarity: float | None = None
    # How near the question any paragraph comes: the similarity of the last dense candidate.
    # An answer stands out above it; a question the notices never address sits near it.
    dense_background: float | None = None


@dataclass(frozen=True)
class Citation:
    """A quote shown to the user: always a verbatim substring of a stored paragraph."""

    doc_id: str
    paragraph_id: str
    title: str
    date: dt.date | None
    section: str | None
    quote: str
    score: float
    province: str | None = None  # shown to people; not in the JSON contract
    period: Period | None = None  # when the quoted rule applies, as its text states
    superseded_by: str | None = None  # the indexed document that replaces the quoted one
    expired: bool = False  # the stated period ended before today (set by the Answerer)
    origin: Origin | None = None  # a codified article's original document (not in the JSON)

    def to_json(self) -> dict[str, object]:
        """The citation in the `chithi ask --json` shape.

        `valid_from` is the first day of the rule's stated period, else the document's
        issue date; `valid_until` the last day of that period, when the text gives one.
        """
        start = self.period.start if self.period and self.period.start else self.date
        end = self.period.end if self.period else None
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "date": self.date.isoformat() if self.date else None,
            "section": self.section,
            "quote": self.quote,
            "score": round(self.score, 4),
            "valid_from": start.isoformat() if start else None,
            "valid_until": end.isoformat() if end else None,
            "superseded_by": self.superseded_by,
            "expired": self.expired,
        }


MAX_TURNS = 4  # turns a conversation keeps: a follow-up reads the last one
MAX_TURN_CHARS = 1000  # what a stored turn's question may hold (a question's own limit)
MAX_MENTIONED = 3  # documents a stored turn keeps of those its lead named


@dataclass(frozen=True)
class Turn:
    """What one answered message leaves for the next one of the same conversation.

    Attributes:
        question: the question as it was understood (standalone).
        doc_ids: the documents its answer cited, the lead's first.
        place: the place the question named, as written ("Huyện An Biên", "Gia Lai").
        named_document: a document the question named by its number, as written
            ("Quyết định 2686/QĐ-BCĐQG"): "quyết định đó" is that one.
        person: the person the answer named when the question asked who ("Hồ Văn Niên"):
            "ông ấy" in the next message is that one.
        mentioned: documents the answer's lead named by number, as written ("Báo cáo số
            294/BC-BCĐ"): "báo cáo đó" is the one the reader has just read about.
    """

    question: str
    doc_ids: tuple[str, ...] = ()
    place: str | None = None
    named_document: str | None = None
    person: str | None = None
    mentioned: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The turn as stored (the conversation store keeps JSON)."""
        return {
            "question": self.question,
            "doc_ids": list(self.doc_ids),
            "place": self.place,
            "named_document": self.named_document,
            "person": self.person,
            "mentioned": list(self.mentioned),
        }

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Turn | None:
        """A stored turn, or None for one that is not (a damaged or foreign record)."""
        question = raw.get("question")
        docs = raw.get("doc_ids") or []
        if not isinstance(question, str) or not isinstance(docs, list):
            return None
        place, named, person = raw.get("place"), raw.get("named_document"), raw.get("person")
        mentioned = raw.get("mentioned")  # absent in turns stored before it was kept
        names = mentioned[:MAX_MENTIONED] if isinstance(mentioned, list) else []
        return cls(
            question=question[:MAX_TURN_CHARS],
            doc_ids=tuple(str(d) for d in docs[:10]),
            place=place if isinstance(place, str) else None,
            named_document=named if isinstance(named, str) else None,
            person=person[:MAX_TURN_CHARS] if isinstance(person, str) else None,
            mentioned=tuple(m[:MAX_TURN_CHARS] for m in names if isinstance(m, str)),
        )


@dataclass(frozen=True)
class Conversation:
    """The last turns of one chat (one person in a group), oldest first."""

    turns: tuple[Turn, ...] = ()

    @property
    def last(self) -> Turn | None:
        """The previous turn, if any."""
        return self.turns[-1] if self.turns else None

    def then(self, turn: Turn) -> Conversation:
        """The conversation with one more turn (the oldest dropped past MAX_TURNS)."""
        return Conversation((*self.turns, turn)[-MAX_TURNS:])


@dataclass(frozen=True)
class Answer:
    """What every front end renders."""

    question: str
    status: Status
    text: str
    mode: Mode = "extractive"
    citations: tuple[Citation, ...] = ()
    latency_ms: float = 0.0
    fallback_reason: str | None = None
    related_topics: tuple[str, ...] = field(default=())
    # The question folded as `Query.key`: how the question log groups the spellings of one
    # question ("Giá vàng?", "gia vang"). Not in the JSON contract.
    key: str = ""
    # A follow-up read in its conversation: the standalone question answered ("Rạch Giá giãn
    # cách theo chỉ thị nào?"); None when the message was answered as it is.
    understood_as: str | None = None
    # What this answer leaves for the conversation's next message.
    turn: Turn | None = None

    def to_json(self) -> dict[str, object]:
        """The answer in the `chithi ask --json` contract of DESIGN.md."""
        return {
            "question": self.question,
            "status": self.status,
            "answer": self.text,
            "mode": self.mode,
            "citations": [c.to_json() for c in self.citations],
            "latency_ms": round(self.latency_ms, 2),
        } | ({"understood_as": self.understood_as} if self.understood_as else {})


@dataclass(frozen=True)
class SearchFilters:
    """Optional restrictions on which paragraphs a search may return."""

    province: str | None = None
    doc_id: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def empty(self) -> bool:
        """True when nothing is restricted."""
        return not (self.province or self.doc_id or self.date_from or self.date_to)


@dataclass(frozen=True)
class DocumentInfo:
    """A document as listed by `chithi docs` and `/vanban`."""

    meta: NoticeMeta
    paragraph_count: int
    fingerprint: str
