"""Questions about the documents themselves: who signed, when, to whom, what they say."""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.answer import compose, phrasing
from retrieval.index import Library
from retrieval.search import DOCUMENT_KINDS, Intent, Query, Searcher
from retrieval.text import fold
from retrieval.types import Answer, Citation, NoticeMeta, Passage, SearchFilters

LISTED = 20  # documents listed at most: a national index holds thousands


class DocumentQuestions:
    """Answers from a document's metadata, quoting its header, recipients or signature record."""

    def __init__(self, library: Library, searcher: Searcher, *, hotline: str) -> None:
        self.library = library
        self.searcher = searcher
        self.hotline = hotline

    def answer(self, query: Query, intent: Intent, filters: SearchFilters) -> Answer | None:
        """The answer, or None when no document can be identified (the caller searches)."""
        if intent == "documents":
            province = filters.province or query.province_with_notices(self.library.provinces)
            docs = self.library.documents(province)
            lines = [phrasing.documents_intro(len(docs), province)]
            lines += [f"- {phrasing.doc_label(d.meta)}" for d in docs[:LISTED]]
            if len(docs) > LISTED:
                lines.append(phrasing.more_documents(len(docs) - LISTED))
            return Answer(query.text, "answered", "\n".join(lines))
        meta = self.target(query, filters)
        if meta is None or _names_another(query, meta):
            return None
        by_role: dict[str, list[Passage]] = {}
        for paragraph in self.library.paragraphs(meta.doc_id):
            by_role.setdefault(paragraph.role, []).append(Passage(paragraph, meta, 1.0))
        body = by_role.get("body", [])
        if not body:
            return None
        if intent == "signer":
            if not meta.signer:
                return self._not_stated(query, phrasing.signer(meta))
            cite = by_role.get("signature", [])[:1] or body[:1]
            return _quoting(query, phrasing.signer(meta), cite)
        if intent == "date":
            if not meta.date:
                return self._not_stated(query, phrasing.issued_on(meta))
            return _quoting(query, phrasing.issued_on(meta), body[:1])
        if intent == "number":
            if not meta.number:
                return self._not_stated(query, phrasing.number(meta))
            cite = by_role.get("title", [])[:1] or body[:1]
            return _quoting(query, phrasing.number(meta), cite)
        if intent == "issuer":  # the masthead and title say who issued it
            return _quoting(query, phrasing.issuer(meta), by_role.get("title", [])[:1] or body[:1])
        if intent == "recipients":
            cite = by_role.get("recipients", [])[:1] or body[:1]
            return _quoting(query, phrasing.recipients(meta), cite)
        return _summary(query, meta, body, by_role.get("title", [])[:1])

    def _not_stated(self, query: Query, said: str) -> Answer:
        """A fact the document does not state: said so, and the hotline, without a quote."""
        return Answer(query.text, "not_found", f"{phrasing.not_found(self.hotline)}\n{said}")

    def target(self, query: Query, filters: SearchFilters) -> NoticeMeta | None:
        """The document a question is about: by id filter, date, province, kind, or search."""
        catalog = self.library.catalog
        if filters.doc_id and filters.doc_id in catalog:
            return catalog[filters.doc_id]
        named = self.searcher.named_documents(query)
        if len(named) == 1:
            return catalog[next(iter(named))]
        by_province = self.library.documents_by_province
        in_province = [d for p in query.provinces for d in by_province.get(p, [])]
        if len(in_province) == 1:
            return catalog[in_province[0]]
        if len(catalog) == 1:
            return next(iter(catalog.values()))
        hits = self.searcher.search(query, k=1, filters=filters, include_records=True)
        return hits[0].meta if hits else None


def _quoting(query: Query, lead: str, passages: Sequence[Passage]) -> Answer:
    """A metadata answer quoting whole records."""
    found = (compose.citation_for(query, p, quote=p.paragraph.text) for p in passages)
    return Answer(query.text, "answered", lead, citations=tuple(c for c in found if c is not None))


def _summary(query: Query, meta: NoticeMeta, body: list[Passage], title: list[Passage]) -> Answer:
    """The sections of a document as a list, quoting its header, opening and first sections."""
    by_paragraph = {id(p.paragraph): p for p in body}
    heads = [by_paragraph[id(h)] for h in compose.main_sections([p.paragraph for p in body])]
    lines = [phrasing.summary_intro(meta, len(heads))]
    lines += [f"- {compose.section_label(p.paragraph)}" for p in heads]
    intro = [p for p in body if p.paragraph.section is None][:1]
    citations: list[Citation] = []
    for p in title + intro + heads[:3]:
        c = compose.citation_for(query, p, quote=p.paragraph.text if p in title else None)
        if c is not None:
            citations.append(c)
    return Answer(query.text, "answered", "\n".join(lines), citations=tuple(citations))


def _names_another(query: Query, meta: NoticeMeta) -> bool:
    """The question names a document by a number or kind that is not this one's.

    "Quyết định 2686/QĐ-BCĐQG ban hành ngày nào?" is about that decision, not about the
    notice that mentions it: its date is the decision's, if any text gives it.
    """
    own = fold(meta.number or "")
    if any(number not in own for number in query.numbers):
        return True
    return _names_another_kind(query, meta)


def _names_another_kind(query: Query, meta: NoticeMeta) -> bool:
    """The question names a kind of document this one is not ("quyết định đó" of a notice).

    A "quyết định đó" whose decision is not indexed must not be answered with the signer or
    date of whatever notice search finds first; "văn bản" fits any document.
    """
    named = _KIND.search(query.folded)
    if named is None or named.group(1) == "van ban":
        return False
    return not fold(meta.kind or "").startswith(named.group(1))


_KIND = re.compile(rf"\b({DOCUMENT_KINDS})\b")
