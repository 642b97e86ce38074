"""The parts Library is built from: the catalog view and the accent counts."""

from __future__ import annotations

from retrieval import load_notice
from retrieval.index import CatalogView
from retrieval.index.accent_counts import AccentCounts
from retrieval.index.records import catalog_metadata
from retrieval.text import AccentRestorer
from tests.conftest import NOTICES


def test_accent_counts_summed_in_steps_equal_counts_of_all_texts_at_once() -> None:
    texts = [p.text for p in load_notice(NOTICES / "001_5c18a4811e1b304d.txt").paragraphs]
    whole = AccentRestorer.build(texts)

    paged = AccentCounts()  # as a rebuild adds page after page
    paged.add(texts[:5])
    paged.add([])
    paged.add(texts[5:])
    grown = AccentCounts(AccentRestorer.build(texts[:5]))  # as a sync adds to a saved model
    grown.add(texts[5:])

    for counts in (paged, grown):
        model = counts.restorer()
        assert (model.unigrams, model.bigrams) == (whole.unigrams, whole.bigrams)
    assert grown.restorer().restore("cach ly") == whole.restore("cach ly")


def test_catalog_view_derives_provinces_and_orders_documents_newest_first() -> None:
    notices = [load_notice(p) for p in sorted(NOTICES.glob("*.txt"))]
    records = {
        n.meta.doc_id: {**catalog_metadata(n), "version": f"v{i}", "paragraphs": i}
        for i, n in enumerate(notices)
    }
    view = CatalogView.from_records(records)

    assert view.versions == {n.meta.doc_id: f"v{i}" for i, n in enumerate(notices)}
    assert view.body_counts == {n.meta.doc_id: len(n.body) for n in notices}
    provinces = {n.meta.province for n in notices if n.meta.province}
    assert view.provinces == provinces
    for province in provinces:
        ids = [n.meta.doc_id for n in notices if n.meta.province == province]
        assert view.documents_by_province[province] == ids
        assert {d.meta.doc_id for d in view.documents(province)} == set(ids)
    dated = [d.meta.date for d in view.documents() if d.meta.date]
    assert dated == sorted(dated, reverse=True)
    assert view.documents()[len(dated) :] == [d for d in view.documents() if not d.meta.date]
