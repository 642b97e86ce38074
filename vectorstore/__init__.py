"""Storage: the Chroma paragraph index, embedding functions, the lexical index files."""

from vectorstore.chroma_store import DenseHit, ParagraphStore, Row, document_of, row_id
from vectorstore.embeddings import (
    E5EmbeddingFunction,
    Embedder,
    OpenAICompatibleEmbeddingFunction,
)
from vectorstore.errors import EmbeddingError, StoreError, StoreUnavailableError
from vectorstore.grouped_bm25 import GroupedBM25
from vectorstore.lexical_index import LexicalIndex
from vectorstore.staging import staged_file

__all__ = [
    "DenseHit",
    "E5EmbeddingFunction",
    "Embedder",
    "EmbeddingError",
    "GroupedBM25",
    "LexicalIndex",
    "OpenAICompatibleEmbeddingFunction",
    "ParagraphStore",
    "Row",
    "StoreError",
    "StoreUnavailableError",
    "document_of",
    "row_id",
    "staged_file",
]
