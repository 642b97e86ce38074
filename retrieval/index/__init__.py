"""Index: keep parsed notices in the paragraph store, and the lexical index in step with it."""

from retrieval.index.catalog import CatalogView
from retrieval.index.deadline import bounded
from retrieval.index.files import IngestResult, ProgressFactory
from retrieval.index.library import Library
from retrieval.index.records import date_int, paragraph_from_row
from retrieval.index.rows import RowInfo

__all__ = [
    "CatalogView",
    "IngestResult",
    "Library",
    "ProgressFactory",
    "RowInfo",
    "bounded",
    "date_int",
    "paragraph_from_row",
]
