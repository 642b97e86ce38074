"""Verbatim quotes: paragraph-sized, checked to be substrings of the stored paragraph."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence

from retrieval.search import Query
from retrieval.text import fold
from retrieval.types import Citation, Paragraph, Passage

logger = logging.getLogger(__name__)

# A quote longer than this is cut to the sentences around the best one.
MAX_QUOTE_CHARS = 1200
_SENTENCE_END = re.compile(r"(?<=[.;!?…])[”\"’)]*\s+(?=[A-ZĐÀ-Ỹ0-9“\"(-])")
_LEADING_MARKER = re.compile(r"^(?:[-+•–]\s+|\d{1,2}(?:\.\d{1,2})*\.\s+)")


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; each is a verbatim substring of it."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p.strip()]
    merged: list[str] = []
    for part in parts:
        # "1. Tiếp tục ..." is split after "1." by the sentence rule; glue it back.
        # The split rule's [À-Ỹ] also holds lowercase letters: "…; đồng thời …" is one
        # sentence, so a part that starts in lowercase goes back to the one before.
        if merged and (re.fullmatch(r"\d{1,2}(?:\.\d{1,2})*\.", merged[-1]) or part[:1].islower()):
            merged[-1] = text[text.find(merged[-1]) : text.find(part) + len(part)]
        else:
            merged.append(part)
    return merged


def section_label(paragraph: Paragraph, *, max_chars: int = 160) -> str:
    """A short label for a section: its heading, or its first sentence cut short."""
    heading = paragraph.headings[0] if paragraph.headings else ""
    own_paragraph = paragraph.section is not None and paragraph.text.startswith(
        f"{paragraph.section}. "
    )
    if heading and not (own_paragraph and heading.endswith("…")):
        label = heading
    else:
        label = (sentences(paragraph.text) or [paragraph.text])[0]
    label = _LEADING_MARKER.sub("", label).rstrip(" :")
    if len(label) > max_chars:
        label = label[:max_chars].rsplit(" ", 1)[0] + " …"
    return label[:1].upper() + label[1:]


def main_sections(paragraphs: Sequence[Paragraph]) -> list[Paragraph]:
    """The first paragraph of each top-level numbered section ("1", "2", … of "2.3"), in order."""
    seen: set[str] = set()
    heads: list[Paragraph] = []
    for p in paragraphs:
        top = (p.section or "").split(".")[0]
        if top and top not in seen:
            seen.add(top)
            heads.append(p)
    return heads


def _bigram_overlap(query: Query, sentence: str) -> float:
    q = query.folded.split()
    s = re.findall(r"[0-9a-z]+", fold(sentence))
    q_bi = {f"{a} {b}" for a, b in zip(q, q[1:], strict=False)}
    s_bi = {f"{a} {b}" for a, b in zip(s, s[1:], strict=False)}
    uni = len(query.words & set(s))
    return uni + 2 * len(q_bi & s_bi)


def quote_for(query: Query, text: str) -> str:
    """A paragraph-sized quote: the whole paragraph, or the sentences around the best one."""
    if len(text) <= MAX_QUOTE_CHARS:
        return text
    parts = sentences(text)
    best = max(range(len(parts)), key=lambda i: (_bigram_overlap(query, parts[i]), -i))
    lo = hi = best
    while True:
        grown = False
        if lo > 0 and len(" ".join(parts[lo - 1 : hi + 1])) <= MAX_QUOTE_CHARS:
            lo -= 1
            grown = True
        if hi + 1 < len(parts) and len(" ".join(parts[lo : hi + 2])) <= MAX_QUOTE_CHARS:
            hi += 1
            grown = True
        if not grown:
            break
    start = text.find(parts[lo])
    end = text.find(parts[hi], start) + len(parts[hi])
    return text[start:end]


def citation_for(query: Query, passage: Passage, *, quote: str | None = None) -> Citation | None:
    """A citation whose quote is checked to be a verbatim substring of the stored paragraph."""
    text = passage.paragraph.text
    quote = quote if quote is not None else quote_for(query, text)
    if not quote or quote not in text:
        logger.error("Dropped a citation of %s: quote is not verbatim", passage.paragraph.id)
        return None
    return Citation(
        doc_id=passage.meta.doc_id,
        paragraph_id=passage.paragraph.id,
        title=passage.meta.title,
        date=passage.meta.date,
        section=passage.paragraph.section,
        quote=quote,
        score=passage.score,
        province=passage.meta.province,
        period=passage.paragraph.period,
        superseded_by=passage.meta.superseded_by,
        origin=passage.paragraph.origin,
    )


def citations_for(
    query: Query, passages: Sequence[Passage], *, max_citations: int = 3, min_ratio: float = 0.6
) -> tuple[Citation, ...]:
    """Citations for the passages that score close to the best one."""
    if not passages:
        return ()
    top = passages[0].score or 1.0
    chosen = [passages[0]] + [p for p in passages[1:] if p.score >= min_ratio * top]
    found = (citation_for(query, p) for p in chosen[:max_citations])
    return tuple(c for c in found if c is not None)
