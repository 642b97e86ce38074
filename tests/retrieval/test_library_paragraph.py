"""Library.paragraph: a cited paragraph fetched in full by its id."""

from __future__ import annotations

import pytest

from retrieval import Answerer, Library
from tests.helpers.asking import ask


def test_paragraph_returns_the_full_stored_paragraph_of_a_citation(
    answerer: Answerer, bundled_library: Library
) -> None:
    answer = ask(answerer, "5K là gì?")
    citation = answer.citations[0]
    paragraph = bundled_library.paragraph(citation.paragraph_id)
    assert paragraph is not None
    assert paragraph.id == citation.paragraph_id
    assert paragraph.doc_id == citation.doc_id
    assert citation.quote in paragraph.text
    assert paragraph.section == citation.section


@pytest.mark.parametrize(
    "paragraph_id",
    ["no-such-doc:1", "000_95f2b98f29028119:99999", "000_95f2b98f29028119:x", "", ":3", "abc"],
)
def test_paragraph_is_none_for_unknown_or_malformed_ids(
    bundled_library: Library, paragraph_id: str
) -> None:
    assert bundled_library.paragraph(paragraph_id) is None
