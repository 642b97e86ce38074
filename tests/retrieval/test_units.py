"""A law's clause is searched with its article: the article, read whole, scores every clause."""

from __future__ import annotations

from pathlib import Path

from retrieval.index import Library
from retrieval.search import Query
from tests.helpers.documents import hashing_library

EXCERPT = Path(__file__).parents[1] / "data" / "legal" / "phong-chong-benh-truyen-nhiem-excerpt.md"
# Words of Điều 11's heading and first clause; its second clause has none of them.
ASKED = "Điều kiện đối với cơ sở thực hiện việc cách ly y tế"


def _clauses(library: Library, article: str) -> list[str]:
    """Row ids of an article's clauses (sections "Điều 11, khoản 1", …) of the decree."""
    rows = library.lexical.ids
    found = []
    for doc_id in library.catalog:
        for p in library.paragraphs(doc_id):
            origin = p.origin.document if p.origin else ""
            if (p.section or "").startswith(f"{article},") and "101/2010" in origin:
                found += [r for r in rows if r.startswith(f"{doc_id}@") and
                          r.endswith(f"#{p.position}")]  # fmt: skip
    return found


def test_every_clause_of_an_article_scores_as_the_article(tmp_path: Path) -> None:
    library = hashing_library(tmp_path)
    library.ingest([EXCERPT])
    clauses = _clauses(library, "Điều 11")
    assert len(clauses) == 2
    tokens = Query.parse(ASKED).tokens
    first, second = library.unit_scores(tokens, clauses)
    assert first > 0
    assert first == second  # "2. Bộ trưởng Bộ Y tế ban hành quy chuẩn …" too
    others = _clauses(library, "Điều 10")
    assert all(score < first for score in library.unit_scores(tokens, others))


def test_units_are_kept_with_the_lexical_files_and_rebuilt_when_missing(tmp_path: Path) -> None:
    library = hashing_library(tmp_path)
    library.ingest([EXCERPT])
    tokens = Query.parse(ASKED).tokens
    clauses = _clauses(library, "Điều 11")
    expected = library.unit_scores(tokens, clauses)
    assert list(tmp_path.glob("lexical.units-*.npy"))
    assert hashing_library(tmp_path).unit_scores(tokens, clauses) == expected
    # Files saved before units existed: the index is rebuilt from the store, units with it.
    for path in tmp_path.glob("lexical.units-*.npy"):
        path.unlink()
    reopened = hashing_library(tmp_path)
    reopened.refresh()
    assert reopened.unit_scores(tokens, clauses) == expected
