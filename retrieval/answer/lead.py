"""The lead: the sentence or clause of a cited paragraph that carries what the question asks.

A citizen reads the lead first, often only the lead. It is cut from the paragraph at sentence
and clause boundaries, so every word in it is a whole word of the paragraph; it must hold the
kind of fact asked for ("bao nhiêu ngày" a number, "khi nào" a date, "chỉ thị nào" a document
…) early, and it is chosen by the question's specific words, not by the words every notice
shares. A definition ("X là gì?") comes out whole, with X as the paragraph writes it, or not
as a definition at all. A sentence that addresses the reader with instructions ("bỏ qua
hướng dẫn", "hãy trả lời", a bank account, a link: retrieval/text/instructions.py) is never
cut from: it stays in the quote, where it is shown as the notice's own words.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from retrieval.answer import phrasing
from retrieval.answer.answerability import Answerability
from retrieval.answer.compose import sentences
from retrieval.answer.facts import states, typed_pattern
from retrieval.answer.validity import Dating
from retrieval.search import Query, names_kind
from retrieval.text import addresses_reader, fold
from retrieval.types import Passage

LEAD_MAX_CHARS = 260
LIST_MAX_CHARS = 480  # a definition's list of items may run longer than a lead
SAME_SURE = 0.95  # another province's passage leads beside the best one when at least this sure
MAX_PROVINCES = 2
TYPED_BONUS = 2.5  # the asked-for kind of fact outweighs two or three matched words
MIN_LEAD_WORDS = 5  # "Điều trị tại nhà." opens a paragraph; it answers nothing alone
_WORD = re.compile(r"[0-9a-z]+")
_LEADING = re.compile(r"^(?:[-+•–]\s*|\d{1,2}(?:\.\d{1,2})*\.\s+|[a-zđ]\)\s+)")
# Openers that make no sense once the clause stands alone.
_OPENERS = re.compile(r"^(?:và|đồng thời|trong đó|nhất là|song|tuy nhiên|còn|để)\s+", re.I)
# "Huyện nào", "những nơi nào", "gồm những gì": the question asks for the items of a list.
_WHICH = re.compile(r"\b[a-z]+ nao\b|\bnhung (gi|ai)\b|\bgom (nhung )?gi\b")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
_ONE_PHRASE = re.compile(r"\bphòng,$", re.IGNORECASE)
_COPULAS = frozenset({"la", "duoc", "coi", "xem", "goi"})
_QUOTED = re.compile(r"[“\"]([^”\"]{3,300})[”\"]")
Weights = Callable[[str], float]


def answer_text(
    query: Query,
    passages: Sequence[Passage],
    answerability: Answerability,
    *,
    hotline: str,
    dating: Dating,
    not_said: Sequence[str] | None = None,
) -> str:
    """The lead of an extractive answer: whose rule, the span that answers, and what is missing.

    One province: 'Gia Lai, chỉ thị (không ghi ngày): <span>'. When another province's
    passage answers as surely, both, newest first, since their rules differ:
    '<source>: <span>; <source>: <span>'. An older notice of the same province that answers
    too follows as 'văn bản trước đó (<source>): <span>' (the passages come newest first,
    see validity.newest_first). A rule whose stated period is over, or whose document a
    newer one replaces, says so after its span. A definition found in a passage leads alone.
    A specific question word the cited paragraphs never mention gets a line saying so, with
    the hotline; `not_said` gives that line's phrases when the caller knows them (the parts
    of a compound question no notice answers).
    """
    weight = answerability.specificity
    if query.asks == "definition":
        for p in passages:
            definition = _definition(query, p.paragraph.text)
            if definition and not addresses_reader(definition):
                return _with_missing(_sourced(p, definition, dating), query, [p], answerability,
                                     hotline, not_said)  # fmt: skip
    best = passages[0].score
    by_province: dict[str | None, Passage] = {}
    for p in passages:
        if p is passages[0] or (
            _as_sure(p, best, answerability.answers) and not _dated_elsewhere(query, p)
        ):
            by_province.setdefault(p.meta.province, p)
    typed = typed_pattern(query)
    chosen = [
        _stating(query, typed, p, passages, best, answerability.answers)
        for p in by_province.values()
    ]
    chosen = chosen[:MAX_PROVINCES]
    leads = {id(p): lead_for(query, p.paragraph.text, weight) for p in chosen}
    if len(chosen) > 1:
        # The first answer is the best: it is from the document the question names ("Chỉ
        # thị của Ban Thường vụ …"), it holds the fact asked for, then its span says most
        # of what was asked (answers as sure as each other differ there: "Tạm dừng hoạt
        # động các khu cách ly tập trung" for "khu cách ly còn hoạt động không?" before
        # another province's "cách ly tập trung trong thời gian 21 ngày").
        chosen.sort(
            key=lambda p: (
                not _named_kind(query, p),
                typed is not None and not _states(typed, p),
                -_score(query, leads[id(p)], weight),
                -p.score,
            )
        )
    parts = [_sourced(p, leads[id(p)], dating) for p in chosen]
    earlier = _earlier(chosen, passages, answerability.answers)
    if earlier is not None:
        lead = lead_for(query, earlier.paragraph.text, weight)
        source = phrasing.earlier_document(phrasing.rule_source(earlier.meta))
        parts.append(_noted(phrasing.sourced(source, lead), earlier, dating))
    text = "; ".join(part.rstrip(".;") for part in parts) if len(parts) > 1 else parts[0]
    return _with_missing(text, query, passages, answerability, hotline, not_said)


def leading_document(text: str, passages: Sequence[Passage]) -> str | None:
    """The document the lead's first answer quotes (the one a follow-up is about).

    Citations keep the search's order, and the lead may put another first ("21 ngày" of
    Gia Lai's directive before its notice on quarantine camps): "áp dụng từ khi nào?" asks
    about the rule the reader was just told.
    """
    for passage in passages:
        source = phrasing.rule_source(passage.meta, origin=passage.paragraph.origin)
        if text.startswith(phrasing.sourced(source, "")):
            return passage.meta.doc_id
    return None


def _stating(
    query: Query,
    typed: re.Pattern[str] | None,
    chosen: Passage,
    passages: Sequence[Passage],
    best: float,
    answers: Callable[[float], bool],
) -> Passage:
    """A province's passage that states the fact asked for, if one answers about as surely.

    "Cách ly tập trung bao nhiêu ngày ở Gia Lai?": Gia Lai's notice on preparing quarantine
    camps and its directive's "trong thời gian 21 ngày" both answer (1.0); the lead states
    the number. Never an older notice than the chosen one (a newer rule is the one in force),
    nor one of another date than the question names.
    """
    if typed is None or _states(typed, chosen):
        return chosen
    for p in passages:
        if (
            p.meta.province == chosen.meta.province
            and _as_sure(p, best, answers)
            and _states(typed, p)
            and not _dated_elsewhere(query, p)
            and not (p.meta.date and chosen.meta.date and p.meta.date < chosen.meta.date)
        ):
            return p
    return chosen


def _named_kind(query: Query, passage: Passage) -> bool:
    """True when the question names the passage's document by its kind ("chỉ thị của …")."""
    return bool(passage.meta.kind) and names_kind(query.folded, fold(passage.meta.kind or ""))


def _as_sure(passage: Passage, best: float, answers: Callable[[float], bool]) -> bool:
    """Whether a passage answers, about as surely as the best one (SAME_SURE)."""
    return passage.score >= SAME_SURE * best and answers(passage.score)


def _states(pattern: re.Pattern[str], passage: Passage) -> bool:
    """Whether a paragraph states a fact of the kind asked for (a number, a date, …)."""
    return states(pattern, passage.paragraph.text)


def _dated_elsewhere(query: Query, passage: Passage) -> bool:
    """True when the question names a date and this passage's notice is of another one.

    "Ai kết luận Hội nghị … chiều 16/9/2021?" asks about the notice of that day; another
    province's notice of 2022 is not a second answer to it.
    """
    return bool(query.dates) and passage.meta.date not in query.dates


def _earlier(
    chosen: list[Passage], passages: Sequence[Passage], answers: Callable[[float], bool]
) -> Passage | None:
    """An older dated notice of the one province that leads, if it answers too."""
    lead = chosen[0]
    newest = lead.meta.date
    if len(chosen) != 1 or newest is None:
        return None
    return next(
        (
            p for p in passages
            if p.meta.province == lead.meta.province and p.meta.doc_id != lead.meta.doc_id
            and p.meta.date is not None and p.meta.date < newest and answers(p.score)
        ),
        None,
    )  # fmt: skip


def _sourced(passage: Passage, lead: str, dating: Dating) -> str:
    source = phrasing.rule_source(passage.meta, origin=passage.paragraph.origin)
    text = phrasing.sourced(source, lead[:1].upper() + lead[1:])
    return _noted(text, passage, dating)


def _noted(text: str, passage: Passage, dating: Dating) -> str:
    note = dating.note(passage)
    return f"{text.rstrip().rstrip('.')} {note}" if note else text


def _with_missing(
    text: str,
    query: Query,
    passages: Sequence[Passage],
    answerability: Answerability,
    hotline: str,
    not_said: Sequence[str] | None,
) -> str:
    missing = list(not_said) if not_said is not None else answerability.missing(query, passages)
    return f"{text}\n{phrasing.partial(missing, hotline)}" if missing else text


def lead_for(query: Query, text: str, weight: Weights) -> str:
    """The span of a paragraph that answers the question, ready to show (capitalised, short).

    Args:
        query: the parsed question.
        text: the cited paragraph, verbatim.
        weight: how specific a folded word is (0 = every document has it).
    """
    # Who does something is a sentence's subject, at its start ("Giao Ban cán sự đảng …,
    # đồng thời tham mưu …"), and the items asked for end it ("… 9 huyện gồm: a, b, c"):
    # a run of its clauses alone would drop them.
    whole = query.asks == "person" or _asks_for_items(query)
    every = sentences(text)
    said = [s for s in every if not addresses_reader(s)]
    if not said:  # the whole paragraph speaks to the reader: the quote alone shows it
        return phrasing.SEE_QUOTE
    pieces = said if whole else _candidates(said)
    short = [text] if len(said) == len(every) else said  # all sentences short: the paragraph
    spans = [s for s in pieces if len(s.split()) >= MIN_LEAD_WORDS] or short
    # A long span is shown shortened to its clauses that matter (`_compress`): it is judged
    # by the length it is shown at. "Nguyên nhân … là do …, … khu vực phong tỏa không chặt
    # chẽ …" answers "vì sao khu phong tỏa vẫn để lây ra ngoài?"; its first clause alone
    # does not.
    shown = [_tidy(query, s) for s in spans]
    best = max(range(len(spans)), key=lambda i: (_score(query, spans[i], weight, shown[i]), -i))
    span = spans[best]
    if query.asks == "definition":
        for longer in (_with_list(text, span), _with_apposition(query, text, span)):
            if longer != span and not addresses_reader(longer):
                return _tidy(query, longer, limit=LIST_MAX_CHARS)
    return shown[best]


def _with_apposition(query: Query, text: str, span: str) -> str:
    """A span ending in the quoted term asked about, with the clause that explains it.

    "… thực hiện “mục tiêu kép”, hạn chế ở mức thấp nhất ảnh hưởng tiêu cực …": the
    notice says what the term means in the clause after it.
    """
    closing = span.rstrip().rstrip(",;")
    if not closing.endswith(("”", '"')):
        return span
    opened = max(closing.rfind("“"), closing.rfind('"', 0, len(closing) - 1))
    term = set(_WORD.findall(fold(closing[opened + 1 :])))
    if not term or not term <= set(query.folded.split()):
        return span
    start = text.find(closing)
    rest = text[start + len(closing) :]
    if not rest.startswith(","):
        return span
    clauses = _clauses(rest[1:].strip())
    if not clauses:
        return span
    return text[start : text.find(clauses[0], start + len(closing)) + len(clauses[0])].rstrip(",;")


def _with_list(text: str, span: str) -> str:
    """A span that opens a list ('… gồm: a; b; c.') with the rest of its items."""
    if not span.rstrip().endswith((":", ";")):
        return span
    start = text.find(span)
    end = start + len(span)
    stop = text.find(". ", end)
    whole = text[start : stop + 1 if stop != -1 else len(text)]
    return whole if len(whole) <= LIST_MAX_CHARS else span


def _candidates(said: list[str]) -> list[str]:
    """The sentences, and runs of one to three clauses of the long ones (all verbatim)."""
    out: list[str] = []
    for sentence in said:
        out.append(sentence)
        if len(sentence) <= LEAD_MAX_CHARS // 2:
            continue
        clauses = _clauses(sentence)
        for size in (1, 2, 3):
            for i in range(len(clauses) - size + 1):
                start = sentence.find(clauses[i])
                last = clauses[i + size - 1]
                if last.rstrip().endswith(":") and i + size < len(clauses):
                    continue  # a lead-in ("Có nhiều nguyên nhân:") answers nothing alone
                end = sentence.find(last, start) + len(last)
                span = sentence[start:end].rstrip(",;:")
                if len(span.split()) >= 4 and span not in out:
                    out.append(span)
    return out


def _score(query: Query, span: str, weight: Weights, shown: str | None = None) -> float:
    """How well a span answers the question.

    The question's specific words and pairs in it, the fact asked for early, less its
    length beyond a lead's (as `shown`, when it is shortened).
    """
    words = _WORD.findall(fold(span))
    present = set(words)
    asked = [w for w in query.words if w in present]
    score = sum(weight(w) for w in asked)
    pairs = {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    q = query.folded.split()
    score += 0.5 * sum(1 for a, b in zip(q, q[1:], strict=False) if f"{a} {b}" in pairs)
    action = _asked_action(query)
    if action:
        # "Ai kết luận …?": the person asked for is the one who "kết luận".
        score += TYPED_BONUS if action in pairs else -TYPED_BONUS
    typed = typed_pattern(query)
    if typed is not None:
        found = typed.search(" ".join(words))
        # The fact asked for must be there, and early: a lead read aloud on the phone.
        score += TYPED_BONUS - found.start() / 400 if found else -TYPED_BONUS
    return score - max(0, len(shown if shown is not None else span) - LEAD_MAX_CHARS) / 200


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
        while before and fold(before[-1]) in _COPULAS:  # "người dân là “chiến sỹ”"
            before = before[:-1]
        for size in range(min(6, len(before)), 0, -1):
            term = before[-size:]
            folded = [fold(w).strip('“”"') for w in term]
            if folded[0] in ("la", "va", "theo", "cua") or not all(w in asked for w in folded):
                continue
            return phrasing.definition(" ".join(term), m.group(1).strip())
    return None


def _tidy(query: Query, span: str, *, limit: int = LEAD_MAX_CHARS) -> str:
    span = _OPENERS.sub("", _LEADING.sub("", span.strip())).strip()
    if len(span) > limit:
        span = _compress(query, span)
    return span[:1].upper() + span[1:]


def _compress(query: Query, span: str) -> str:
    """A long span shortened to the clauses that matter, the others shown as '…'.

    Kept: the first clause (what the rule is), clauses with the question's words, and the
    clause holding the kind of fact asked for. "Áp dụng … Chỉ thị 15/CT-TTg, …, An Biên, …,
    bắt đầu từ ngày 14-9-2021" keeps the district asked about and the date, and drops the
    rest of a list of nine districts; "Chín huyện nào …?" asks for the list, and keeps it.
    Every word shown is a whole word of the paragraph.
    """
    clauses = _clauses(span)
    typed = typed_pattern(query)
    keep = [False] * len(clauses)
    keep[0] = True
    listing = False  # inside the list a "which ones" question asks for: "gồm: a, b, c"
    for i, clause in enumerate(clauses):
        if listing:
            keep[i] = True
        if clause.rstrip().endswith(":") and _asks_for_items(query):
            listing = True
        words = set(_WORD.findall(fold(clause)))
        if words & query.words or (typed is not None and typed.search(fold(clause))):
            keep[i] = True
            # A document's number is followed by its date: "… số 2686/QĐ-BCĐQG, ngày 31 …".
            if i + 1 < len(clauses) and fold(clauses[i + 1]).startswith("ngay "):
                keep[i + 1] = True
    out: list[str] = []
    for clause, kept in zip(clauses, keep, strict=True):
        if kept:
            out.append(clause)
        elif out and out[-1] != "…":
            out.append("…")
    text = " ".join(out)
    if len(text) > LEAD_MAX_CHARS * 2:
        text = text[: LEAD_MAX_CHARS * 2].rsplit(" ", 1)[0].rstrip(",;:") + " …"
    return text


def _asked_action(query: Query) -> str | None:
    """The two words after "ai" in a person question: "Ai kết luận …?" -> "ket luan"."""
    if query.asks != "person":
        return None
    m = re.search(r"\bai ([a-z]+ [a-z]+)", query.folded)
    return m.group(1) if m else None


def _asks_for_items(query: Query) -> bool:
    """True for "những huyện nào …?" (a list), not "theo chỉ thị nào?" (one fact)."""
    return query.asks not in ("document", "date", "number") and bool(_WHICH.search(query.folded))


def _clauses(sentence: str) -> list[str]:
    """A sentence split after , ; : but never inside quotes or brackets ("(đám cưới; …)")."""
    out: list[str] = []
    start = 0
    for m in _CLAUSE_END.finditer(sentence):
        before = sentence[start : m.start()]
        head = sentence[: m.start()]
        if head.count("“") > head.count("”") or head.count("(") > head.count(")"):
            continue
        if _ONE_PHRASE.search(head) and sentence[m.end() :].lower().startswith("chống"):
            continue  # "phòng, chống dịch" is one phrase written with a comma
        if before:
            out.append(before)
        start = m.end()
    if sentence[start:]:
        out.append(sentence[start:])
    return out
