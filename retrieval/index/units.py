"""A paragraph's unit: the article a law's clause is cited by, as a number the lexical files keep.

A codified article ("Điều 11" of Nghị định số 101/2010/NĐ-CP, in a Bộ Pháp điển topic) or an
article of a law or decree ("Điều 5, khoản 2" -> "Điều 5"); any other paragraph (a notice's)
is a unit alone: a notice's numbered section runs over many unrelated paragraphs, and read
whole it put "mục 5" of Lai Châu (its last line is about quarantine camps) ahead of Gia
Lai's "cách ly tập trung trong thời gian 21 ngày". The search scores a candidate's whole
unit as one text beside the paragraph itself (vectorstore.grouped_bm25); the answer still
quotes paragraphs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from retrieval.index.records import MetaValue

NO_UNIT = 0  # titles, recipients and signatures belong to no unit


def unit_key(metadata: Mapping[str, MetaValue]) -> int:
    """The unit of a stored row, as a signed 64-bit number (equal for the rows of one unit)."""
    if (metadata.get("role") or "body") != "body":
        return NO_UNIT
    section = str(metadata.get("section") or "")
    unit = (
        section.split(",")[0] if section.startswith("Điều") else f"@{metadata.get('position', 0)}"
    )
    name = f"{metadata.get('doc_id')}#{metadata.get('origin_document') or ''}#{unit}"
    digest = hashlib.blake2b(name.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True) or 1
