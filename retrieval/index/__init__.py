"""Index: keep parsed notices in the paragraph store, and the lexical index in step with it."""

from retrieval.index.library import IngestResult, Library, RowInfo
from retrieval.index.records import date_int, paragraph_from_row

__all__ = ["IngestResult", "Library", "RowInfo", "date_int", "paragraph_from_row"]
