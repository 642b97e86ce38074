"""The fixed Vietnamese phrases that answers are built with (front-end chrome is in bot/)."""

from __future__ import annotations

import datetime as dt

from retrieval.text import format_date
from retrieval.types import CODIFIED_KIND, NoticeMeta, Origin, Period

# Kinds cited by their name ("Luật Phòng, chống bệnh truyền nhiễm"), others by their number.
_NAMED_KINDS = ("Bộ luật", "Luật", "Pháp lệnh")


SEE_QUOTE = "Xem nguyên văn đoạn trích dưới đây."  # a lead when a paragraph only gives orders


def source_label(
    title: str,
    province: str | None,
    date: dt.date | None,
    section: str | None,
    *,
    origin: Origin | None = None,
) -> str:
    """'Thông báo kết luận ... (Kiên Giang), 13/9/2021, mục 2': where a quote comes from.

    The province is named because titles rarely say it ("... của Ban Thường vụ Tỉnh ủy"),
    and an index often holds several provinces' notices, whose rules differ. A codified
    article is named by its original document instead of a date: 'Phòng, chống bệnh truyền
    nhiễm, Nghị định 101/2010/NĐ-CP, Điều 11, khoản 1'.
    """
    if origin is not None:
        return ", ".join([title, cited_document(origin), section or origin.article])
    parts = [f"{title} ({province})" if province else title, format_date(date)]
    if section:
        parts.append(section if section.startswith("Điều") else f"mục {section}")
    return ", ".join(parts)


def doc_label(meta: NoticeMeta, *, paragraphs: int | None = None) -> str:
    """'Thông báo kết luận ... (Gia Lai, 16/9/2021)': a document as answers and lists name it.

    The one formatter of a document's line, in answers and in every front end's list. The
    province is named for the reason `source_label` gives; lists add the paragraph count:
    'Thông báo kết luận ... (Lai Châu, 13/5/2022, 14 đoạn)'.
    """
    facts = [meta.province] if meta.province else []
    codified = meta.date is None and meta.kind == CODIFIED_KIND
    facts.append("Bộ Pháp điển" if codified else format_date(meta.date))
    if paragraphs is not None:
        facts.append(f"{paragraphs} đoạn")
    return f"{meta.title} ({', '.join(facts)})"


def not_found(hotline: str) -> str:
    """The polite reply when the notices do not cover a question: the hotline first."""
    return (
        f"Vui lòng gọi đường dây nóng {hotline}: các văn bản hiện có không đề cập đến nội dung "
        "này nên tôi không thể trả lời chính xác."
    )


def too_long(length: int, limit: int, hotline: str) -> str:
    """The reply to a question over the length limit."""
    return (
        f"Câu hỏi dài quá ({length} ký tự). Vui lòng hỏi ngắn gọn, dưới {limit} ký tự, mỗi lần "
        f"một ý; hoặc gọi đường dây nóng {hotline}."
    )


def refused(hotline: str) -> str:
    """The reply to requests outside the assistant's role."""
    return (
        "Tôi chỉ trả lời câu hỏi về nội dung các văn bản đã được nạp (chỉ thị, thông báo, luật, "
        "nghị định…) và luôn trích dẫn văn bản gốc. Nếu cần hỗ trợ khác, vui lòng gọi đường dây "
        f"nóng {hotline}."
    )


def signer(meta: NoticeMeta) -> str:
    """Who signed a document."""
    if not meta.signer:
        return f"{doc_label(meta)} không ghi người ký trong bản hiện có."
    role = f" ({meta.signer_title.title()})" if meta.signer_title else ""
    return f"{doc_label(meta)} do ông/bà {meta.signer}{role} ký."


def issued_on(meta: NoticeMeta) -> str:
    """When a document was issued."""
    if not meta.date:
        return f"{meta.title} không ghi ngày ban hành trong bản hiện có."
    return f"{meta.title} ban hành ngày {format_date(meta.date)}."


def number(meta: NoticeMeta) -> str:
    """A document's own number."""
    if not meta.number:
        return f"{doc_label(meta)} không ghi số văn bản trong bản hiện có."
    return f"{doc_label(meta)} là văn bản số {meta.number}."


def issuer(meta: NoticeMeta) -> str:
    """Who issued a document."""
    who = meta.issuer or "không ghi rõ"
    return f"{doc_label(meta)}: cơ quan ban hành là {who}."


def recipients(meta: NoticeMeta) -> str:
    """The 'Nơi nhận' list."""
    if not meta.recipients:
        return f"{doc_label(meta)} không có phần nơi nhận trong bản hiện có."
    return f"{doc_label(meta)} gửi đến: " + "; ".join(meta.recipients) + "."


def summary_intro(meta: NoticeMeta, sections: int) -> str:
    """First line of a document summary."""
    return f"{doc_label(meta)} gồm {sections} nội dung chính:"


def documents_intro(count: int, province: str | None = None) -> str:
    """First line of the list of documents."""
    where = f" của {province}" if province else ""
    return f"Hiện có {count} văn bản{where}, mới nhất trước:"


def more_documents(count: int) -> str:
    """Last line of a list cut short."""
    return f"… và {count} văn bản cũ hơn."


def definition(term: str, meaning: str) -> str:
    """'5K là “Khẩu trang - ...”'."""
    return f"{term} là “{meaning}”"


def rule_source(meta: NoticeMeta, *, origin: Origin | None = None) -> str:
    """'Gia Lai, thông báo kết luận 16/9/2021': whose rule a lead states, and when.

    A codified article's rule is its original document's: 'Nghị định 101/2010/NĐ-CP, Điều 11'.
    """
    if origin is not None:
        return f"{cited_document(origin)}, {origin.article}"
    when = format_date(meta.date) if meta.date else "(không ghi ngày)"
    which = f"{_kind_and_number(meta)} {when}"
    return f"{meta.province}, {which}" if meta.province else which


def _kind_and_number(meta: NoticeMeta) -> str:
    """'thông báo số 22-TB/TU', 'chỉ thị', 'văn bản': a document as a sentence names it."""
    kind = (meta.kind or "văn bản").lower()
    return f"{kind} số {meta.number}" if meta.number else kind


def sourced(source: str, lead: str) -> str:
    """A lead with whose rule it is: 'Gia Lai, chỉ thị (không ghi ngày): Cách ly ...'."""
    return f"{source}: {lead}"


def partial(missing: list[str], hotline: str) -> str:
    """What the notices leave out of a question they answer only in part."""
    return (
        f"Các văn bản hiện có không nói đến {', '.join(missing)}; để biết thêm, vui lòng gọi "
        f"đường dây nóng {hotline}."
    )


def doc_reference(meta: NoticeMeta) -> str:
    """'Thông báo kết luận ngày 13/5/2022 (Lai Châu)': a document named inside a question."""
    parts = [meta.kind or "văn bản"]
    if meta.number:
        parts.append(f"số {meta.number}")
    if meta.date:
        parts.append(f"ngày {format_date(meta.date)}")
    name = " ".join(parts)
    return f"{name} ({meta.province})" if meta.province else name


def short_source(
    province: str | None,
    kind: str | None,
    number: str | None,
    date: dt.date | None,
    section: str | None,
) -> str:
    """'Gia Lai · TB 16/9/2021 · mục 8': where a quote comes from, in one phone line.

    The kind is abbreviated as Vietnamese documents abbreviate it (Thông báo kết luận -> TB,
    Chỉ thị -> CT, Quyết định -> QĐ; other kinds are kept as written), then comes the
    document's number ('CT số 15/CT-TU') or, without one, its date. The full title is for
    whoever opens the quote; `source_label` gives it.
    """
    abbreviations = {
        "thông báo": "TB", "chỉ thị": "CT", "quyết định": "QĐ", "kế hoạch": "KH",
        "công văn": "CV", "nghị quyết": "NQ", "luật": "Luật",
    }  # fmt: skip
    name = " ".join((kind or "").split())
    folded = name.casefold()
    short = next(
        (a for k, a in abbreviations.items() if folded == k or folded.startswith(k + " ")), name
    )
    number = (number or "").strip().removeprefix("Số").removeprefix("số").strip()
    which = f"số {number}" if number else format_date(date)
    parts = [province] if province else []
    parts.append(f"{short} {which}" if short else which)
    if section:
        parts.append(section if section.startswith("Điều") else f"mục {section}")
    return " · ".join(parts)


def cited_document(origin: Origin) -> str:
    """'Luật Phòng, chống bệnh truyền nhiễm', 'Nghị định 101/2010/NĐ-CP': as a cadre cites it.

    A Luật, Bộ luật or Pháp lệnh is cited by its name when a source line gave it; any other
    document by its kind and number.
    """
    kind, _, number = origin.document.partition(" số ")
    if kind in _NAMED_KINDS and origin.name:
        return f"{kind} {origin.name}"
    return f"{kind} {number}".strip()


def article_source(origin: Origin, section: str | None) -> str:
    """'Nghị định 101/2010/NĐ-CP · Điều 11, khoản 1': a codified quote's source, in one line.

    What `short_source` is for a notice: the original document (`cited_document`), then the
    place in it ('Luật Phòng, chống bệnh truyền nhiễm · Điều 48, khoản 2'), ready to paste.
    """
    return f"{cited_document(origin)} · {section or origin.article}"


def period(span: Period) -> str:
    """'14-20/9/2021', '14/9/2021-5/1/2022', 'từ 14/9/2021', 'đến khi có thông báo mới'."""
    start, end = span.start, span.end
    if start and end:
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day}-{format_date(end)}"
        if start.year == end.year:
            return f"{start.day}/{start.month}-{format_date(end)}"
        return f"{format_date(start)}-{format_date(end)}"
    if end:
        return f"đến {format_date(end)}"
    opened = f"từ {format_date(start)}" if start else ""
    until = "đến khi có thông báo mới" if span.until_further_notice else ""
    return " ".join(part for part in (opened, until) if part)


def period_ended(span: Period) -> str:
    """The lead's note on a rule whose stated period is over."""
    return f"(áp dụng {period(span)}, thời hạn đã qua)"


def replaced_by(newer: NoticeMeta) -> str:
    """The lead's note on a rule from a document another one replaces: short, for a phone."""
    newer_one = f"{_kind_and_number(newer)} ngày {format_date(newer.date)}"
    return f"(văn bản này đã được thay thế bởi {newer_one})"


def earlier_document(source: str) -> str:
    """How an older notice of the same province is named after the newest one's lead."""
    return f"văn bản trước đó ({source})"


def status(meta: NoticeMeta, today: dt.date, newer: NoticeMeta | None = None) -> str:
    """A document's status as far as the index knows, for `chithi docs` and /vanban.

    'đã được thay thế bởi …' when an indexed document replaces it; else 'còn hiệu lực
    (theo các văn bản hiện có)', with the periods its rules state that are over: 'thời hạn
    14-20/9/2021 đã qua' (its other rules state none). Nobody knows what was issued after
    the newest notice in the index; the wording says so.
    """
    if newer is not None:
        return f"đã được thay thế bởi {doc_label(newer)}"
    ended = [period(p) for p in meta.periods if p.ended(today)]
    text = "còn hiệu lực (theo các văn bản hiện có)"
    return f"{text}; thời hạn {', '.join(ended)} đã qua" if ended else text


def newest_known(date: dt.date, hotline: str) -> str:
    """What a question about now is told: the newest notice known, and who knows newer."""
    return (
        f"Đây là văn bản mới nhất về nội dung này trong hệ thống ({format_date(date)}); quy "
        f"định có thể đã thay đổi sau đó, vui lòng gọi đường dây nóng {hotline} để xác nhận."
    )


def dated_notes(notes: list[str]) -> str:
    """Under a generated lead: 'Lưu ý về thời hạn: [2] (áp dụng 14-20/9/2021, thời hạn đã qua)'."""
    return f"Lưu ý về thời hạn: {'; '.join(notes)}"
