"""Score answers against a question set in the format of shared/eval/dev.jsonl.

Per kind and overall, on answerable items (`expect: answer`): hit@1, hit@3 and MRR (a hit is a
citation whose quote contains a gold span, compared with `fold_for_match`), the lead hit rate,
and how many came back not answered. On refuse items (`expect: refuse`): the answered rate (lower
is better) and the refusal accuracy (not answered and no citations).

First hit: the same, on the lead's first answer alone (before a second province's or
document's "; <source>: …"), what a phone shows first.

Lead hit: the lead (`Answer.text` of an answered item) contains at least 60% of the content
words of one of the item's gold spans, or all of them when the span has 3 content words or
fewer. Content words are the folded [0-9a-z] words (`retrieval.text.fold`) minus
`QUESTION_STOPWORDS`, each counted once; so a lead that states the asked-for fact scores
without having to repeat a long gold span word for word.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from retrieval.text import QUESTION_STOPWORDS, fold, fold_for_match
from retrieval.types import Answer

LEAD_SHARE = 0.6
LEAD_SHORT_SPAN = 3  # spans of this many content words or fewer must appear whole
_WORD = re.compile(r"[0-9a-z]+")

# Why an item counts as a miss; an item gets the first reason that applies, in this order.
REFUSED_ANSWERABLE = "refused-but-answerable"
WRONG_DOC = "wrong doc"
NO_HIT = "no hit"
LEAD_MISS = "lead miss"
ANSWERED_REFUSE = "answered-but-should-refuse"
CITED_REFUSAL = "refusal-with-citations"


@dataclass(frozen=True)
class EvalItem:
    """One question with what a right answer must contain."""

    id: str
    question: str
    kind: str
    gold: tuple[str, ...]
    expect: str
    doc: str | None = None
    split: str | None = None


@dataclass
class KindScore:
    """Running totals for one kind of question (or all)."""

    answerable: int = 0
    hit1: int = 0
    hit3: int = 0
    reciprocal: float = 0.0
    lead_hits: int = 0
    first_hits: int = 0  # the lead's first answer alone (what a phone shows first) holds it
    refuse_items: int = 0
    refused_right: int = 0
    answered_on_refuse: int = 0
    wrongly_refused: int = 0

    def row(self) -> dict[str, Any]:
        """Rates for printing (None where the kind has no item to rate)."""
        n = self.answerable
        r = self.refuse_items
        return {
            "answerable": n,
            "hit@1": self.hit1 / n if n else None,
            "hit@3": self.hit3 / n if n else None,
            "mrr": self.reciprocal / n if n else None,
            "lead_hit": self.lead_hits / n if n else None,
            "first_hit": self.first_hits / n if n else None,
            "refuse_items": r,
            "answered_rate": self.answered_on_refuse / r if r else None,
            "refusal_acc": self.refused_right / r if r else None,
            "wrongly_refused": self.wrongly_refused,
        }


@dataclass(frozen=True)
class Miss:
    """An item answered wrongly, with the first reason that applies and a hint to look at."""

    item_id: str
    question: str
    status: str
    reason: str
    detail: str = ""


@dataclass
class EvalReport:
    """Scores overall and per kind, plus the misses for inspection."""

    overall: KindScore = field(default_factory=KindScore)
    kinds: dict[str, KindScore] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)


def load_items(path: Path, *, split: str | None = None) -> list[EvalItem]:
    """Read a .jsonl question set.

    Args:
        path: one JSON object a line (`id`, `question`, `kind`, `gold`, `doc`, `expect`, and
            optionally `split`).
        split: keep only the items whose `split` field equals this; None keeps every item.

    Returns:
        The items in file order.

    Raises:
        ValueError: a line is not a question record; the message names the file and line.
    """
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            item = EvalItem(
                id=raw["id"],
                question=raw["question"],
                kind=raw.get("kind", "other"),
                gold=tuple(raw.get("gold") or ()),
                expect=raw.get("expect", "answer"),
                doc=raw.get("doc"),
                split=raw.get("split"),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{n}: not a question record ({exc})") from exc
        if split is None or item.split == split:
            items.append(item)
    return items


def hit_rank(answer: Answer, gold: Iterable[str]) -> int | None:
    """1-based rank of the first citation whose quote contains a gold span."""
    spans = [fold_for_match(g) for g in gold]
    for rank, citation in enumerate(answer.citations, start=1):
        quote = fold_for_match(citation.quote)
        if any(s and s in quote for s in spans):
            return rank
    return None


# Where a lead's second answer starts: "; " then another source and its colon.
_NEXT_ANSWER = re.compile(r"; (?=[^;:]{1,120}: )")


def first_answer(text: str) -> str:
    """The lead's first answer: its first line, before a second province's or document's."""
    line = text.split("\n", 1)[0]
    return _NEXT_ANSWER.split(line, maxsplit=1)[0]


def lead_hit(answer: Answer, gold: Iterable[str]) -> bool:
    """True when the answer is answered and its lead states one of the gold spans.

    See the module docstring for the rule.
    """
    if answer.status != "answered":
        return False
    lead = set(_content_words(answer.text))
    for span in gold:
        words = set(_content_words(span))
        if not words:
            continue
        needed = len(words) if len(words) <= LEAD_SHORT_SPAN else math.ceil(LEAD_SHARE * len(words))
        if len(words & lead) >= needed:
            return True
    return False


def evaluate(items: list[EvalItem], ask: Callable[[str], Answer]) -> EvalReport:
    """Ask every question and score the answers."""
    report = EvalReport()
    for item in items:
        answer = ask(item.question)
        for score in (report.overall, report.kinds.setdefault(item.kind, KindScore())):
            _score(score, item, answer)
        miss = _miss(item, answer)
        if miss is not None:
            report.misses.append(miss)
    return report


def _content_words(text: str) -> list[str]:
    words = _WORD.findall(fold(text))
    # A span made of question words only ("ai", "nào") is still a span: keep its words.
    return [w for w in words if w not in QUESTION_STOPWORDS] or words


def _refused_right(answer: Answer) -> bool:
    return answer.status != "answered" and not answer.citations


def _score(score: KindScore, item: EvalItem, answer: Answer) -> None:
    if item.expect == "refuse":
        score.refuse_items += 1
        score.refused_right += _refused_right(answer)
        score.answered_on_refuse += answer.status == "answered"
        return
    score.answerable += 1
    score.wrongly_refused += answer.status != "answered"
    score.lead_hits += lead_hit(answer, item.gold)
    score.first_hits += lead_hit(replace(answer, text=first_answer(answer.text)), item.gold)
    rank = hit_rank(answer, item.gold)
    if rank is not None:
        score.hit1 += rank == 1
        score.hit3 += rank <= 3
        score.reciprocal += 1 / rank


def _miss(item: EvalItem, answer: Answer) -> Miss | None:
    top = answer.citations[0] if answer.citations else None
    cited = f"cites {top.doc_id}: {_short(answer.text)}" if top else _short(answer.text)

    def miss(reason: str, detail: str) -> Miss:
        return Miss(item.id, item.question, answer.status, reason, detail)

    if item.expect == "refuse":
        if answer.status == "answered":
            return miss(ANSWERED_REFUSE, cited)
        return None if _refused_right(answer) else miss(CITED_REFUSAL, cited)
    if answer.status != "answered":
        return miss(REFUSED_ANSWERABLE, f"gold doc {item.doc}")
    rank = hit_rank(answer, item.gold)
    if rank != 1:
        found = f"gold at rank {rank}" if rank else "no citation holds a gold span"
        gold_doc = Path(item.doc).stem if item.doc else None
        if top is not None and gold_doc and top.doc_id != gold_doc:
            return miss(WRONG_DOC, f"top {top.doc_id}, gold doc {gold_doc}; {found}")
        return miss(NO_HIT, found)
    if not lead_hit(answer, item.gold):
        return miss(LEAD_MISS, _short(answer.text))
    return None


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
