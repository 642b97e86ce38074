"""Hybrid search: BM25 over folded tokens and e5 vectors, fused, with filters."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

import numpy as np

from retrieval.index import Library
from retrieval.search import hybrid
from retrieval.search.naming import (
    DocumentNames,
    is_named_statute,
    is_source,
    is_statute,
    mentions_source,
    named_sources,
    named_statutes,
)
from retrieval.search.query import Query, as_query
from retrieval.text import expand_for_dense
from retrieval.types import NoticeMeta, Paragraph, Passage, SearchFilters
from vectorstore import document_of

logger = logging.getLogger(__name__)

Fusion = Literal["rrf", "weighted"]
_EMBEDDING = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="embed")
# How deep the statute bonus looks: it reorders near-ties, so only the first candidates can
# reach the top; their rows are read once, for it and for the passages returned.
STATUTE_DEPTH = 15


@dataclass(frozen=True)
class SearchConfig:
    """Knobs of the hybrid search (chosen on the dev set; see docs/retrieval.md)."""

    fusion: Fusion = "weighted"
    candidates: int = 40
    dense_weight: float = 0.4
    lexical_weight: float = 1.0
    restore_accents: bool = True
    document_bonus: float = 0.4
    unit_weight: float = 0.3
    local_bonus: float = 0.3
    source_bonus: float = 0.3
    statute_bonus: float = 0.15


def _source_of(paragraph: Paragraph, meta: NoticeMeta | None) -> str:
    """The document a paragraph's rule is from: a codified article's source, else its own."""
    if paragraph.origin is not None:
        return paragraph.origin.document
    return f"{meta.kind or ''} {meta.number or ''}" if meta is not None else ""


class Searcher:
    """Finds the paragraphs that answer a question."""

    def __init__(self, library: Library, *, config: SearchConfig | None = None) -> None:
        self.library = library
        self.config = config or SearchConfig()
        self._names = DocumentNames({})
        self._names_for: Mapping[str, NoticeMeta] | None = None

    def search(
        self,
        question: str | Query,
        *,
        k: int = 5,
        filters: SearchFilters | None = None,
        include_records: bool = False,
    ) -> list[Passage]:
        """Best passages for a question, best first.

        Args:
            question: the user's question (parsed, or a string to parse), any case, with or
                without diacritics.
            k: how many passages to return.
            filters: province, document and date restrictions.
            include_records: also search title, recipients and signature records.
        """
        query = as_query(question)
        self.library.refresh()
        filters = self._with_question_province(query, filters or SearchFilters())
        n = self.config.candidates
        # The question's vector is computed on another core while BM25 runs on this one
        # (the e5 engine releases the GIL): at 300,000 rows each takes 40-120 ms.
        embedding = _EMBEDDING.submit(self.question_vector, query)
        allowed = self.library.allowed(filters, records=include_records)
        lexical = self.library.lexical_hits(query.tokens, k=n, allowed=allowed)
        vector = embedding.result()
        dense_hits = self.library.dense_hits(vector, k=n, allowed=allowed)
        dense = [(h.id, h.similarity) for h in dense_hits]
        if self.config.fusion == "rrf":
            scores = hybrid.reciprocal_rank_fusion(
                [[i for i, _ in lexical], [i for i, _ in dense]],
                weights=[self.config.lexical_weight, self.config.dense_weight],
            )
        else:
            scores = hybrid.weighted_fusion(lexical, dense, dense_weight=self.config.dense_weight)
        self._add_units(query, scores)
        self._prefer_local_documents(scores)
        self._prefer_named_documents(query, scores)
        self._prefer_named_sources(query, scores)
        ranked = hybrid.top_items(scores, max(k, STATUTE_DEPTH))
        paragraphs = self.library.rows([i for i, _ in ranked])
        best = self._prefer_statutes(ranked, paragraphs)[:k]
        return self._passages(best, paragraphs, lexical, dense)

    def _add_units(self, query: Query, scores: dict[str, float]) -> None:
        """Add each candidate's article or section, scored by BM25 as one text, min-max scaled.

        A law's clause rarely repeats what its article is about; the article, read whole,
        does. Weight 0.3 was the best on the tune parts over the bundled notices alone, with
        the infectious-disease law, and with the full development corpus (docs/retrieval.md).
        """
        if self.config.unit_weight <= 0 or not scores:
            return
        ids = list(scores)
        units = self.library.unit_scores(query.tokens, ids)
        high, low = max(units), min(units)
        if high <= low:
            return
        for row_id, unit in zip(ids, units, strict=True):
            scores[row_id] += self.config.unit_weight * (unit - low) / (high - low)

    def _prefer_local_documents(self, scores: dict[str, float]) -> None:
        """Put a province's own documents ahead of national ones that match about as well.

        A province's notice is how the national law is carried out there, and what the
        hotline's callers are told to do: "Khai báo y tế không trung thực có bị xử lý không?"
        is answered by the province's directive before the law's general clause on medical
        declarations. The bonus is a fixed step of the fused score, so it reorders close
        candidates only; a law that alone answers keeps its place. 0.3 lifted the notices'
        questions on the tune parts with the laws loaded and moved no legal question's first
        section (0.4 and more did; docs/retrieval.md).
        """
        if self.config.local_bonus <= 0:
            return
        catalog = self.library.catalog
        for row_id in scores:
            meta = catalog.get(document_of(row_id))
            if meta is not None and meta.province:
                scores[row_id] += self.config.local_bonus

    def _prefer_named_documents(self, query: Query, scores: dict[str, float]) -> None:
        """Nudge up passages of a document the question names by kind or date.

        "Chỉ thị của Ban Thường vụ ... nêu gì?" or "thông báo ngày 13/5/2022 ..." point at one
        document; a small bonus breaks near-ties in its favour without overriding content.
        """
        named = self.named_documents(query)
        if not named or self.config.document_bonus <= 0:
            return
        for row_id in scores:
            if document_of(row_id) in named:
                scores[row_id] += self.config.document_bonus

    def _prefer_named_sources(self, query: Query, scores: dict[str, float]) -> None:
        """Nudge up the articles of a law or decree the question names by its number.

        "Theo Nghị định 101/2010, …", "theo nghi dinh 165 …": a cadre says which text the
        answer is in. It is an indexed document ("Nghị định 165/2026/NĐ-CP") or the source of
        codified articles ("Điều 2 Nghị định số 101/2010/NĐ-CP"), which BM25 cannot see: the
        source line is kept out of the paragraphs. When no candidate is from it (Chỉ thị
        16/CT-TTg is not loaded), the paragraphs that name it are how it is carried out:
        "Kiên Giang giãn cách theo Chỉ thị 16 …" is answered by the notice's "theo Chỉ thị
        16/CT-TTg" clause, not its "Chỉ thị 15/CT-TTg" one beside it. A law may be named by
        its name too ("theo pháp lệnh dân số", "Luật Phòng, chống bệnh truyền nhiễm"). Only
        questions that name a document so pay for reading the candidates' rows.
        """
        named = named_sources(query.folded)
        statutes = named_statutes(query.folded)
        if not (named or statutes) or self.config.source_bonus <= 0 or not scores:
            return
        catalog = self.library.catalog
        sourced, mentioning = [], []
        for row_id, paragraph in self.library.rows(list(scores)).items():
            meta = catalog.get(paragraph.doc_id)
            source = _source_of(paragraph, meta)
            name = paragraph.origin.name if paragraph.origin else (meta.title if meta else None)
            if any(is_source(source, n) for n in named) or is_named_statute(source, name, statutes):
                sourced.append(row_id)
            elif any(mentions_source(paragraph.text, name) for name in named):
                mentioning.append(row_id)
        for row_id in sourced or mentioning:
            scores[row_id] += self.config.source_bonus

    def _prefer_statutes(
        self, ranked: list[tuple[str, float]], paragraphs: Mapping[str, Paragraph]
    ) -> list[tuple[str, float]]:
        """Put a law and a province's own document ahead of the decrees that detail the law.

        A Luật (or Bộ luật, Pháp lệnh) states the rule; its decrees, circulars and decisions
        carry it out in detail, and a codified topic quotes them all article by article.
        "Quán karaoke có được cho khách hút thuốc không?" is answered by the law's article
        on where smoking is banned before a circular's list of places; "Người đang hưởng trợ
        cấp thất nghiệp phải thông báo …" by the Luật Việc làm before its decree's form. A
        province's notice keeps its place ahead of both (`local_bonus`). The bonus is a small
        step, so only near-ties move: 0.15 was the best on the legal tune part with the full
        corpus (0.656 -> 0.699 hit@1 by section) and moved no notice question down.
        """
        if self.config.statute_bonus <= 0:
            return ranked
        catalog = self.library.catalog
        rescored = dict(ranked)
        for row_id, paragraph in paragraphs.items():
            meta = catalog.get(paragraph.doc_id)
            if meta is not None and (meta.province or is_statute(_source_of(paragraph, meta))):
                rescored[row_id] += self.config.statute_bonus
        return hybrid.top_items(rescored, len(rescored))

    def named_documents(self, query: Query) -> set[str]:
        """Ids of the documents the question names by kind or date."""
        catalog = self.library.catalog
        if self._names_for is not catalog:  # the Library swaps in a new dict on every change
            self._names = DocumentNames(catalog)
            self._names_for = catalog
        return self._names.named(query)

    def question_vector(self, query: Query) -> np.ndarray:
        """The question's e5 vector (diacritics restored first).

        e5 costs ~2 ms a token; search and answerability both need the vector: the index
        remembers the vectors of the last texts embedded (`Library.embed_query`).
        """
        return self.library.embed_query(expand_for_dense(self._dense_text(query)))

    def _dense_text(self, query: Query) -> str:
        # e5 reads accented Vietnamese far better; restore diacritics the user left out.
        if self.config.restore_accents and not query.accented:
            return self.library.restore_accents(query.core)
        return query.core

    def _with_question_province(self, query: Query, filters: SearchFilters) -> SearchFilters:
        # "Chín huyện nào của Kiên Giang ..." narrows to Kiên Giang's notices, if we have any.
        if filters.province or filters.doc_id:
            return filters
        province = query.province_with_notices(self.library.provinces)
        if province:
            return SearchFilters(
                province=province, date_from=filters.date_from, date_to=filters.date_to
            )
        return filters

    def _passages(
        self,
        best: list[tuple[str, float]],
        paragraphs: Mapping[str, Paragraph],
        lexical: list[tuple[str, float]],
        dense: list[tuple[str, float]],
    ) -> list[Passage]:
        lexical_rank = {i: r for r, (i, _) in enumerate(lexical, start=1)}
        dense_rank = {i: r for r, (i, _) in enumerate(dense, start=1)}
        similarity = dict(dense)
        background = dense[-1][1] if dense else None
        passages = []
        for row_id, score in best:
            paragraph = paragraphs.get(row_id)
            meta = self.library.catalog.get(paragraph.doc_id) if paragraph else None
            if paragraph is None or meta is None:
                continue
            passages.append(
                Passage(
                    paragraph=paragraph,
                    meta=meta,
                    score=score,
                    lexical_rank=lexical_rank.get(row_id),
                    dense_rank=dense_rank.get(row_id),
                    dense_similarity=similarity.get(row_id),
                    dense_background=background,
                )
            )
        return passages
