"""The lead: the sentence or clause of a cited paragraph that carries what the question asks.

A citizen reads the lead first, often only the lead. It is cut from the paragraph at sentence
and clause boundaries, so every word in it is a whole word of the paragraph; it must hold the
kind of fact asked for ("bao nhiêu ngày" a number, "khi nào" a date, "chỉ thị nào" a document
…) early, and it is chosen by the question's specific words, not by the words every notice
shares. A definition ("X là gì?") comes out whole, with X as the paragraph writes it, or not
as a definition at all.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

from retrieval.answer import phrasing
from retrieval.answer.answerability import Answerability
from retrieval.answer.compose import sentences
from retrieval.search import Asks, Query
from retrieval.text import fold
from retrieval.types import Passage

LEAD_MAX_CHARS = 260
_WORD = re.compile(r"[0-9a-z]+")
_LEADING = re.compile(r"^(?:[-+•–]\s*|\d{1,2}(?:\.\d{1,2})*\.\s+|[a-zđ]\)\s+)")
# Openers that make no sense once the clause stands alone.
_OPENERS = re.compile(r"^(?:và|đồng thời|trong đó|nhất là|song|tuy nhiên|còn|để)\s+", re.I)
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
_QUOTED = re.compile(r"[“\"]([^”\"]{3,300})[”\"]")
# What a span must contain to carry the fact asked for (on folded text).
_TYPED: dict[Asks, re.Pattern[str]] = {
    "number": re.compile(r"\d|\b(mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|tram|nghin)\b"),
    "date": re.compile(
        r"\d{1,2} ?[-/.] ?\d{1,2}|\bngay \d|\bthang \d|\bquy [ivx1-4]+|\bnam 20\d\d"
        r"|\btu ngay|\bden (het )?ngay|\bden khi|\bthoi gian|\d+ ngay"
    ),
    "document": re.compile(
        r"\b(chi thi|quyet dinh|thong bao|ke hoach|cong van|nghi quyet|nghi dinh)\b[^.;]{0,12}\d"
    ),
    "place": re.compile(
        r"\b(huyen|xa|phuong|thi tran|thanh pho|thi xa|tinh|khu|cho|benh vien|tram|trung tam"
        r"|cua khau|bien gioi|dia ban)\b"
    ),
    "person": re.compile(
        r"\b(nguoi|can bo|cong chuc|doi tuong|nhan dan|cong dan|tre|hoc sinh|lanh dao|ban chi dao"
        r"|uy ban|ubnd|so |cong an|quan doi|luc luong|to chuc|don vi|cap uy|chinh quyen|nganh)\b"
    ),
}
Weights = Callable[[str], float]
MISSING_WEIGHT = 0.6  # question words at least this specific must be in a cited paragraph
_TOKEN = re.compile(r"[0-9A-Za-zÀ-ỹĐđ]+")


def answer_text(
    query: Query, passages: Sequence[Passage], answerability: Answerability, *, hotline: str
) -> str:
    """The lead of an extractive answer: whose rule, the span that answers, and what is missing.

    One province: 'Gia Lai, chỉ thị (không ghi ngày): <span>'. Passages of several provinces
    that each answer: '<source>: <span>; <source>: <span>', newest first, since their rules
    differ. A question word the cited paragraphs never mention gets a line saying so, with
    the hotline.
    """
    weight = answerability.specificity
    by_province: dict[str | None, Passage] = {}
    for p in passages:
        if p is passages[0] or answerability.answers(p.score):
            by_province.setdefault(p.meta.province, p)
    chosen = list(by_province.values())
    if len(chosen) > 1:
        chosen.sort(key=lambda p: p.meta.date or dt.date.min, reverse=True)
    parts = [
        phrasing.sourced(phrasing.rule_source(p.meta), lead_for(query, p.paragraph.text, weight))
        for p in chosen
    ]
    text = "; ".join(part.rstrip(".") for part in parts) if len(parts) > 1 else parts[0]
    missing = _missing(query, passages, answerability)
    return f"{text}\n{phrasing.partial(missing, hotline)}" if missing else text


def _missing(query: Query, passages: Sequence[Passage], answerability: Answerability) -> list[str]:
    """Specific question words (as typed) that no cited paragraph or its context contains."""
    said: set[str] = set()
    for p in passages:
        said |= answerability.context_words(p)
    out: list[str] = []
    for token in _TOKEN.findall(query.text):
        folded = fold(token)
        wanted = folded in query.words and folded not in said and not folded.isdigit()
        if wanted and token not in out and answerability.specificity(folded) >= MISSING_WEIGHT:
            out.append(token)
    return out


def lead_for(query: Query, text: str, weight: Weights) -> str:
    """The span of a paragraph that answers the question, ready to show (capitalised, short).

    Args:
        query: the parsed question.
        text: the cited paragraph, verbatim.
        weight: how specific a folded word is (0 = every document has it).
    """
    if query.asks == "definition":
        definition = _definition(query, text)
        if definition:
            return definition
    spans = _candidates(text)
    if not spans:
        return _tidy(text)
    best = max(range(len(spans)), key=lambda i: (_score(query, spans[i], weight), -i))
    return _tidy(spans[best])


def _candidates(text: str) -> list[str]:
    """Sentences, and runs of one to three clauses of the long ones (all verbatim)."""
    out: list[str] = []
    for sentence in sentences(text):
        out.append(sentence)
        if len(sentence) <= LEAD_MAX_CHARS // 2:
            continue
        clauses = [c for c in _CLAUSE_END.split(sentence) if c]
        for size in (1, 2, 3):
            for i in range(len(clauses) - size + 1):
                start = sentence.find(clauses[i])
                last = clauses[i + size - 1]
                end = sentence.find(last, start) + len(last)
                span = sentence[start:end].rstrip(",;:")
                if len(span.split()) >= 4 and span not in out:
                    out.append(span)
    return out


def _score(query: Query, span: str, weight: Weights) -> float:
    words = _WORD.findall(fold(span))
    present = set(words)
    asked = [w for w in query.words if w in present]
    score = sum(weight(w) for w in asked)
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    q = query.folded.split()
    score += 0.5 * sum(1 for a, b in zip(q, q[1:], strict=False) if f"{a} {b}" in pairs)
    typed = _TYPED.get(query.asks)
    if typed is not None:
        found = typed.search(" ".join(words))
        # The fact asked for must be there, and early: a lead read aloud on the phone.
        score += 1.5 - found.start() / 400 if found else -1.5
    return score - max(0, len(span) - LEAD_MAX_CHARS) / 200


def _definition(query: Query, text: str) -> str | None:
    """'5K là gì?' over '... thông điệp 5K “Khẩu trang - ...”' -> '5K là: Khẩu trang - ...'.

    The term is the longest run of whole words just before the quote that the question also
    contains (not a lone "là"); otherwise there is no definition here.
    """
    asked = set(query.folded.split())
    for m in _QUOTED.finditer(text):
        if set(_WORD.findall(fold(m.group(1)))) <= asked:
            continue  # the quote is the term asked about ("2 chống, 3 xây"), not its meaning
        before = re.split(r"[.;:,(]", text[: m.start()])[-1].split()
        for size in range(min(6, len(before)), 0, -1):
            term = before[-size:]
            folded = [fold(w).strip('“”"') for w in term]
            if folded[0] in ("la", "va", "theo", "cua") or not all(w in asked for w in folded):
                continue
            return phrasing.definition(" ".join(term), m.group(1).strip())
    return None


def _tidy(span: str) -> str:
    span = _OPENERS.sub("", _LEADING.sub("", span.strip())).strip()
    if len(span) > LEAD_MAX_CHARS:
        span = span[:LEAD_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return span[:1].upper() + span[1:]
