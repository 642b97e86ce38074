"""Parse: read a file, repair its extraction damage, and split it into a Notice."""

from retrieval.parse.notices import load_notice, sidecar_path
from retrieval.parse.reading import SUPPORTED_SUFFIXES, read_text

__all__ = ["SUPPORTED_SUFFIXES", "load_notice", "read_text", "sidecar_path"]
