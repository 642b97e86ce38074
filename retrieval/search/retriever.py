"""chithi's hybrid search as a LangChain retriever, for use in other chains."""

from __future__ import annotations

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from retrieval.search.searcher import Searcher
from retrieval.types import Passage, SearchFilters


class ChithiRetriever(BaseRetriever):
    """The paragraphs that answer a question, best first, as LangChain Documents.

    Each Document's page_content is the paragraph exactly as stored, its id the paragraph's id,
    and its metadata: doc_id, title, date (ISO, or None), section, province, paragraph_id and
    score. There is no relevance threshold: deciding that nothing answers the question is
    the Answerer's job, so a retriever always returns up to k paragraphs.

    Example:
        retriever = ChithiRetriever(searcher=Searcher(library), k=3)
        documents = retriever.invoke("Cách ly tập trung bao nhiêu ngày?")

    Attributes:
        searcher: chithi's search over a Library.
        k: how many paragraphs to return.
        filters: province, document and date restrictions, if any.
    """

    searcher: Searcher
    k: int = 5
    filters: SearchFilters | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.searcher.search(query, k=self.k, filters=self.filters)
        return [_document(p) for p in passages]


def _document(passage: Passage) -> Document:
    meta, paragraph = passage.meta, passage.paragraph
    return Document(
        page_content=paragraph.text,
        id=paragraph.id,
        metadata={
            "doc_id": meta.doc_id,
            "title": meta.title,
            "date": meta.date.isoformat() if meta.date else None,
            "section": paragraph.section,
            "province": meta.province,
            "paragraph_id": paragraph.id,
            "score": passage.score,
        },
    )
