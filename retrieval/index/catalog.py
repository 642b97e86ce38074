"""The store's catalog, derived once per change: documents, versions, counts, provinces."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from retrieval.index.records import MetaValue, meta_from_catalog
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
        metas = {d: meta_from_catalog(d, m) for d, m in records.items()}
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
