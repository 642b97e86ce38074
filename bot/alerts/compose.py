"""The alert a subscriber gets: which notice, its date, what it replaces, its key points.

The key points are the openings of the notice's first main sections, verbatim (cut with "…"
when long), the same labels a document summary lists. The text is made once, when the alert
is queued, so every subscriber gets the same message; it is Telegram HTML (the buttons under
it are bot.telegram.buttons.alert_buttons).
"""

from __future__ import annotations

import html

from bot import messages
from retrieval import (
    IngestResult,
    Library,
    NoticeMeta,
    format_date,
    main_sections,
    phrasing,
    section_label,
)

KEY_POINTS = 3
POINT_CHARS = 220


def alert_text(result: IngestResult, library: Library) -> str | None:
    """The alert for a notice an ingest added or changed; None if nobody should be told.

    Unchanged files, failures and notices without a province (nobody can follow them) give
    no alert.
    """
    meta = library.catalog.get(result.doc_id or "")
    if not result.changed or result.error or meta is None or not meta.province:
        return None
    heading = messages.ALERT_CHANGED if result.replaced else messages.ALERT_NEW
    lines = [
        heading.format(province=html.escape(meta.province)),
        f"<b>{html.escape(meta.title)}</b>",
        html.escape(_facts(meta)),
    ]
    replaced = [m for m in library.catalog.values() if m.superseded_by == meta.doc_id]
    for old in replaced[:3]:
        lines.append(html.escape(messages.ALERT_REPLACES.format(label=phrasing.doc_label(old))))
    points = key_points(meta.doc_id, library)
    if points:
        lines.append(messages.ALERT_POINTS)
        lines += [f"• {html.escape(point)}" for point in points]
    return "\n".join(lines)


def key_points(doc_id: str, library: Library) -> list[str]:
    """The openings of the first main sections (or first paragraphs), verbatim."""
    paragraphs = [p for p in library.paragraphs(doc_id) if p.role == "body"]
    chosen = main_sections(paragraphs) or paragraphs
    return [section_label(p, max_chars=POINT_CHARS) for p in chosen[:KEY_POINTS]]


def _facts(meta: NoticeMeta) -> str:
    parts = [messages.ALERT_DATE.format(date=format_date(meta.date))]
    if meta.number:
        parts.append(messages.ALERT_NUMBER.format(number=meta.number))
    return " · ".join(parts)
