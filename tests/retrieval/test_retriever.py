"""ChithiRetriever in LangChain terms, over the five bundled notices and the real e5 model."""

from __future__ import annotations

import datetime as dt

import pytest
from langchain_core.documents import Document
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import RunnablePassthrough

from retrieval import Library, Searcher, SearchFilters
from retrieval.search import ChithiRetriever

GIA_LAI_CONCLUSIONS = "000_95f2b98f29028119"  # 16/9/2021, holds the 5K paragraph
KIEN_GIANG_CONCLUSIONS = "001_5c18a4811e1b304d"
GIA_LAI_DIRECTIVE = "002_0549bf549650297a"  # undated; holds the 21 days of quarantine
LAI_CHAU_CONCLUSIONS = "003_04a503c8cc38bcba"  # 13/5/2022, the only notice of 2022
METADATA = {"doc_id", "title", "date", "section", "province", "paragraph_id", "score"}


@pytest.fixture(scope="module")
def searcher(bundled_library: Library) -> Searcher:
    return Searcher(bundled_library)


def test_a_clear_question_gets_its_paragraph_first_verbatim_and_citable(
    searcher: Searcher, bundled_library: Library
) -> None:
    first, *rest = ChithiRetriever(searcher=searcher).invoke("5K là gì?")
    assert isinstance(first, Document)
    assert "thông điệp 5K “Khẩu trang - Khử khuẩn - Khoảng cách" in first.page_content
    stored = bundled_library.paragraph(first.metadata["paragraph_id"])
    assert stored is not None
    assert first.page_content == stored.text
    assert first.id == stored.id
    assert set(first.metadata) == METADATA
    assert {k: v for k, v in first.metadata.items() if k != "score"} == {
        "doc_id": GIA_LAI_CONCLUSIONS,
        "title": bundled_library.catalog[GIA_LAI_CONCLUSIONS].title,
        "date": "2021-09-16",
        "section": "8",
        "province": "Gia Lai",
        "paragraph_id": f"{GIA_LAI_CONCLUSIONS}:{stored.position}",
    }
    assert all(first.metadata["score"] >= d.metadata["score"] for d in rest)


def test_a_paragraph_of_an_undated_notice_has_no_date(searcher: Searcher) -> None:
    [first] = ChithiRetriever(searcher=searcher, k=1).invoke(
        "Cách ly tập trung bao nhiêu ngày ở nơi có ca bệnh?"
    )
    assert "cách ly tập trung trong thời gian 21 ngày" in first.page_content
    assert (first.metadata["doc_id"], first.metadata["date"]) == (GIA_LAI_DIRECTIVE, None)


def test_k_distinct_paragraphs_best_first(searcher: Searcher) -> None:
    documents = ChithiRetriever(searcher=searcher, k=4).invoke("tiem vac xin cho tre em")
    assert len(documents) == 4
    assert len({d.id for d in documents}) == 4
    scores = [d.metadata["score"] for d in documents]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    ("filters", "doc_ids"),
    [
        (SearchFilters(province="Kiên Giang"), {KIEN_GIANG_CONCLUSIONS}),
        (SearchFilters(doc_id=GIA_LAI_DIRECTIVE), {GIA_LAI_DIRECTIVE}),
        (SearchFilters(date_from=dt.date(2022, 1, 1)), {LAI_CHAU_CONCLUSIONS}),
    ],
)
def test_filters_keep_every_paragraph_inside_them(
    searcher: Searcher, filters: SearchFilters, doc_ids: set[str]
) -> None:
    # Unfiltered, the best paragraph is Gia Lai's of 16/9/2021; filtered, it must not appear.
    documents = ChithiRetriever(searcher=searcher, k=4, filters=filters).invoke("5K là gì?")
    assert len(documents) == 4
    assert {d.metadata["doc_id"] for d in documents} == doc_ids


async def test_it_feeds_a_langchain_chain(searcher: Searcher) -> None:
    retriever = ChithiRetriever(searcher=searcher, k=2)
    prompt = ChatPromptTemplate.from_messages([("human", "{context}\n\nCâu hỏi: {question}")])

    def joined(documents: list[Document]) -> str:
        return "\n\n".join(d.page_content for d in documents)

    chain = {"context": retriever | joined, "question": RunnablePassthrough()} | prompt
    [message] = (await chain.ainvoke("5K là gì?")).to_messages()
    assert "thông điệp 5K" in message.content
    assert str(message.content).endswith("\n\nCâu hỏi: 5K là gì?")
