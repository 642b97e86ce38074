"""Convert between our value objects and the flat metadata Chroma stores."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from retrieval.types import Notice, NoticeMeta, Paragraph

MetaValue = str | int | float | bool


def date_int(date: dt.date | None) -> int:
    """YYYYMMDD as an int (0 for unknown), so Chroma can filter date ranges."""
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def paragraph_metadata(notice: Notice, paragraph: Paragraph) -> dict[str, MetaValue]:
    """Flat metadata stored with each paragraph row."""
    return {
        "position": paragraph.position,
        "section": paragraph.section or "",
        "headings": json.dumps(list(paragraph.headings), ensure_ascii=False),
        "role": paragraph.role,
        "province": notice.meta.province or "",
        "date": date_int(notice.meta.date),
    }


def catalog_metadata(notice: Notice) -> dict[str, MetaValue]:
    """Flat metadata stored with the document's catalog record."""
    m = notice.meta
    return {
        "title": m.title,
        "kind": m.kind or "",
        "date": m.date.isoformat() if m.date else "",
        "date_int": date_int(m.date),
        "province": m.province or "",
        "issuer": m.issuer or "",
        "signer": m.signer or "",
        "signer_title": m.signer_title or "",
        "number": m.number or "",
        "recipients": json.dumps(list(m.recipients), ensure_ascii=False),
        "source": m.source or "",
        "supersedes": m.supersedes or "",
        "body_paragraphs": len(notice.body),
    }


def meta_from_catalog(doc_id: str, record: Mapping[str, MetaValue]) -> NoticeMeta:
    """Rebuild a NoticeMeta from its catalog record."""

    def text(key: str) -> str | None:
        value = record.get(key)
        return str(value) if value not in (None, "") else None

    date = text("date")
    return NoticeMeta(
        doc_id=doc_id,
        title=text("title") or doc_id,
        kind=text("kind"),
        date=dt.date.fromisoformat(date) if date else None,
        province=text("province"),
        issuer=text("issuer"),
        signer=text("signer"),
        signer_title=text("signer_title"),
        number=text("number"),
        recipients=tuple(json.loads(str(record.get("recipients") or "[]"))),
        source=text("source"),
        supersedes=text("supersedes"),
    )


def paragraph_from_row(text: str, meta: Mapping[str, MetaValue]) -> Paragraph:
    """Rebuild a Paragraph from a stored row."""
    section = str(meta.get("section") or "") or None
    role = str(meta.get("role") or "body")
    if role not in ("body", "title", "recipients", "signature"):
        role = "body"
    return Paragraph(
        doc_id=str(meta["doc_id"]),
        position=int(meta.get("position", 0)),
        text=text,
        section=section,
        headings=tuple(json.loads(str(meta.get("headings") or "[]"))),
        role=role,  # type: ignore[arg-type]
    )
