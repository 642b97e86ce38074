"""Convert between our value objects and the flat metadata Chroma stores."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from retrieval.text import find_period
from retrieval.types import AdminFacts, Notice, NoticeMeta, Origin, Paragraph, Period

MetaValue = str | int | float | bool


def date_int(date: dt.date | None) -> int:
    """YYYYMMDD as an int (0 for unknown), so Chroma can filter date ranges."""
    return date.year * 10000 + date.month * 100 + date.day if date else 0


def paragraph_metadata(notice: Notice, paragraph: Paragraph) -> dict[str, MetaValue]:
    """Flat metadata stored with each paragraph row (a codified article's origin too)."""
    return {
        "position": paragraph.position,
        "section": paragraph.section or "",
        "headings": json.dumps(list(paragraph.headings), ensure_ascii=False),
        "role": paragraph.role,
        "province": notice.meta.province or "",
        "date": date_int(notice.meta.date),
        **_period_metadata(paragraph.period),
        **_origin_metadata(paragraph.origin),
    }


def _origin_metadata(origin: Origin | None) -> dict[str, MetaValue]:
    """The origin's keys, absent for a paragraph without one (every notice's)."""
    if origin is None:
        return {}
    values = {
        "origin_document": origin.document,
        "origin_article": origin.article,
        "origin_name": origin.name,
        "origin_codified": origin.codified,
    }
    return {k: v for k, v in values.items() if v}


def _origin_from_row(meta: Mapping[str, MetaValue]) -> Origin | None:
    if not meta.get("origin_document"):
        return None
    name, codified = meta.get("origin_name"), meta.get("origin_codified")
    return Origin(
        document=str(meta["origin_document"]),
        article=str(meta.get("origin_article") or ""),
        name=str(name) if name else None,
        codified=str(codified) if codified else None,
    )


def _period_metadata(period: Period | None) -> dict[str, MetaValue]:
    return {
        "valid_from": date_int(period.start) if period else 0,
        "valid_until": date_int(period.end) if period else 0,
        "until_notice": bool(period and period.until_further_notice),
        "has_period": period is not None,
    }


def _int_date(value: MetaValue | None) -> dt.date | None:
    number = int(value or 0)
    return dt.date(number // 10000, number // 100 % 100, number % 100) if number else None


def _period_from_row(text: str, meta: Mapping[str, MetaValue]) -> Period | None:
    if "has_period" not in meta:  # indexed before periods were read: read them now
        return find_period(text)
    if not meta["has_period"]:
        return None
    return Period(
        start=_int_date(meta.get("valid_from")),
        end=_int_date(meta.get("valid_until")),
        until_further_notice=bool(meta.get("until_notice")),
    )


def _periods_json(periods: tuple[Period, ...]) -> str:
    return json.dumps([[_iso(p.start), _iso(p.end), p.until_further_notice] for p in periods])


def _periods_from_json(raw: str) -> tuple[Period, ...]:
    def day(value: str | None) -> dt.date | None:
        return dt.date.fromisoformat(value) if value else None

    return tuple(
        Period(start=day(a), end=day(b), until_further_notice=bool(c))
        for a, b, c in json.loads(raw)
    )


def _iso(date: dt.date | None) -> str | None:
    return date.isoformat() if date else None


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
        "replaces": json.dumps(list(m.replaces), ensure_ascii=False),
        "periods": _periods_json(m.periods),
        "overrides": json.dumps(m.overrides.as_sidecar(), ensure_ascii=False),
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
        replaces=tuple(json.loads(str(record.get("replaces") or "[]"))),
        periods=_periods_from_json(str(record.get("periods") or "[]")),
        overrides=AdminFacts.from_sidecar(json.loads(str(record.get("overrides") or "{}"))),
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
        period=_period_from_row(text, meta) if role == "body" else None,
        origin=_origin_from_row(meta),
    )
