"""The store's catalog, derived once per change: documents, versions, counts, provinces."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from retrieval.index.records import MetaValue, meta_from_catalog
from retrieval.text import number_key
from retrieval.types import DocumentInfo, NoticeMeta


@dataclass(frozen=True)
class CatalogView:
    """The committed documents at one state of the store; a new one replaces it on every change.

    Attributes:
        metas: document id -> its metadata.
        versions: document id -> the committed version (row ids carry it).
        counts: document id -> its stored records (body paragraphs and title, recipients,
            signature records).
        body_counts: document id -> its body paragraphs.
        documents_by_province: province -> ids of its documents.
        provinces: the provinces that have at least one document.
    """

    metas: dict[str, NoticeMeta]
    versions: dict[str, str]
    counts: dict[str, int]
    body_counts: dict[str, int]
    documents_by_province: dict[str, list[str]]
    provinces: frozenset[str]

    @classmethod
    def from_records(cls, records: Mapping[str, Mapping[str, MetaValue]]) -> CatalogView:
        """The view of a catalog as ParagraphStore.catalog() returns it."""
        metas = _with_supersession({d: meta_from_catalog(d, m) for d, m in records.items()})
        # Asked on every question; derived once per change, not per question.
        by_province: dict[str, list[str]] = {}
        for doc_id, meta in metas.items():
            if meta.province:
                by_province.setdefault(meta.province, []).append(doc_id)
        return cls(
            metas=metas,
            versions={d: str(m.get("version")) for d, m in records.items()},
            counts={d: int(m.get("paragraphs", 0) or 0) for d, m in records.items()},
            body_counts={d: int(m.get("body_paragraphs", 0) or 0) for d, m in records.items()},
            documents_by_province=by_province,
            provinces=frozenset(by_province),
        )

    def documents(self, province: str | None = None) -> list[DocumentInfo]:
        """Documents (of one province, if given), newest first (undated last)."""
        docs = [
            DocumentInfo(
                meta=m, paragraph_count=self.body_counts.get(d, 0), fingerprint=self.versions[d]
            )
            for d, m in self.metas.items()
            if province is None or m.province == province
        ]
        return sorted(docs, key=lambda d: (d.meta.date is not None, d.meta.date, d.meta.doc_id),
                      reverse=True)  # fmt: skip


def _with_supersession(metas: dict[str, NoticeMeta]) -> dict[str, NoticeMeta]:
    """Each document's `superseded_by`: the newest indexed document that says it replaces it.

    A document replaces another by id (its sidecar's or an admin's `supersedes`) or by the
    number its text names ("thay thế Thông báo số 12-TB/TU"), matched to an indexed
    document's number. A replacement that is not in the index is not known here.
    """
    by_number = {number_key(m.number): d for d, m in metas.items() if m.number}
    replaced_by: dict[str, list[str]] = {}
    for doc_id, meta in metas.items():
        targets = [meta.supersedes] if meta.supersedes else []
        targets += [by_number.get(number_key(n), "") for n in meta.replaces]
        for target in targets:
            if target in metas and target != doc_id:
                replaced_by.setdefault(target, []).append(doc_id)
    out = dict(metas)
    for old, newer in replaced_by.items():
        newest = max(newer, key=lambda d: (metas[d].date or dt.date.min, d))
        out[old] = replace(metas[old], superseded_by=newest)
    return out
