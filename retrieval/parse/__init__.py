"""Parse: read a file (any kind a province sends), repair its damage, split it into Notices."""

from retrieval.parse.extracted import PLAIN_KINDS, Extracted, ReadLimits
from retrieval.parse.notices import LoadedFile, doc_id_for, load_notice, load_notices, sidecar_path
from retrieval.parse.reading import SUPPORTED_NAMES, SUPPORTED_SUFFIXES, read_file

__all__ = [
    "PLAIN_KINDS",
    "SUPPORTED_NAMES",
    "SUPPORTED_SUFFIXES",
    "Extracted",
    "LoadedFile",
    "ReadLimits",
    "doc_id_for",
    "load_notice",
    "load_notices",
    "read_file",
    "sidecar_path",
]
